/**
 * The SQS consumer: read each message's body with the contract, archive the batch's raw bodies
 * in one object, merge every record into DynamoDB idempotently, quarantine what cannot be read,
 * and report failures per message so one bad message never fails its neighbours.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context as LambdaContext, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { UNKNOWN_COMPANY } from '../contract/normalize-open.js';
import { readCallback } from '../contract/read-callback.js';
import type { NormalizedRecord } from '../contract/types.js';
import type { Warning } from '../contract/warnings.js';
import { describeError } from '../errors.js';
import { maskDigitsIn } from '../mask.js';
import { isMissingObject } from '../object-store.js';
import type { DataPolicy } from '../personal/policy.js';
import { decodeQueueMessage, type ReceiveMeta } from '../queue-message.js';
import { type RecordingTask, recordingTasksOf } from '../recordings/task.js';
import type { TaskSender } from '../recordings/task-queue.js';
import { deliveryOf } from '../store/delivery.js';
import { itemKeyOf } from '../store/keys.js';
import { mergeRecord } from '../store/merge-record.js';
import type { Counter, HandlerLog, Log } from '../telemetry.js';
import { type ArchiveLine, archiveKey, type ObjectStore, writeArchive } from './archive.js';
import { KeyedLanes } from './keyed-lanes.js';
import { mapLimit } from './map-limit.js';
import { isPermanentStoreError, permanentReasonCode } from './permanent-errors.js';
import { type QuarantineReason, writeQuarantine } from './quarantine.js';

/** Messages read and normalized at once (claim-checked bodies are up to ~1 MB each). */
const PREPARE_CONCURRENCY = 5;

export interface ConsumeDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly callsTable: string;
  readonly jobsTable: string;
  readonly objects: ObjectStore;
  readonly logger: Log & Partial<Pick<HandlerLog, 'addContext'>>;
  readonly counter: Counter;
  readonly now?: () => Date;
  /** The recordings queue (absent when recordings are off): one task per recording link of a stored call. */
  readonly recordings?: TaskSender;
  /**
   * The companies whose data is stored (`companyIds`); absent: every company. 百应's callback
   * addresses are shared by all its customers, so anyone on 百应 can point callbacks here.
   */
  readonly companies?: ReadonlySet<string>;
  /** Retention (`expiresAt`) and the phone hash (`phoneHash`) of the items written. */
  readonly policy?: DataPolicy;
  /** Shards of the index keys (store/shards.ts). @default DEFAULT_INDEX_SHARDS */
  readonly shards?: number;
}

type Prepared =
  | {
      readonly kind: 'records';
      readonly meta: ReceiveMeta;
      readonly body: string;
      readonly records: readonly NormalizedRecord[];
      readonly warnings: readonly Warning[];
      /** The claim-check object the body came from, deleted once the body is stored. */
      readonly claim?: string | undefined;
      /** Companies the body named that are not ours: their records were set aside, the body is quarantined. */
      readonly foreign?: readonly string[];
    }
  | {
      readonly kind: 'quarantine';
      readonly meta?: ReceiveMeta;
      readonly body: string;
      readonly reason: QuarantineReason;
      readonly claim?: string | undefined;
    };

/** What one batch did, for its single summary line (one line per batch, not per message: logs are billed by the byte). */
interface BatchSummary {
  stored: number;
  quarantined: number;
  records: Record<string, number>;
  outcomes: Record<string, number>;
  warnings: Set<string>;
  /** Per stored message, the keys of the items it changed (a key repeats when two messages name one item). */
  items: string[];
  /**
   * Recording links of the calls stored, sent after the batch's merges. Sent for duplicates too:
   * a message retried after its tasks failed to send is a duplicate by then, and the worker skips
   * what is already archived.
   */
  tasks: { id: string; messageId: string; task: RecordingTask }[];
}

const newSummary = (): BatchSummary => ({
  stored: 0,
  quarantined: 0,
  records: {},
  outcomes: {},
  warnings: new Set(),
  items: [],
  tasks: [],
});

const tally = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

