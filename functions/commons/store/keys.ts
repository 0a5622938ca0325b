/** Item keys and index attributes, in one place so writers and readers agree. */
import type { CallRecord, NormalizedRecord } from '../contract/types.js';
import { allShards } from './shards.js';

export type Direction = CallRecord['direction'];

export const callKey = (direction: Direction, callId: string): string =>
  `${direction === 'outbound' ? 'out' : 'in'}#${callId}`;

export const jobKey = (callJobId: string): string => `job#${callJobId}`;

/** Beijing calendar day of an ISO time that carries `+08:00`, or of a UTC instant. */
export const beijingDate = (iso: string): string => {
  if (iso.endsWith('+08:00')) return iso.slice(0, 10);
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);
};

/** `byCompanyDate` key of one shard of a company's day: `<companyId>#<yyyy-MM-dd>#<shard>`. */
export const companyDateOf = (companyId: string, date: string, shard: number): string =>
  `${companyId}#${date}#${shard}`;

/** The unsharded key an earlier version wrote (`<companyId>#<yyyy-MM-dd>`): readers still ask it. */
export const legacyCompanyDateOf = (companyId: string, date: string): string => `${companyId}#${date}`;

/** Every `byCompanyDate` key a company's day may be under: the earlier unsharded one, then each shard. */
export const companyDateKeys = (companyId: string, date: string, shards: number): string[] => [
  legacyCompanyDateOf(companyId, date),
  ...allShards(shards).map((shard) => companyDateOf(companyId, date, shard)),
];

/** `byJobShard` key of one shard of a job: `<callJobId>#<shard>`. */
export const jobShardOf = (callJobId: string, shard: number): string => `${callJobId}#${shard}`;

export const jobShardKeys = (callJobId: string, shards: number): string[] =>
  allShards(shards).map((shard) => jobShardOf(callJobId, shard));

/** The key of the item a normalized record merges into. */
export const itemKeyOf = (record: NormalizedRecord): string => {
  switch (record.kind) {
    case 'call':
      return callKey(record.direction, record.callId);
    case 'manualIntent':
      return callKey('outbound', record.callId);
    case 'job':
      return jobKey(record.callJobId);
  }
};
