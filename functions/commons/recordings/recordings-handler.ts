/**
 * The recordings worker: for each task, copy the recording into the bucket unless the call item
 * already says it is done, and write the outcome on the item (`recordings.<kind>`).
 *
 * Outcomes and retries:
 * - ARCHIVED: copied; a redelivered task for the same link does nothing.
 * - REFUSED: the link is not allowed (host, scheme, address, size) — final at once.
 * - EXPIRED: the link answered 403/404/410 on `expiredAfterAttempts` attempts about 45 s apart —
 *   an expired link does not come back.
 * - FAILED: anything else still failing after `retryForHours` of retries with doubling backoff.
 * - PENDING (with attempts and the last error): between retries.
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context as LambdaContext, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mapLimit } from '../consume/map-limit.js';
import { RECORDINGS, type RecordingStatus } from '../definitions.js';
import { describeError } from '../errors.js';
import { callKey } from '../store/keys.js';
import type { Counter, HandlerLog, Log } from '../telemetry.js';
import { copyRecording } from './copy-recording.js';
import { type FetchLimits, HttpStatusError } from './fetch-recording.js';
import { type HostPolicy, RefusedUrlError } from './host-policy.js';
import { type RecordingEntry, readRecordings, writeRecording } from './recording-state.js';
import { parseTask } from './task.js';

export interface RecordingsDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly callsTable: string;
  readonly s3: S3Client;
  readonly bucket: string;
  readonly policy: HostPolicy;
  readonly limits: FetchLimits;
  /** Makes a failed message visible again after `seconds` (SQS ChangeMessageVisibility). */
  readonly retryAfter: (receiptHandle: string, seconds: number) => Promise<void>;
  readonly logger: Log & Partial<Pick<HandlerLog, 'addContext'>>;
  readonly counter: Counter;
  readonly now?: () => Date;
  /** Copies at once per invocation. @default 2 */
  readonly concurrency?: number;
  /** Multiplies every retry delay (the local stack's tests shorten them). @default 1 */
  readonly retryScale?: number;
}

const FINAL: ReadonlySet<RecordingStatus> = new Set(['ARCHIVED', 'EXPIRED', 'REFUSED', 'FAILED']);
const EXPIRED_STATUSES = new Set([403, 404, 410]);

/** Only the host: a recording link may carry a signed token in its query. */
const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return '(not a URL)';
  }
};

/** Seconds before the next attempt after `attempt` failed: 1, 2, 4 … minutes, at most two hours. */
export const backoffSeconds = (attempt: number): number =>
  Math.min(60 * 2 ** Math.max(0, attempt - 1), RECORDINGS.maxBackoffSeconds);

type Outcome = RecordingStatus | 'SKIPPED' | 'RETRY' | 'UNREADABLE';

