/**
 * The recordings worker: for each task, copy the recording into the bucket unless the call item
 * already says it is done, and write the outcome on the item (`recordings.<kind>`).
 *
 * Outcomes and retries:
 * - ARCHIVED: copied; a redelivered task for the same link does nothing.
 * - REFUSED: the link is not allowed (host, scheme, port, address, size) — final at once.
 * - EXPIRED: the link answered 403/404/410 `expiredAfterAttempts` times, about 45 s apart — an
 *   expired link does not come back.
 * - FAILED: anything else still failing after `retryForHours` of retries with doubling backoff,
 *   or on the queue's last receive (so a task never reaches the DLQ while PENDING).
 * - PENDING (with attempts and the last error): between retries, including a copy the
 *   invocation had no time left to finish.
 *
 * Every outcome is written with a compare-and-set on the entry as last read: a late or
 * duplicate task that lost a race re-reads and decides again, so it never demotes ARCHIVED nor
 * drops an archived copy from `previous`. A task with `retry` (the records/replay CLIs) tries a
 * link again whose status is final but not ARCHIVED.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context as LambdaContext, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mapLimit } from '../consume/map-limit.js';
import { RECORDINGS, type RecordingStatus } from '../definitions.js';
import { describeError } from '../errors.js';
import { deleteEveryVersion } from '../personal/erase-objects.js';
import { callKey } from '../store/keys.js';
import type { Counter, HandlerLog, Log } from '../telemetry.js';
import { type CopiedRecording, copyRecording } from './copy-recording.js';
import { type FetchLimits, HttpStatusError } from './fetch-recording.js';
import { type HostPolicy, RefusedUrlError } from './host-policy.js';
import {
  type ArchivedCopy,
  type RecordingEntry,
  type RecordingsState,
  readRecordings,
  writeRecording,
} from './recording-state.js';
import { parseTask, type RecordingTask } from './task.js';

export interface RecordingsDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly callsTable: string;
  readonly s3: S3Client;
  readonly bucket: string;
  readonly policy: HostPolicy;
  /** The size cap, and the longest one download may take (the invocation's time left may cut it shorter). */
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

/**
 * Kept free of downloading at the end of an invocation: enough to abort an upload, write the
 * outcome and change the message's visibility before Lambda stops the function.
 */
export const WRITE_RESERVE_MS = 10_000;
/** A copy is not started with less time than this for its download. */
export const MIN_DOWNLOAD_MS = 5_000;

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

type Outcome = RecordingStatus | 'SKIPPED' | 'ERASED' | 'RETRY' | 'UNREADABLE';

/** What the attempt at the link gave, before it is weighed against the entry. */
type Attempt =
  | { readonly kind: 'copied'; readonly copied: CopiedRecording }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'gone'; readonly status: number; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string; readonly unfinished: boolean };

/** The invocation ran out of time before (or while) copying. */
class OutOfTimeError extends Error {
  override readonly name = 'OutOfTimeError';
}

/** Whether the entry already answers this task: nothing to fetch. */
const isDone = (current: RecordingEntry | undefined, task: RecordingTask): boolean => {
  if (current?.previous?.some((copy) => copy.url === task.url)) return true;
  if (current?.url !== task.url) return false;
  return current.status === 'ARCHIVED' || (FINAL.has(current.status) && task.retry !== true);
};

/** The archived copies an entry replacing `current` keeps: the current copy too when it is another link's. */
const previousOf = (current: RecordingEntry | undefined, url: string): readonly ArchivedCopy[] => {
  if (current?.status !== 'ARCHIVED' || current.url === url) return current?.previous ?? [];
  const copy: ArchivedCopy = {
    url: current.url,
    s3Key: current.s3Key as string,
    bytes: current.bytes as number,
    sha256: current.sha256 as string,
    fetchedAt: current.fetchedAt as string,
  };
  return [copy, ...(current.previous ?? [])];
};

