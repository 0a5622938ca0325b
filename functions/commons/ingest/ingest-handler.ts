/**
 * The hot path: check that the body is a 百应 envelope, enqueue it untouched with how it was
 * received, and reply `success` only once SQS has accepted it. No DynamoDB, no normalizing.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context as LambdaContext } from 'aws-lambda';
import { readEnvelope } from '../contract/envelope.js';
import type { ReceiveMeta } from '../queue-message.js';
import type { Counter, HandlerLog, Log } from '../telemetry.js';
import { checkSignature, type SignatureCheckerOptions, type SignatureMode } from './callback-signature.js';
import type { Enqueuer } from './enqueue.js';
import { decodeBody, headerOf, replyError, replySuccess } from './http.js';

export interface IngestDeps {
  readonly enqueue: Enqueuer;
  readonly logger: Log & Partial<Pick<HandlerLog, 'addContext'>>;
  readonly counter: Counter;
  readonly now?: () => number;
  /** Callback signature check; `off` when absent. */
  readonly signature?: { readonly mode: SignatureMode } & SignatureCheckerOptions;
}

/** `call` or `job` from the path (`…/callbacks/call`), whatever comes before it; `other` otherwise. */
export const logicalRoute = (path: string): 'call' | 'job' | 'other' => {
  const match = /\/callbacks\/(call|job)\/?$/.exec(path);
  return (match?.[1] as 'call' | 'job' | undefined) ?? 'other';
};

const receiveMetaOf = (event: APIGatewayProxyEvent, now: number): ReceiveMeta => {
  const epoch = event.requestContext?.requestTimeEpoch;
  return {
    requestId: event.requestContext?.requestId || `local-${now}-${Math.random().toString(36).slice(2)}`,
    receivedAt: new Date(typeof epoch === 'number' && epoch > 0 ? epoch : now).toISOString(),
    source: 'callback',
    sourceIp: event.requestContext?.identity?.sourceIp ?? undefined,
    // The logical route, never the path: with a secret path segment the path is a credential.
    route: logicalRoute(event.resource || event.path || ''),
    contentType: headerOf(event, 'content-type'),
  };
};

/** What every line about a request says. */
const logFields = (meta: ReceiveMeta, bytes: number) => ({
  requestId: meta.requestId,
  route: meta.route,
  contentType: meta.contentType,
  bytes,
});

export const createIngestHandler = (deps: IngestDeps) => {
  const now = deps.now ?? Date.now;
  // The signature settings when a signature is checked at all (not `off`).
  const signature = deps.signature?.mode === 'off' ? undefined : deps.signature;

  /** A refused request: kept for quarantine (consume keeps it, so nothing 百应 sent is lost), counted, logged once. */
  const reject = async (
    meta: ReceiveMeta,
    bytes: number,
    status: number,
    code: string,
    reason: string,
    body: string,
  ): Promise<APIGatewayProxyResult> => {
    let kept = true;
    try {
      await deps.enqueue({ ...meta, rejected: reason }, body);
    } catch (error) {
      kept = false;
      deps.logger.error('could not keep a rejected body', { requestId: meta.requestId, error });
    }
    deps.counter.count('CallbacksRejected');
    deps.logger.warn('callback rejected', {
      ...logFields(meta, bytes),
      dataType: meta.dataType,
      status,
      reason,
      kept,
    });
    return replyError(status, code, reason);
  };

  return async (event: APIGatewayProxyEvent, context?: LambdaContext): Promise<APIGatewayProxyResult> => {
    // Every line of this invocation carries the request id and cold-start flag.
    if (context) deps.logger.addContext?.(context);
    const started = now();
    const meta = receiveMetaOf(event, started);
    const bytes = event.body?.length ?? 0;

    const decoded = decodeBody(event, meta.contentType);
    if (!decoded.ok) {
      // The bytes could not be decoded as text: they are kept as API Gateway passed them (base64).
      const undecoded: ReceiveMeta = { ...meta, bodyEncoding: 'base64' };
      return reject(undecoded, bytes, 400, 'UNREADABLE_BODY', decoded.reason, event.body ?? '');
    }

    const read = readEnvelope(decoded.text);
    if (!read.ok) return reject(meta, bytes, 400, read.error.code, read.error.message, decoded.text);
    const { dataType, data } = read.envelope;
    const typed: ReceiveMeta = { ...meta, dataType };

    if (signature) {
      const verdict = await checkSignature(data, now(), signature);
      deps.counter.count('CallbackSignatures', { Verdict: verdict.status });
      if (verdict.status !== 'valid') {
        if (signature.mode === 'log') {
          deps.logger.warn('callback signature did not verify (log mode: accepted)', {
            ...logFields(meta, bytes),
            dataType,
            verdict,
          });
        } else if (verdict.status === 'unavailable') {
          deps.logger.error('callback signature could not be checked', {
            ...logFields(meta, bytes),
            dataType,
            verdict,
          });
          return replyError(503, 'SIGNATURE_UNAVAILABLE', 'the signature could not be checked; please retry');
        } else {
          const reason = `the callback signature is ${verdict.status}`;
          return reject(typed, bytes, 401, 'BAD_SIGNATURE', reason, decoded.text);
        }
      }
    }

    try {
      const { claimed } = await deps.enqueue(typed, decoded.text);
      deps.counter.count('CallbacksReceived', { DataType: dataType });
      // The one line of a successful request (most of what the logs cost): the reply is implied,
      // `claimed` appears only when the body went to S3, and the content type and SQS message id
      // are in the message's metadata and the archive, which the API request id finds.
      const { requestId, route } = meta;
      const ms = now() - started;
      deps.logger.info(
        'callback accepted',
        claimed
          ? { requestId, route, bytes, dataType, claimed, ms }
          : { requestId, route, bytes, dataType, ms },
      );
      return replySuccess();
    } catch (error) {
      deps.counter.count('EnqueueFailures');
      deps.logger.error('callback not stored', { ...logFields(meta, bytes), dataType, status: 503, error });
      // Never `success` here: 百应 retries only what was not acknowledged.
      return replyError(503, 'ENQUEUE_FAILED', 'the callback could not be stored; please retry');
    }
  };
};
