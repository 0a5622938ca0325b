/**
 * What `records call|inbound|job|list` print: an item's attributes in a stable, logical order —
 * ids and state, times, the customer, results, transcript, recordings, bookkeeping last — rather
 * than DynamoDB's arbitrary one. Every attribute of the item types is placed (the compiler checks
 * the lists against store/items.ts); anything unlisted follows, alphabetically.
 */
import type { CallItem, JobItem, StoredCallRecord } from '../../functions/commons/store/items.js';

/** What identifies a call and where it stands: first in an item, and the first CSV columns of an export. */
export const CALL_IDENTITY = ['callId', 'direction', 'platform', 'companyId', 'callJobId', 'state'] as const;

/** How the item's data arrived: last in every item. */
const BOOKKEEPING = ['deliveries', 'sources', 'firstReceivedAt', 'lastReceivedAt', 'deliveryIds'] as const;

const CALL_ORDER = [
  ...['pk', ...CALL_IDENTITY, 'sortTime', 'companyDate', 'erasedAt'],
  ...['intent', 'manualIntent', 'manualResults', 'manualChange'],
  ...['record', 'transcriptMissing', 'missing', 'firstListedAt', 'lastListedAt'],
  ...['recordings', 'recordOverflowKey', 'recordOverflow'],
  ...[...BOOKKEEPING, 'recordVersion', 'recordArchive', 'manualArchive', 'phoneHash', 'expiresAt'],
] as const satisfies readonly (keyof CallItem)[];

const JOB_ORDER = [
  ...['pk', 'callJobId', 'platform', 'companyId', 'status', 'history', 'job'],
  ...[...BOOKKEEPING, 'statusVersion', 'jobArchive', 'expiresAt'],
] as const satisfies readonly (keyof JobItem)[];

/** The record's own fields, grouped the same way; the open platform's and rarer ones follow alphabetically. */
const RECORD_ORDER = [
  ...['kind', 'platform', 'direction', 'callId', 'companyId', 'callJobId', 'jobName'],
  ...['status', 'finishStatus', 'hangUp'],
  ...['startTime', 'endTime', 'durationSeconds', 'chatRound', 'createdAt', 'modifiedAt'],
  ...['customerTelephone', 'customerName', 'customerId', 'callerPhone', 'calleePhone'],
  ...['intent', 'labels', 'results', 'properties', 'propertiesMap', 'userProperties'],
  ...['transcript', 'recordingUrl', 'customerRecordingUrl', 'transcriptRecordingUrl'],
] as const satisfies readonly (keyof StoredCallRecord)[];

/** Last in a record: what the reader noted, and what it kept as sent. */
const RECORD_LAST = [
  'warnings',
  'extra',
  'unreadable',
] as const satisfies readonly (keyof StoredCallRecord)[];

// A new attribute in an item type fails to compile here until it is given its place above.
type Unplaced<T, K extends readonly PropertyKey[]> = Exclude<keyof T, K[number]>;
const everyCallAttributePlaced: [Unplaced<CallItem, typeof CALL_ORDER>] extends [never] ? true : never = true;
const everyJobAttributePlaced: [Unplaced<JobItem, typeof JOB_ORDER>] extends [never] ? true : never = true;

const ordered = <T extends object>(value: T, first: readonly string[], last: readonly string[] = []): T => {
  const entries = Object.entries(value);
  const rank = (key: string): [number, string] => {
    const at = first.indexOf(key);
    if (at >= 0) return [at, ''];
    const end = last.indexOf(key);
    return end >= 0 ? [first.length + 1 + end, ''] : [first.length, key];
  };
  entries.sort(([a], [b]) => {
    const [ra, ka] = rank(a);
    const [rb, kb] = rank(b);
    return ra - rb || ka.localeCompare(kb);
  });
  return Object.fromEntries(entries) as T;
};

export const orderedCall = (item: CallItem): CallItem => {
  if (!everyCallAttributePlaced) return item;
  const call = ordered(item, CALL_ORDER);
  return call.record ? { ...call, record: ordered(call.record, RECORD_ORDER, RECORD_LAST) } : call;
};

export const orderedJob = (item: JobItem): JobItem =>
  everyJobAttributePlaced ? ordered(item, JOB_ORDER) : item;