export const createRecordingsHandler = (deps: RecordingsDeps) => {
  const now = deps.now ?? (() => new Date());
  const delay = (seconds: number) => Math.round(seconds * (deps.retryScale ?? 1));

  const attemptCopy = async (task: RecordingTask, remainingMs: () => number): Promise<Attempt> => {
    const budget = Math.min(deps.limits.timeoutMs, remainingMs() - WRITE_RESERVE_MS);
    try {
      if (budget < MIN_DOWNLOAD_MS) {
        throw new OutOfTimeError('not started: the invocation had too little time left; retried');
      }
      const copied = await copyRecording(
        task,
        { s3: deps.s3, bucket: deps.bucket },
        deps.policy,
        { ...deps.limits, timeoutMs: budget },
        { now: now() },
      );
      return { kind: 'copied', copied };
    } catch (error) {
      if (error instanceof RefusedUrlError) return { kind: 'refused', reason: error.message };
      if (error instanceof HttpStatusError && EXPIRED_STATUSES.has(error.status)) {
        return { kind: 'gone', status: error.status, reason: describeError(error) };
      }
      // Cut short by the invocation's own deadline rather than by the link's limit: not the host's fault.
      const unfinished = error instanceof OutOfTimeError || budget < deps.limits.timeoutMs;
      return { kind: 'failed', reason: describeError(error), unfinished };
    }
  };

  const handleTask = async (record: SQSRecord, remainingMs: () => number): Promise<Outcome> => {
    const task = parseTask(record.body);
    if (!task) {
      // Only our own consume and CLIs write this queue: a task we cannot read is a bug, kept in the DLQ.
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
    const read = async (): Promise<RecordingsState> => {
      const state = await readRecordings(deps.doc, deps.callsTable, pk);
      if (state === undefined) throw new Error(`call item ${pk} not found`);
      return state;
    };

    const before = await read();
    // An erased call's voice is not fetched again (a task queued before the erasure, a redelivery).
    if (before.erased) return 'ERASED';
    if (isDone(before.recordings[task.kind], task)) return 'SKIPPED';
    const result = await attemptCopy(task, remainingMs);
    const at = now();
    const lastReceive = attempt >= RECORDINGS.maxReceiveCount;
    const gaveUp = lastReceive || at.getTime() - firstTried >= RECORDINGS.retryForHours * 3600_000;

    /** The entry this attempt leaves, given the entry as it is now. */
    const entryAfter = (current: RecordingEntry | undefined): RecordingEntry => {
      const previous = previousOf(current, task.url);
      const base = {
        url: task.url,
        attempts: attempt,
        updatedAt: at.toISOString(),
        ...(previous.length > 0 ? { previous } : {}),
      };
      switch (result.kind) {
        case 'copied':
          return { status: 'ARCHIVED', ...base, ...result.copied, fetchedAt: at.toISOString() };
        case 'refused':
          return { status: 'REFUSED', ...base, reason: result.reason };
        case 'gone': {
          // Counted per link, from this link's PENDING entry (a retried final entry starts afresh).
          const before = current?.url === task.url && current.status === 'PENDING' ? current.goneAnswers : 0;
          const goneAnswers = (before ?? 0) + 1;
          const status =
            goneAnswers >= RECORDINGS.expiredAfterAttempts ? 'EXPIRED' : gaveUp ? 'FAILED' : 'PENDING';
          return { status, ...base, reason: result.reason, goneAnswers };
        }
        case 'failed':
          return { status: gaveUp ? 'FAILED' : 'PENDING', ...base, reason: result.reason };
      }
    };

    let written: RecordingEntry | undefined;
    for (let round = 0; round < 5 && written === undefined; round += 1) {
      const state = await read();
      if (state.erased) {
        // Erased while this copy ran: the copy goes too, every version of it.
        if (result.kind === 'copied')
          await deleteEveryVersion(deps.s3, deps.bucket, result.copied.s3Key, { exact: true });
        return 'ERASED';
      }
      const current = state.recordings[task.kind];
      // Another task archived this link while this one ran: its copy stands, and so does ARCHIVED.
      const archived = current?.url === task.url && current.status === 'ARCHIVED';
      if (archived || current?.previous?.some((copy) => copy.url === task.url)) return 'SKIPPED';
      const entry = entryAfter(current);
      if (await writeRecording(deps.doc, deps.callsTable, pk, task.kind, entry, current)) written = entry;
    }
    if (written === undefined) throw new Error(`recordings.${task.kind} of ${pk} kept changing`);

    const reason = written.reason;
    switch (written.status) {
      case 'ARCHIVED':
        deps.counter.count('RecordingsArchived');
        deps.counter.count('RecordingBytes', {}, written.bytes ?? 0);
        return 'ARCHIVED';
      case 'REFUSED': {
        deps.counter.count('RecordingsRefused');
        // On the local stack most links are refused on purpose (simulated 百应 storage, hosts not
        // given with --recording-hosts): the status says so; a warning per call would drown the console.
        const level = deps.policy.onlyExempt ? 'info' : 'warn';
        deps.logger[level]('recording refused', { ...log, reason });
        return 'REFUSED';
      }
      case 'EXPIRED':
        deps.counter.count('RecordingsExpired');
        deps.logger.warn('recording link expired', { ...log, reason });
        return 'EXPIRED';
      case 'FAILED':
        deps.counter.count('RecordingsFailed', { Reason: lastReceive ? 'LAST_ATTEMPT' : 'GAVE_UP' });
        deps.logger.error('recording failed; retries gave up', { ...log, reason });
        return 'FAILED';
      case 'PENDING': {
        const retryIn = delay(
          result.kind === 'gone'
            ? RECORDINGS.expiredRetrySeconds
            : result.kind === 'failed' && result.unfinished
              ? RECORDINGS.unfinishedRetrySeconds
              : backoffSeconds(attempt),
        );
        await deps.retryAfter(record.receiptHandle, retryIn);
        deps.logger.warn('recording not copied; it will be retried', {
          ...log,
          reason,
          retryInSeconds: retryIn,
        });
        return 'RETRY';
      }
    }
  };

  return async (event: SQSEvent, context?: LambdaContext): Promise<SQSBatchResponse> => {
    if (context) deps.logger.addContext?.(context);
    // The invocation's own clock: a batch of slow links must end before Lambda stops it.
    const remainingMs = () => context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
    const failures: string[] = [];
    const outcomes: Record<string, number> = {};
    await mapLimit(event.Records, deps.concurrency ?? 2, async (record) => {
      let outcome: Outcome;
      try {
        outcome = await handleTask(record, remainingMs);
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
