/**
 * Queuing recordings again whose status is final but not ARCHIVED (after a storage outage, or
 * once `recordingHosts` was fixed): `records -- recording <id> --kind … --retry` for one,
 * `replay -- --recordings [--status …] [--company …] [--date …]` for many. The tasks carry
 * `retry`, so the worker tries the link again instead of skipping a final entry.
 */
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import {
  RECORDING_KINDS,
  type RecordingKind,
  type RecordingStatus,
} from '../../functions/commons/definitions.js';
import { type RecordingTask, TASK_VERSION } from '../../functions/commons/recordings/task.js';
import { sqsTaskSender } from '../../functions/commons/recordings/task-queue.js';
import type { CallItem, RecordingEntry } from '../../functions/commons/store/items.js';
import { callsOfDay } from './export.js';
import type { Targets } from './targets.js';

/** The statuses an operator may queue again; ARCHIVED is done and PENDING is still being retried. */
export const RETRYABLE_STATUSES = [
  'FAILED',
  'REFUSED',
  'EXPIRED',
] as const satisfies readonly RecordingStatus[];

/** `--status A,B`: each must be one of RETRYABLE_STATUSES. */
export const parseStatuses = (text: string | undefined): RecordingStatus[] => {
  if (text === undefined) return [...RETRYABLE_STATUSES];
  const statuses = text
    .split(',')
    .map((status) => status.trim().toUpperCase())
    .filter(Boolean);
  const wrong = statuses.filter((status) => !RETRYABLE_STATUSES.includes(status as never));
  if (statuses.length === 0 || wrong.length > 0) {
    throw new RangeError(
      `--status takes ${RETRYABLE_STATUSES.join(', ')} (comma-separated); not ${wrong.join(', ') || 'nothing'}`,
    );
  }
  return statuses as RecordingStatus[];
};

const entryOf = (item: CallItem, kind: RecordingKind): RecordingEntry | undefined => item.recordings?.[kind];

/** The task that tries `kind` of the call item again, from its recording entry's link. */
export const retryTaskOf = (item: CallItem, kind: RecordingKind): RecordingTask | undefined => {
  const entry = entryOf(item, kind);
  if (!entry?.url || item.direction === undefined || item.callId === undefined) return undefined;
  return {
    v: TASK_VERSION,
    callId: item.callId,
    direction: item.direction,
    companyId: item.companyId ?? 'unknown',
    ...(item.record?.startTime ? { startTime: item.record.startTime } : {}),
    kind,
    url: entry.url,
    retry: true,
  };
};

/** Puts the tasks on the recordings queue; resolves with how many SQS did not take. */
export const queueTasks = async (targets: Targets, tasks: readonly RecordingTask[]): Promise<number> => {
  const queueUrl = targets.recordingsQueueUrl;
  if (!queueUrl) {
    throw new Error('no recordings queue: recordings are off in this stack (no RecordingsQueueUrl output)');
  }
  const notSent = await sqsTaskSender(targets.sqs, queueUrl).send(
    tasks.map((task, index) => ({ id: String(index), task })),
  );
  return notSent.size;
};

export interface RetryFilter {
  readonly statuses: readonly RecordingStatus[];
  readonly company?: string;
  /** A Beijing day (`yyyy-MM-dd`): the calls filed under it. */
  readonly date?: string;
}

/** Call items with a recording entry in one of the statuses: a day's index query, else a filtered scan. */
async function* candidateItems(targets: Targets, filter: RetryFilter): AsyncGenerator<CallItem[]> {
  if (filter.company !== undefined && filter.date !== undefined) {
    yield* callsOfDay(targets, filter.company, filter.date);
    return;
  }
  const names: Record<string, string> = { '#r': 'recordings', '#s': 'status' };
  const values: Record<string, unknown> = {};
  filter.statuses.forEach((status, index) => {
    values[`:s${index}`] = status;
  });
  const inStatuses = Object.keys(values).join(', ');
  const conditions = [
    `(${RECORDING_KINDS.map((kind) => {
      names[`#${kind}`] = kind;
      return `#r.#${kind}.#s IN (${inStatuses})`;
    }).join(' OR ')})`,
  ];
  if (filter.company !== undefined) {
    names['#company'] = 'companyId';
    values[':company'] = filter.company;
    conditions.push('#company = :company');
  }
  if (filter.date !== undefined) {
    names['#sortTime'] = 'sortTime';
    values[':date'] = filter.date;
    conditions.push('begins_with(#sortTime, :date)');
  }
  const pages = paginateScan(
    { client: targets.doc },
    {
      TableName: targets.callsTable,
      FilterExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  );
  for await (const page of pages) yield (page.Items ?? []) as CallItem[];
}

export interface RetrySummary {
  queued: number;
  notSent: number;
  byStatus: Record<string, number>;
}

/** Queues every recording in `filter.statuses` again; resolves with what was queued. */
export const retryRecordings = async (targets: Targets, filter: RetryFilter): Promise<RetrySummary> => {
  const summary: RetrySummary = { queued: 0, notSent: 0, byStatus: {} };
  for await (const items of candidateItems(targets, filter)) {
    const tasks: RecordingTask[] = [];
    for (const item of items) {
      for (const kind of RECORDING_KINDS) {
        const status = entryOf(item, kind)?.status;
        const task = retryTaskOf(item, kind);
        if (status === undefined || !filter.statuses.includes(status) || !task) continue;
        tasks.push(task);
        summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
      }
    }
    if (tasks.length === 0) continue;
    const notSent = await queueTasks(targets, tasks);
    summary.queued += tasks.length - notSent;
    summary.notSent += notSent;
  }
  return summary;
};