export const createConsumeHandler = (deps: ConsumeDeps) => {
  const now = deps.now ?? (() => new Date());
  const calls = {
    doc: deps.doc,
    table: deps.callsTable,
    objects: deps.objects,
    ...(deps.policy ? { policy: deps.policy } : {}),
    ...(deps.shards ? { shards: deps.shards } : {}),
  };

  /** A record of a company not on the list. One that names no company (the open platform may omit it) is kept. */
  const isForeign = (record: NormalizedRecord): boolean =>
    deps.companies !== undefined &&
    record.companyId !== undefined &&
    record.companyId !== UNKNOWN_COMPANY &&
    !deps.companies.has(record.companyId);
  const foreignCompaniesOf = (records: readonly NormalizedRecord[]): string[] => [
    ...new Set(records.filter(isForeign).map((record) => record.companyId as string)),
  ];

  const prepare = async (sqsRecord: SQSRecord): Promise<Prepared> => {
    const message = decodeQueueMessage(sqsRecord.body);
    if (!message) {
      return {
        kind: 'quarantine',
        body: sqsRecord.body,
        reason: { code: 'NOT_A_QUEUE_MESSAGE', message: 'SQS message is not a byrobot-callbacks envelope' },
      };
    }
    let body = message.body;
    if (body === undefined && message.claim) {
      try {
        body = Buffer.from(await deps.objects.get(message.claim.key)).toString('utf8');
      } catch (error) {
        if (!isMissingObject(error)) throw error;
        // Retrying cannot bring it back: keep what the message holds, and say why.
        return {
          kind: 'quarantine',
          meta: message.meta,
          body: sqsRecord.body,
          reason: {
            code: 'CLAIM_MISSING',
            message: `the claim-checked body ${message.claim.key} is gone (deleted after an earlier store of this delivery, or removed by hand)`,
          },
        };
      }
    }
    if (body === undefined) {
      return {
        kind: 'quarantine',
        meta: message.meta,
        body: sqsRecord.body,
        reason: { code: 'NO_BODY', message: 'message has neither a body nor a claim' },
      };
    }
    if (message.meta.rejected !== undefined) {
      return {
        kind: 'quarantine',
        meta: message.meta,
        body,
        claim: message.claim?.key,
        reason: { code: 'REJECTED_BY_INGEST', message: message.meta.rejected },
      };
    }
    const read = readCallback(body);
    if (!read.ok) {
      return {
        kind: 'quarantine',
        meta: message.meta,
        body,
        claim: message.claim?.key,
        reason: { code: read.error.code, message: read.error.message, path: read.error.path },
      };
    }
    const foreign = foreignCompaniesOf(read.records);
    return {
      kind: 'records',
      meta: message.meta,
      body,
      claim: message.claim?.key,
      records: foreign.length === 0 ? read.records : read.records.filter((record) => !isForeign(record)),
      warnings: read.warnings,
      ...(foreign.length > 0 ? { foreign } : {}),
    };
  };

  /**
   * A claim-checked body is deleted once it is stored (it is in the batch archive too): claims
   * live exactly as long as their message, however late a redrive comes. A failed delete only
   * leaves the object to the bucket's 30-day backstop.
   */
  const releaseClaim = async (messageId: string, key: string): Promise<void> => {
    try {
      await deps.objects.delete(key);
    } catch (error) {
      deps.logger.warn('claim not deleted; the lifecycle rule removes it later', { messageId, key, error });
    }
  };

  const quarantine = async (
    messageId: string,
    prepared: Extract<Prepared, { kind: 'quarantine' }>,
    reason = prepared.reason,
  ) => {
    const key = await writeQuarantine(deps.objects, {
      quarantinedAt: now().toISOString(),
      messageId,
      reason,
      ...(prepared.meta ? { meta: prepared.meta } : {}),
      body: prepared.body,
    });
    deps.counter.count('CallbacksQuarantined', { Reason: reason.code });
    deps.logger.warn('callback quarantined', {
      messageId,
      requestId: prepared.meta?.requestId,
      dataType: prepared.meta?.dataType,
      reason: reason.code,
      detail: reason.message,
      key,
    });
  };

  const store = async (
    summary: BatchSummary,
    messageId: string,
    prepared: Extract<Prepared, { kind: 'records' }>,
    archive: string | undefined,
  ) => {
    try {
      const outcomes = [];
      for (const record of prepared.records)
        outcomes.push(await mergeRecord(calls, deps.jobsTable, record, deliveryOf(prepared.meta, archive)));
      for (const record of prepared.records) deps.counter.count('RecordsStored', { Kind: record.kind });
      if (prepared.warnings.length > 0) deps.counter.count('ContractWarnings', {}, prepared.warnings.length);
      summary.stored += 1;
      for (const record of prepared.records) tally(summary.records, record.kind);
      for (const outcome of outcomes) tally(summary.outcomes, outcome);
      for (const warning of prepared.warnings) summary.warnings.add(warning.code);
      summary.items.push(...new Set(prepared.records.map(itemKeyOf)));
      if (deps.recordings) {
        for (const [i, record] of prepared.records.entries()) {
          // An erased call's recordings are not fetched again.
          if (record.kind !== 'call' || outcomes[i] === 'erased') continue;
          for (const task of recordingTasksOf(record)) {
            summary.tasks.push({ id: `${messageId}#${summary.tasks.length}`, messageId, task });
          }
        }
      }
    } catch (error) {
      if (!isPermanentStoreError(error)) throw error;
      summary.quarantined += 1;
      await quarantine(messageId, {
        kind: 'quarantine',
        meta: prepared.meta,
        body: prepared.body,
        reason: {
          code: permanentReasonCode(error),
          message: maskDigitsIn(describeError(error)),
        },
      });
    }
  };

  return async (event: SQSEvent, context?: LambdaContext): Promise<SQSBatchResponse> => {
    // Every line of this invocation carries the request id and cold-start flag.
    if (context) deps.logger.addContext?.(context);
    const started = Date.now();
    const failures = new Set<string>();
    const summary = newSummary();
    // A few messages at a time: each may be a claim-checked body of about a megabyte.
    const prepared = await mapLimit(event.Records, PREPARE_CONCURRENCY, async (sqsRecord) => {
      try {
        return { messageId: sqsRecord.messageId, prepared: await prepare(sqsRecord) };
      } catch (error) {
        failures.add(sqsRecord.messageId);
        deps.logger.error('message could not be read', {
          messageId: sqsRecord.messageId,
          error,
        });
        return undefined;
      }
    });
    const ready = prepared.filter((item) => item !== undefined);

    // Archive first, so every record written can point at its raw body. A body holding only
    // other companies' data is not kept here: the quarantine holds it, for a shorter time.
    const lines: ArchiveLine[] = ready.flatMap(({ messageId, prepared: p }) =>
      p.meta && !(p.kind === 'records' && p.records.length === 0)
        ? [{ messageId, meta: p.meta, body: p.body }]
        : [],
    );
    let pointers: Map<string, string>;
    try {
      const key = archiveKey(now(), randomUUID());
      const written = lines.length > 0 ? await writeArchive(deps.objects, key, lines) : [];
      pointers = new Map(lines.map((line, index) => [line.messageId, written[index] as string]));
    } catch (error) {
      deps.counter.count('ArchiveFailures');
      deps.logger.error('batch archive failed; the whole batch will be retried', {
        error,
        messages: event.Records.length,
      });
      return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
    }

    // Messages for the same item (duplicates are normal) run one after another: concurrent
    // merges of one item would only contend with each other. Different items run in parallel.
    const lanes = new KeyedLanes();
    await Promise.all(
      ready.map(async ({ messageId, prepared: p }) => {
        try {
          if (p.kind === 'quarantine') {
            await quarantine(messageId, p);
            summary.quarantined += 1;
          } else {
            if (p.records.length > 0) {
              await lanes.run(p.records.map(itemKeyOf), () =>
                store(summary, messageId, p, pointers.get(messageId)),
              );
            }
            if (p.foreign) {
              deps.counter.count('ForeignCallbacks');
              await quarantine(messageId, {
                kind: 'quarantine',
                meta: p.meta,
                body: p.body,
                reason: {
                  code: 'FOREIGN_COMPANY',
                  message: `company ${p.foreign.join(', ')} is not one of this stack's companyIds; add it and replay the quarantine to store it`,
                },
              });
              summary.quarantined += 1;
            }
          }
          if (p.claim) await releaseClaim(messageId, p.claim);
        } catch (error) {
          failures.add(messageId);
          deps.counter.count('ConsumeFailures');
          deps.logger.error('message failed; it will be retried', {
            messageId,
            requestId: p.meta?.requestId,
            error,
          });
        }
      }),
    );
    if (deps.recordings && summary.tasks.length > 0) {
      const notSent = await deps.recordings.send(summary.tasks);
      for (const { id, messageId } of summary.tasks) {
        if (notSent.has(id)) failures.add(messageId);
      }
      if (notSent.size > 0) {
        deps.counter.count('RecordingTasksNotSent', {}, notSent.size);
        deps.logger.error('recording tasks not sent; their messages will be retried', {
          tasks: notSent.size,
        });
      }
    }
    deps.logger.info('batch stored', {
      messages: event.Records.length,
      stored: summary.stored,
      quarantined: summary.quarantined,
      failed: failures.size,
      records: summary.records,
      outcomes: summary.outcomes,
      warnings: [...summary.warnings],
      items: summary.items,
      recordingTasks: summary.tasks.length,
      ms: Date.now() - started,
    });
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  };
};
