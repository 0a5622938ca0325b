/** Item keys and index attributes, in one place so writers and readers agree. */
import type { CallRecord, NormalizedRecord } from '../contract/types.js';

export type Direction = CallRecord['direction'];

export const callKey = (direction: Direction, callId: string): string =>
  `${direction === 'outbound' ? 'out' : 'in'}#${callId}`;

export const jobKey = (callJobId: string): string => `job#${callJobId}`;

/** Beijing calendar day of an ISO time that carries `+08:00`, or of a UTC instant. */
export const beijingDate = (iso: string): string => {
  if (iso.endsWith('+08:00')) return iso.slice(0, 10);
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);
};

export const companyDateOf = (companyId: string, date: string): string => `${companyId}#${date}`;

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
