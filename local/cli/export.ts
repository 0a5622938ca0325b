/**
 * Calls of a company over Beijing days, for `records list --format` and `records export`: read
 * through the `byCompanyDate` index one day at a time (every shard, merged; never a table scan),
 * or of a job through `byJobShard`, whole items fetched in batches, and written as JSON lines or CSV (UTF-8 with a BOM, so Excel reads Chinese right).
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { s3ObjectStore } from '../../functions/commons/consume/s3-object-store.js';
import { FINISH_STATUS } from '../../functions/commons/contract/enums.js';
import { BY_COMPANY_DATE, BY_JOB_SHARD } from '../../functions/commons/definitions.js';
import { getItemsByKey } from '../../functions/commons/store/batch-get.js';
import { type IndexEntry, mergedIndex } from '../../functions/commons/store/index-reader.js';
import type { CallItem } from '../../functions/commons/store/items.js';
import { companyDateKeys, jobShardKeys } from '../../functions/commons/store/keys.js';
import { reassembleCall } from '../../functions/commons/store/overflow.js';
import { CALL_IDENTITY } from './item-order.js';
import { maskRecord } from './mask-record.js';
import type { Targets } from './targets.js';

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export const LIST_FORMATS = ['json', 'jsonl', 'csv'] as const;

/** The summary columns of a CSV row, in order. */
export const CSV_COLUMNS = [
  ...CALL_IDENTITY,
  'startTime',
  'endTime',
  'durationSeconds',
  'chatRound',
  'finishStatusCode',
  'finishStatus',
  'finishStatusZh',
  'intentLevel',
  'intentValue',
  'intentSource',
  'customerTelephone',
  'deliveries',
  'sources',
  'firstReceivedAt',
  'lastReceivedAt',
] as const;

/** Beijing days from `from` to `to`, both included. */
export const daysBetween = (from: string, to: string): string[] => {
  const pattern = /^\d{4}-\d{2}-\d{2}$/;
  if (!pattern.test(from) || !pattern.test(to) || Number.isNaN(Date.parse(`${from}T00:00:00Z`))) {
    throw new RangeError('--from and --to must be yyyy-MM-dd');
  }
  if (to < from) throw new RangeError(`--to ${to} is before --from ${from}`);
  const days: string[] = [];
  for (let day = Date.parse(`${from}T00:00:00Z`); ; day += 86_400_000) {
    const text = new Date(day).toISOString().slice(0, 10);
    if (text > to) return days;
    days.push(text);
    if (days.length > 3660) throw new RangeError('at most ten years at a time');
  }
};

/** Whole call items for index entries, in the entries' order. */
const wholeItems = async (targets: Targets, entries: readonly IndexEntry[]): Promise<CallItem[]> => {
  // The index holds a few attributes (cheap writes); the items themselves are fetched in batches.
  const byKey = await getItemsByKey<CallItem>(
    targets.doc,
    targets.callsTable,
    entries.map((entry) => entry.pk),
  );
  return entries.flatMap((entry) => {
    const item = byKey.get(entry.pk);
    return item ? [item] : [];
  });
};

/**
 * Whole call items of one company's Beijing day, in start-time order (every shard of the day and
 * its key from before sharding, merged), optionally of one job.
 */
export async function* callsOfDay(
  targets: Targets,
  company: string,
  day: string,
  job?: string,
): AsyncGenerator<CallItem[]> {
  const entries = mergedIndex(targets.doc, {
    table: targets.callsTable,
    index: BY_COMPANY_DATE.name,
    partitionKey: BY_COMPANY_DATE.partitionKey,
    keys: companyDateKeys(company, day, targets.indexShards),
    ...(job
      ? { filter: { expression: '#job = :job', names: { '#job': 'callJobId' }, values: { ':job': job } } }
      : {}),
  });
  for await (const chunk of entries) yield await wholeItems(targets, chunk);
}

/** Whole call items of one job, in start-time order (every shard of the job, merged). */
export async function* callsOfJob(targets: Targets, job: string): AsyncGenerator<CallItem[]> {
  const entries = mergedIndex(targets.doc, {
    table: targets.callsTable,
    index: BY_JOB_SHARD.name,
    partitionKey: BY_JOB_SHARD.partitionKey,
    keys: jobShardKeys(job, targets.indexShards),
  });
  for await (const chunk of entries) yield await wholeItems(targets, chunk);
}

