/**
 * Merging call records and manual intent changes into the `calls` table (one item per call).
 *
 * Item: `pk` (`out#<id>` / `in#<id>`), `platform` (`classic` | `open`), `direction`, `callId`, `companyId`, `callJobId`,
 * `companyDate` / `jobShard` + `sortTime` (indexes, sharded: store/shards.ts), `phoneHash` (index
 * byPhone), `expiresAt` (TTL), `erasedAt` (a tombstone, personal/tombstone.ts), `state` (RECORDED | MANUAL_ONLY | MISSING), `record`
 * (the normalized call; its largest parts in S3 when it is too big, see `recordOverflow`),
 * `manualIntent` (newest manual level), `manualResults` (newest manual result per result name),
 * `manualChange` (warnings, extra fields and times of the newest manual change), `intent` (the
 * effective level), bookkeeping (`deliveries`, `deliveryIds`, `sources`, `firstReceivedAt`,
 * `lastReceivedAt`) and pointers to the archived raw bodies (`recordArchive`, `manualArchive`).
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beijingIsoFromEpochMs } from '../contract/time.js';
import type { CallRecord, ManualIntentRecord } from '../contract/types.js';
import { TTL_ATTRIBUTE } from '../definitions.js';
import type { ObjectStore } from '../object-store.js';
import { type DataPolicy, expiresAtOf, phoneHashOf } from '../personal/policy.js';
import { ERASED_AT, tombstoneRecord } from '../personal/tombstone.js';
import { type Delivery, latestOf, versionOf } from './delivery.js';
import { CALL_STATES, type StoredIntent, type StoredManualResult } from './items.js';
import { beijingDate, callKey, companyDateOf, jobShardOf } from './keys.js';
import { DEFAULT_INDEX_SHARDS, shardOf } from './shards.js';

export { CALL_STATES };

import { type Item, type MergeOutcome, mergeDelivery } from './merge.js';
import { splitRecord, writeOverflow } from './overflow.js';
import { storable } from './storable.js';
import type { Update } from './update.js';

/** Where call items live, and where the large parts of oversized calls go. */
export interface CallsTarget {
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
  readonly objects: ObjectStore;
  /** Retention and the phone hash; absent (unit tests), items get neither `expiresAt` nor `phoneHash`. */
  readonly policy?: DataPolicy;
  /** Shards of the index keys (store/shards.ts). @default DEFAULT_INDEX_SHARDS */
  readonly shards?: number;
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

/** 百应's own time of the call data: `gmtModified`, else the signed `dateTime`. */
export const callVendorTime = (record: CallRecord): string | undefined =>
  record.modifiedAt ?? record.signedAt;

/**
 * The index time of a call: when it started, else ended, else was created at 百应 — the same on
 * every redelivery of the same data. Undefined when the data has none of them.
 */
export const callTimeOf = (record: CallRecord): string | undefined =>
  record.startTime ?? record.endTime ?? record.createdAt;

const receivedSortTime = (delivery: Delivery): string =>
  beijingIsoFromEpochMs(Date.parse(delivery.receivedAt));

/**
 * Files the item under a day, and dates its expiry from the same time. With a call time both are
 * set (and move an item filed by receive time to the call's own day); without one, the first
 * receive time is kept, so a redelivery that crosses midnight does not move the call.
 */
const fileUnder = (
  update: Update,
  target: CallsTarget,
  call: { readonly callId: string; readonly companyId?: string | undefined },
  callTime: string | undefined,
  delivery: Delivery,
) => {
  const { policy } = target;
  const { companyId } = call;
  const shard = shardOf(call.callId, target.shards ?? DEFAULT_INDEX_SHARDS);
  if (callTime !== undefined) {
    update.set('sortTime', callTime);
    if (companyId) update.set('companyDate', companyDateOf(companyId, beijingDate(callTime), shard));
    const expiresAt = expiresAtOf(policy, callTime);
    if (expiresAt !== undefined) update.set(TTL_ATTRIBUTE, expiresAt);
    return;
  }
  const fallback = receivedSortTime(delivery);
  update.setIfNotExists('sortTime', fallback);
  if (companyId) update.setIfNotExists('companyDate', companyDateOf(companyId, beijingDate(fallback), shard));
  const expiresAt = expiresAtOf(policy, delivery.receivedAt);
  if (expiresAt !== undefined) update.setIfNotExists(TTL_ATTRIBUTE, expiresAt);
};

/** Whether the call is erased, read before anything is written to S3 for it. */
const isErased = async (target: CallsTarget, key: string): Promise<boolean> => {
  const read = await target.doc.send(
    new GetCommand({
      TableName: target.table,
      Key: { pk: key },
      ProjectionExpression: '#erased',
      ExpressionAttributeNames: { '#erased': ERASED_AT },
      ConsistentRead: true,
    }),
  );
  return read.Item?.[ERASED_AT] !== undefined;
};

export const mergeCall = async (
  target: CallsTarget,
  record: CallRecord,
  delivery: Delivery,
): Promise<MergeOutcome> => {
  const version = versionOf(delivery, callVendorTime(record));
  const key = callKey(record.direction, record.callId);
  // The top-level `intent` is authoritative; the stored record keeps only what the record itself said.
  const { effective: _effective, ...ownIntent } = record.intent;
  const whole = storable({ ...record, intent: ownIntent }) as Item;
  const split = splitRecord(whole);
  // Written before the item, so a pointer never names a missing object; never for an erased call.
  const overflow =
    split.moved && !(await isErased(target, key))
      ? await writeOverflow(target.objects, key, split.moved)
      : undefined;
  let erased = false;
  const apply = (update: Update, old: Item | undefined): void => {
    if (old !== undefined && !isNewer(version, old.recordVersion)) return;
    // An erased call takes the delivery's facts and nothing personal (personal/tombstone.ts).
    erased = old?.[ERASED_AT] !== undefined;
    update
      .set('record', erased ? tombstoneRecord(whole) : split.inline)
      .set('recordVersion', version)
      .set('state', CALL_STATES.recorded)
      .set('platform', record.platform)
      .set('direction', record.direction)
      .set('callId', record.callId)
      .setFromOr('intent', 'manualIntent', recordIntent(record))
      // A reconciler MISSING marker is replaced by the real record.
      .remove('missing');
    if (overflow && !erased) update.set('recordOverflow', overflow);
    else update.remove('recordOverflow');
    if (!erased && target.policy) {
      const phoneHash = phoneHashOf(target.policy, { direction: record.direction, record: whole });
      if (phoneHash) update.set('phoneHash', phoneHash);
      else update.remove('phoneHash');
    }
    // A call the reconciler recovered without its transcript says so until a delivery brings one.
    if (delivery.transcriptMissing) update.set('transcriptMissing', true);
    else update.remove('transcriptMissing');
    if (record.companyId) update.set('companyId', record.companyId);
    fileUnder(update, target, record, callTimeOf(record), delivery);
    if (record.callJobId) {
      const shard = shardOf(record.callId, target.shards ?? DEFAULT_INDEX_SHARDS);
      update.set('callJobId', record.callJobId).set('jobShard', jobShardOf(record.callJobId, shard));
    }
    if (delivery.archive) update.set('recordArchive', delivery.archive);
  };
  const outcome = await mergeDelivery(target.doc, {
    table: target.table,
    key: { pk: key },
    delivery,
    apply,
    newerThan: { attribute: 'recordVersion', version },
    fastPathUnless: ERASED_AT,
  });
  return outcome === 'merged' && erased ? 'erased' : outcome;
};

/** 百应's own time of a manual change: the newest `gmtModified` of its results, else the signed `dateTime`. */
export const manualVendorTime = (change: ManualIntentRecord): string | undefined =>
  latestOf(change.results.map((result) => result.modifiedAt)) ?? change.signedAt;

const UNNAMED_RESULT = '(unnamed)';

/**
 * A manual change names its call by `sceneInstanceId` under dataType CALL_INSTANCE_RESULT, i.e.
 * an outbound call. It may arrive before the record; the item then holds only the change
 * (state MANUAL_ONLY) until the record joins it. Results merge by result name, newest (by
 * vendor time) per name: a change that sets only a label keeps the level the call had.
 */
export const mergeManualIntent = async (
  target: CallsTarget,
  change: ManualIntentRecord,
  delivery: Delivery,
): Promise<MergeOutcome> => {
  const version = versionOf(delivery, manualVendorTime(change));
  let erased = false;
  const apply = (update: Update, old: Item | undefined): void => {
    // An erased call keeps the level of a later change, not its results or extra fields.
    erased = old?.[ERASED_AT] !== undefined;
    update
      // Manual changes exist only on the classic platform.
      .setIfNotExists('platform', 'classic')
      .setIfNotExists('direction', 'outbound')
      .setIfNotExists('callId', change.callId)
      .setIfNotExists('state', CALL_STATES.manualOnly);
    if (change.companyId) update.setIfNotExists('companyId', change.companyId);
    // Filed by receive time until the record brings the call's own time.
    fileUnder(update, target, change, undefined, delivery);

    // Items written before results were kept by name hold a list: start those afresh.
    const kept = old?.manualResults;
    const results: Record<string, StoredManualResult> =
      kept !== null && typeof kept === 'object' && !Array.isArray(kept)
        ? { ...(kept as Record<string, StoredManualResult>) }
        : {};
    let resultsChanged = false;
    for (const result of change.results) {
      const name = result.name ?? UNNAMED_RESULT;
      if (!isNewer(version, results[name]?.version)) continue;
      results[name] = { ...result, changedAt: delivery.receivedAt, version };
      resultsChanged = true;
    }
    if (resultsChanged && !erased) update.set('manualResults', storable(results));

    if (change.intent && isNewer(version, (old?.manualIntent as StoredIntent | undefined)?.version)) {
      const manual: StoredIntent = {
        ...change.intent,
        source: 'manual',
        changedAt: delivery.receivedAt,
        version,
      };
      update.set('manualIntent', storable(manual)).set('intent', storable(manual));
    }

    const lastChange = (old?.manualChange as { version?: string } | undefined)?.version;
    if (!erased && isNewer(version, lastChange)) {
      const { warnings, extra, unreadable, signedAt } = change;
      update.set(
        'manualChange',
        storable({ version, changedAt: delivery.receivedAt, signedAt, warnings, extra, unreadable }),
      );
      if (delivery.archive) update.set('manualArchive', delivery.archive);
    }
  };
  const outcome = await mergeDelivery(target.doc, {
    table: target.table,
    key: { pk: callKey('outbound', change.callId) },
    delivery,
    apply,
    readFirst: true,
  });
  return outcome === 'merged' && erased ? 'erased' : outcome;
};