export const createRecordingsHandler = (deps: RecordingsDeps) => {
  const now = deps.now ?? (() => new Date());
  const delay = (seconds: number) => Math.round(seconds * (deps.retryScale ?? 1));

  const handleTask = async (record: SQSRecord): Promise<Outcome> => {
    const task = parseTask(record.body);
    if (!task) {
      // Only our own consume writes this queue: a task we cannot read is a bug, kept in the DLQ.
      deps.logger.error('recordings task unreadable; it goes to the DLQ', { messageId: record.messageId });
      deps.counter.count('RecordingsFailed', { Reason: 'UNREADABLE_TASK' });
      return 'UNREADABLE';
    }
    const pk = callKey(task.direction, task.callId);
    const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
    const firstTried = Number(record.attributes.ApproximateFirstReceiveTimestamp) || now().getTime();
    const log = {
      messageId: record.messageId,
      callId: task.callId,
      kind: task.kind,
      host: hostOf(task.url),
      attempt,
    };

    const recordings = await readRecordings(deps.doc, deps.callsTable, pk);
    if (recordings === undefined) throw new Error(`call item ${pk} not found`);
    const current = recordings[task.kind];
    if (current && current.url === task.url && FINAL.has(current.status)) return 'SKIPPED';
    if (current?.previous?.some((copy) => copy.url === task.url)) return 'SKIPPED';

    // A different link for a call whose recording is already archived (a redial): keep both.
    const replacing = current?.status === 'ARCHIVED' && current.url !== task.url ? current : undefined;
    const previous = replacing
      ? [
          {
            url: replacing.url,
            s3Key: replacing.s3Key as string,
            bytes: replacing.bytes as number,
            sha256: replacing.sha256 as string,
            fetchedAt: replacing.fetchedAt as string,
          },
          ...(replacing.previous ?? []),
        ]
      : current?.previous;
    const at = now();
    const entry = (status: RecordingStatus, rest: Partial<RecordingEntry>): RecordingEntry => ({
      status,
      url: task.url,
      attempts: attempt,
      updatedAt: at.toISOString(),
      ...(previous && previous.length > 0 ? { previous } : {}),
      ...rest,
    });
    const write = (value: RecordingEntry) => writeRecording(deps.doc, deps.callsTable, pk, task.kind, value);

    try {
      const copied = await copyRecording(
        task,
        { s3: deps.s3, bucket: deps.bucket },
        deps.policy,
        deps.limits,
        {
          now: at,
          ...(replacing
            ? { keySuffix: createHash('sha256').update(task.url).digest('hex').slice(0, 8) }
            : {}),
        },
      );
      await write(entry('ARCHIVED', { ...copied, fetchedAt: now().toISOString() }));
      deps.counter.count('RecordingsArchived');
      deps.counter.count('RecordingBytes', {}, copied.bytes);
      return 'ARCHIVED';
    } catch (error) {
      const reason = describeError(error);
      if (error instanceof RefusedUrlError) {
        await write(entry('REFUSED', { reason: error.message }));
        deps.counter.count('RecordingsRefused');
        // On the local stack most links are refused on purpose (simulated 百应 storage, hosts not
        // given with --recording-hosts): the status says so; a warning per call would drown the console.
        const level = deps.policy.onlyExempt ? 'info' : 'warn';
        deps.logger[level]('recording refused', { ...log, reason: error.message });
        return 'REFUSED';
      }
      if (error instanceof HttpStatusError && EXPIRED_STATUSES.has(error.status)) {
        if (attempt >= RECORDINGS.expiredAfterAttempts) {
          await write(entry('EXPIRED', { reason }));
          deps.counter.count('RecordingsExpired');
          deps.logger.warn('recording link expired', { ...log, status: error.status });
          return 'EXPIRED';
        }
        await write(entry('PENDING', { reason }));
        await deps.retryAfter(record.receiptHandle, delay(RECORDINGS.expiredRetrySeconds));
        return 'RETRY';
      }
      if (at.getTime() - firstTried >= RECORDINGS.retryForHours * 3600_000) {
        await write(entry('FAILED', { reason }));
        deps.counter.count('RecordingsFailed', { Reason: 'GAVE_UP' });
        deps.logger.error('recording failed; retries gave up', { ...log, reason });
        return 'FAILED';
      }
      await write(entry('PENDING', { reason }));
      const retryIn = delay(backoffSeconds(attempt));
      await deps.retryAfter(record.receiptHandle, retryIn);
      deps.logger.warn('recording not copied; it will be retried', {
        ...log,
        reason,
        retryInSeconds: retryIn,
      });
      return 'RETRY';
    }
  };

  return async (event: SQSEvent, context?: LambdaContext): Promise<SQSBatchResponse> => {
    if (context) deps.logger.addContext?.(context);
    const failures: string[] = [];
    const outcomes: Record<string, number> = {};
    await mapLimit(event.Records, deps.concurrency ?? 2, async (record) => {
      let outcome: Outcome;
      try {
        outcome = await handleTask(record);
      } catch (error) {
        // The outcome could not be written (or the item is not there yet): SQS redelivers it.
        deps.counter.count('RecordingErrors');
        deps.logger.error('recording task failed; it will be retried', {
          messageId: record.messageId,
          error,
        });
        outcome = 'RETRY';
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (outcome === 'RETRY' || outcome === 'UNREADABLE') failures.push(record.messageId);
    });
    deps.logger.info('recordings batch', { tasks: event.Records.length, outcomes });
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
};
