/**
 * What an erased call keeps. The item stays (so counts, job progress and a later delivery still
 * line up) with the facts that say nothing about the person: ids, company, job, times, outcome,
 * intent level, duration. Everything else a record holds — numbers, names, what was said, the
 * CRM's properties, links to the voice, fields 百应 sent that we do not know — goes. A list of
 * what stays, not of what goes: a field 百应 adds tomorrow is erased without a code change.
 */
import type { Intent, IntentLevel } from '../contract/types.js';
import type { CallItem, MissingMarker } from '../store/items.js';

/** The record fields a tombstone keeps. */
export const KEPT_RECORD_FIELDS = [
  'kind',
  'platform',
  'direction',
  'callId',
  'companyId',
  'callJobId',
  'jobName',
  'status',
  'finishStatus',
  'hangUp',
  'transferStatus',
  'durationSeconds',
  'chatRound',
  'startTime',
  'endTime',
  'createdAt',
  'modifiedAt',
  'callType',
  'callIndex',
  'calledTimes',
  'jobFinished',
  'transferred',
  'lineIn',
  'takeover',
  'robotDefId',
  'robotDefName',
  'sceneDefId',
  'scriptName',
  'costFen',
  'signed',
  'signedAt',
] as const;

/**
 * Item attributes removed on erasure (the record is replaced by its tombstone): the large parts
 * of the record, the recordings' links and keys, the manual results (free text a person typed
 * about the call) and the keyed hash that found the call.
 */
export const ERASED_ATTRIBUTES = [
  'recordOverflow',
  'recordings',
  'manualResults',
  'manualChange',
  'phoneHash',
] as const;

/** The attribute that marks an erased call: when it was erased (ISO). */
export const ERASED_AT = 'erasedAt';

const levelOnly = (level: IntentLevel | undefined): IntentLevel | undefined => {
  if (!level) return undefined;
  const kept: Record<string, unknown> = {};
  for (const key of ['level', 'value', 'description', 'changedAt', 'source'] as const) {
    const value = (level as Record<string, unknown>)[key];
    if (value !== undefined) kept[key] = value;
  }
  return kept as IntentLevel;
};

/** A record (stored or just read) reduced to what a tombstone keeps. */
export const tombstoneRecord = (record: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const kept: Record<string, unknown> = {};
  for (const field of KEPT_RECORD_FIELDS) if (record[field] !== undefined) kept[field] = record[field];
  const intent = record.intent as Intent | undefined;
  if (intent) {
    const ai = levelOnly(intent.ai);
    const manual = levelOnly(intent.manual);
    kept.intent = { ...(ai ? { ai } : {}), ...(manual ? { manual } : {}) };
  }
  return kept;
};

/** A MISSING marker without the number it listed. */
export const tombstoneMarker = (missing: MissingMarker): MissingMarker => {
  const { customerTelephone: _phone, ...rest } = missing;
  return rest;
};

/**
 * The customer's number on a call, as the index hashes it: `customerTelephone`, else the far end
 * (the callee of an outbound call, the caller of an inbound one; the near end is the company's
 * own line), else the number a MISSING marker listed. The first that reads as a number wins.
 */
export const customerPhonesOf = (
  item: Pick<CallItem, 'direction' | 'missing'> & {
    readonly record?: Readonly<Record<string, unknown>> | undefined;
  },
): unknown[] => {
  const record = item.record ?? {};
  const farEnd = item.direction === 'inbound' ? record.callerPhone : record.calleePhone;
  return [record.customerTelephone, farEnd, item.missing?.customerTelephone].filter(
    (value) => value !== undefined && value !== null,
  );
};
