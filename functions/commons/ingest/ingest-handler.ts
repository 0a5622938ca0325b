/**
 * The hot path: check that the body is a 百应 envelope, enqueue it untouched with how it was
 * received, and reply `success` only once SQS has accepted it. No DynamoDB, no normalizing.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context as LambdaContext } from 'aws-lambda';
import { readEnvelope } from '../contract/envelope.js';
import { scanEnvelope } from '../contract/envelope-scan.js';
import type { ReceiveMeta } from '../queue-message.js';
import type { Counter, HandlerLog, Log } from '../telemetry.js';
import { checkSignature, type SignatureCheckerOptions, type SignatureMode } from './callback-signature.js';
import type { Enqueuer } from './enqueue.js';
import { decodeBody, headerOf, replyError, replySuccess } from './http.js';
import { isoTimestamp } from './iso-timestamp.js';

export interface IngestDeps {
  readonly enqueue: Enqueuer;
  readonly logger: Log & Partial<Pick<HandlerLog, 'addContext'>>;
  readonly counter: Counter;
  readonly now?: () => number;
  /** Callback signature check; `off` when absent. */
  readonly signature?: { readonly mode: SignatureMode } & SignatureCheckerOptions;
}

const receiveMetaOf = (event: APIGatewayProxyEvent, now: number): ReceiveMeta => {
  const epoch = event.requestContext?.requestTimeEpoch;
  return {
    requestId: event.requestContext?.requestId || `local-${now}-${Math.random().toString(36).slice(2)}`,
    receivedAt: isoTimestamp(typeof epoch === 'number' && epoch > 0 ? epoch : now),
    source: 'callback',
    sourceIp: event.requestContext?.identity?.sourceIp ?? undefined,
    // The logical route, never the path: with a secret path segment the path is a credential.
    route: logicalRoute(event.resource || event.path || ''),
    contentType: headerOf(event, 'content-type'),
    // Filled in once the body is read (declared here so the object keeps one shape).
    dataType: undefined,
  };
};

type Route = 'call' | 'job' | 'other';
/** API Gateway passes the same resource on every request of a route: the last answer is reused. */
let lastPath: string | undefined;
let lastRoute: Route = 'other';

/** `call` or `job` from the path (`…/callbacks/call`), whatever comes before it; `other` otherwise. */
export const logicalRoute = (path: string): Route => {
  if (path === lastPath) return lastRoute;
  const match = /\/callbacks\/(call|job)\/?$/.exec(path);
  lastRoute = (match?.[1] as 'call' | 'job' | undefined) ?? 'other';
  lastPath = path;
  return lastRoute;
};

/**
 * The envelope's type and whether JSON.parse reads the body as it is; with `needData` (a
 * signature to check) also the parsed inner data. Nearly every delivery is compact JSON holding a
 * plain envelope, which the one-pass scan reads without parsing; anything else is read in full,
 * which also names what is wrong with a bad body.
 */
const readDelivery = (text: string, needData: boolean) => {
  // The scan's answer also means the body holds nothing SQS refuses (see envelope-scan.ts).
  const scanned = needData ? undefined : scanEnvelope(text);
  if (scanned !== undefined) {
    return { ok: true as const, dataType: scanned, parsesAsJson: true, sqsSafe: true, data: undefined };
  }
  const checked = readEnvelope(text);
  if (!checked.ok) return checked;
  const { dataType, data } = checked.envelope;
  return { ok: true as const, dataType, parsesAsJson: checked.parsesAsJson, sqsSafe: false, data };
};

/** What every line about a request says (built only when such a line is written). */
const logFields = (meta: ReceiveMeta, bytes: number) => ({
  requestId: meta.requestId,
  route: meta.route,
  contentType: meta.contentType,
  bytes,
});

export const createIngestHandler = (deps: IngestDeps) => {
  const now = deps.now ?? Date.now;
  // The signature settings when a signature is checked at all (not `off`): fixed for the handler.
  const signature = deps.signature?.mode === 'off' ? undefined : deps.signature;

  /** A refused body is still kept: consume quarantines it, so nothing 百应 sent is lost. */
  const keepRejected = async (meta: ReceiveMeta, body: string, reason: string): Promise<boolean> => {
    try {
      await deps.enqueue({ ...meta, rejected: reason }, body);
      return true;
    } catch (error) {
      deps.logger.error('could not keep a rejected body', {
        requestId: meta.requestId,
        error,
      });
      return false;
    }
  };

  /** A refused request: kept for quarantine, counted, logged once, answered with a short JSON error. */
  const reject = async (
    meta: ReceiveMeta,
    bytes: number,
    status: number,
    code: string,
    reason: string,
    body: string,
    extra: Pick<ReceiveMeta, 'dataType' | 'bodyEncoding'> = {},
  ) => {
    const dataType = extra.dataType;
    const kept = await keepRejected({ ...meta, ...extra }, body, reason);
    deps.counter.count('CallbacksRejected');
    deps.logger.warn('callback rejected', { ...logFields(meta, bytes), dataType, status, reason, kept });
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
      return reject(meta, bytes, 400, 'UNREADABLE_BODY', decoded.reason, event.body ?? '', {
        bodyEncoding: 'base64',
      });
    }

    const read = readDelivery(decoded.text, signature !== undefined);
    if (!read.ok) return reject(meta, bytes, 400, read.error.code, read.error.message, decoded.text);

    const { dataType } = read;
    if (signature && read.data) {
      const verdict = await checkSignature(read.data, now(), signature);
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
          return reject(
            meta,
            bytes,
            401,
            'BAD_SIGNATURE',
            `the callback signature is ${verdict.status}`,
            decoded.text,
            {
              dataType,
            },
          );
        }
      }
    }
    try {
      meta.dataType = dataType;
      const { claimed } = await deps.enqueue(meta, decoded.text, {
        parsesAsJson: read.parsesAsJson,
        sqsSafe: read.sqsSafe,
      });
      deps.counter.count('CallbacksReceived', { DataType: dataType });
      // The one line of a successful request (it is most of what the logs cost): the reply is
      // implied by the message, `claimed` appears only when the body went to S3, and the SQS
      // message id and content type are not repeated here: both are in the message's metadata
      // and the archive, which the API request id finds (consume's lines carry it too).
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