const text = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : String(value);

/** One call item as its summary columns. */
export const summaryRow = (
  item: CallItem,
): Record<(typeof CSV_COLUMNS)[number], string | number | undefined> => {
  const record = item.record;
  const finish = record?.finishStatus;
  return {
    callId: text(item.callId ?? record?.callId),
    direction: text(item.direction),
    platform: text(item.platform),
    companyId: text(item.companyId),
    callJobId: text(item.callJobId ?? record?.callJobId),
    state: text(item.state),
    startTime: text(record?.startTime ?? item.sortTime),
    endTime: text(record?.endTime),
    durationSeconds: record?.durationSeconds,
    chatRound: record?.chatRound,
    finishStatusCode: text(finish?.code),
    finishStatus: text(finish?.name),
    finishStatusZh: typeof finish?.code === 'number' ? FINISH_STATUS[finish.code]?.zh : undefined,
    intentLevel: text(item.intent?.level),
    intentValue: text(item.intent?.value),
    intentSource: text(item.intent?.source),
    customerTelephone: text(record?.customerTelephone ?? item.missing?.customerTelephone),
    deliveries: item.deliveries,
    sources: item.sources ? [...item.sources].join(' ') : undefined,
    firstReceivedAt: text(item.firstReceivedAt),
    lastReceivedAt: text(item.lastReceivedAt),
  };
};

/**
 * A text cell that starts like a spreadsheet formula (`=`, `+`, `-`, `@`) is prefixed with `'`:
 * names and values come from outside, and Excel would run them. Numbers are left alone.
 */
const safeCell = (value: string | number | undefined): string | number | undefined =>
  typeof value === 'string' && /^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(\.\d+)?$/.test(value)
    ? `'${value}`
    : value;

export const csvHeader = (): string => `\uFEFF${stringify([[...CSV_COLUMNS]], { record_delimiter: '\r\n' })}`;

export const csvLines = (items: readonly CallItem[], unmask: boolean): string =>
  stringify(
    items.map((item) => {
      const row = summaryRow(unmask ? item : (maskRecord(item) as CallItem));
      return CSV_COLUMNS.map((column) => safeCell(row[column]));
    }),
    { record_delimiter: '\r\n' },
  );

export const jsonLines = async (
  items: readonly CallItem[],
  targets: Targets,
  unmask: boolean,
): Promise<string> => {
  const objects = s3ObjectStore(targets.s3, targets.bucket);
  const whole = await Promise.all(items.map((item) => reassembleCall(item, objects)));
  return whole
    .map((item) =>
      JSON.stringify(unmask ? item : maskRecord(item), (_key, value) =>
        value instanceof Set ? [...value] : value,
      ),
    )
    .map((line) => `${line}\n`)
    .join('');
};

const write = async (out: Writable, chunk: string) => {
  if (!out.write(chunk)) await once(out, 'drain');
};

export interface ExportOptions {
  readonly company: string;
  readonly from: string;
  readonly to: string;
  readonly job?: string;
  readonly format: (typeof EXPORT_FORMATS)[number];
  readonly out: string;
  readonly unmask: boolean;
  /** Called after each day with the days done and the calls written so far. */
  readonly onProgress?: (progress: { daysDone: number; days: number; calls: number; day: string }) => void;
}

/** Writes the calls of `company` from `from` to `to` to `out`; resolves with how many. */
export const exportCalls = async (
  targets: Targets,
  options: ExportOptions,
): Promise<{ calls: number; days: number; file: string }> => {
  const days = daysBetween(options.from, options.to);
  const out = createWriteStream(options.out);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  const run = async () => {
    let calls = 0;
    if (options.format === 'csv') await write(out, csvHeader());
    for (const [index, day] of days.entries()) {
      for await (const items of callsOfDay(targets, options.company, day, options.job)) {
        await write(
          out,
          options.format === 'csv'
            ? csvLines(items, options.unmask)
            : await jsonLines(items, targets, options.unmask),
        );
        calls += items.length;
      }
      options.onProgress?.({ daysDone: index + 1, days: days.length, calls, day });
    }
    out.end();
    await once(out, 'finish');
    return { calls, days: days.length, file: options.out };
  };
  return Promise.race([run(), failed]);
};
