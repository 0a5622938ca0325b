/**
 * Merging call records and manual intent changes into the `calls` table (one item per call).
 *
 * Item: `pk` (`out#<id>` / `in#<id>`), `direction`, `callId`, `companyId`, `callJobId`,
 * `companyDate` + `sortTime` (indexes), `state` (RECORDED | MANUAL_ONLY | MISSING), `record`
 * (the normalized call), `manualIntent` (newest manual change), `intent` (the effective level),
 * bookkeeping (`deliveries`, `deliveryIds`, `sources`, `firstReceivedAt`, `lastReceivedAt`) and
 * pointers to the archived raw bodies (`recordArchive`, `manualArchive`).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beijingIsoFromEpochMs } from '../contract/time.js';
import type { CallRecord, IntentLevel, ManualIntentRecord } from '../contract/types.js';
import { type Delivery, versionOf } from './delivery.js';
import { beijingDate, callKey, companyDateOf } from './keys.js';
import { type Item, type MergeOutcome, mergeDelivery } from './merge.js';
import { assertFits, storable } from './storable.js';
import type { Update } from './update.js';

export const CALL_STATES = { recorded: 'RECORDED', manualOnly: 'MANUAL_ONLY', missing: 'MISSING' } as const;

/** The effective intent as stored at the top level; a manual change carries when and which delivery set it. */
export interface StoredIntent extends IntentLevel {
  readonly source: 'ai' | 'manual';
  readonly changedAt?: string;
  readonly version?: string;
}

const isNewer = (version: string, current: unknown): boolean =>
  typeof current !== 'string' || version > current;

/** The record's own intent (AI, or a manual level carried on the record) as the fallback when no manual change is stored. */
const recordIntent = (record: CallRecord): StoredIntent | null => {
  const { manual, ai } = record.intent;
  if (manual) return { ...manual, source: 'manual' };
  if (ai) return { ...ai, source: 'ai' };
  return null;
};

export const mergeCall = (
  doc: DynamoDBDocumentClient,
  table: string,
  record: CallRecord,
  delivery: Delivery,
): Promise<MergeOutcome> => {
  const version = versionOf(delivery);
  // The top-level `intent` is authoritative; the stored record keeps only what the record itself said.
  const { effective: _effective, ...ownIntent } = record.intent;
  const stored = storable({ ...record, intent: ownIntent }) as Item;
  assertFits(`call ${record.callId}`, stored);
  const sortTime = record.startTime ?? beijingIsoFromEpochMs(Date.parse(delivery.receivedAt));
  const apply = (update: Update, old: Item | undefined): void => {
    if (old !== undefined && !isNewer(version, old.recordVersion)) return;
    update
      .set('record', stored)
      .set('recordVersion', version)
      .set('state', CALL_STATES.recorded)
      .set('direction', record.direction)
      .set('callId', record.callId)
      .set('sortTime', sortTime)
      .setFromOr('intent', 'manualIntent', recordIntent(record))
      // A reconciler MISSING marker is replaced by the real record.
      .remove('missing');
    if (record.companyId) {
      update
        .set('companyId', record.companyId)
        .set('companyDate', companyDateOf(record.companyId, beijingDate(sortTime)));
    }
    if (record.callJobId) update.set('callJobId', record.callJobId);
    if (delivery.archive) update.set('recordArchive', delivery.archive);
  };
  return mergeDelivery(doc, {
    table,
    key: { pk: callKey(record.direction, record.callId) },
    delivery,
    apply,
  });
};

/**
 * A manual change names its call by `sceneInstanceId` under dataType CALL_INSTANCE_RESULT, i.e.
 * an outbound call. It may arrive before the record; the item then holds only the change
 * (state MANUAL_ONLY) until the record joins it.
 */
export const mergeManualIntent = (
  doc: DynamoDBDocumentClient,
  table: string,
  change: ManualIntentRecord,
  delivery: Delivery,
): Promise<MergeOutcome> => {
  const version = versionOf(delivery);
  const manual: StoredIntent = {
    ...change.intent,
    source: 'manual',
    changedAt: delivery.receivedAt,
    version,
  };
  const apply = (update: Update, old: Item | undefined): void => {
    update
      .setIfNotExists('direction', 'outbound')
      .setIfNotExists('callId', change.callId)
      .setIfNotExists('state', CALL_STATES.manualOnly);
    if (change.companyId) update.setIfNotExists('companyId', change.companyId);
    const current = (old?.manualIntent as StoredIntent | undefined)?.version;
    if (old !== undefined && !isNewer(version, current)) return;
    update
      .set('manualIntent', storable(manual))
      .set('intent', storable(manual))
      .set('manualResults', storable(change.results));
    if (delivery.archive) update.set('manualArchive', delivery.archive);
  };
  return mergeDelivery(doc, { table, key: { pk: callKey('outbound', change.callId) }, delivery, apply });
};
