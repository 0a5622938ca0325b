/**
 * Order-independent, idempotent merging of deliveries into one item, with conditional writes
 * only (no unguarded read-modify-write).
 *
 * - Fast path (one write): assume this delivery is newer than anything the item has seen. The
 *   condition checks exactly that, and that the delivery was not merged before.
 * - Slow path: when the condition fails, DynamoDB returns the item as it was (no extra read).
 *   We compute the precise change from it and write it guarded by the item's delivery count,
 *   which every merge increments, so a concurrent merge makes us recompute rather than clobber.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Delivery } from './delivery.js';
import { Update } from './update.js';

export type Item = Record<string, unknown>;

/** `erased`: merged into an erased call's tombstone, nothing personal written (see personal/tombstone.ts). */
export type MergeOutcome = 'merged' | 'duplicate' | 'erased';

export interface MergeRequest {
  readonly table: string;
  readonly key: Record<string, string>;
  readonly delivery: Delivery;
  /**
   * Adds this delivery's data to `update`. `old` is undefined on the fast path (the delivery is
   * the newest the item will have seen), else the item as it is now (undefined fields if new).
   */
  readonly apply: (update: Update, old: Item | undefined) => void;
  /** Skip the fast path (for data that cannot be merged without reading, e.g. a history map). */
  readonly readFirst?: boolean;
  /**
   * The fast path also requires the item's `attribute` to be older than `version`: the data
   * is ordered by vendor time, which need not follow arrival order.
   */
  readonly newerThan?: { readonly attribute: string; readonly version: string };
  /**
   * The fast path also requires the item not to carry this attribute: an item marked so (an
   * erased call) is merged only knowing what it is, on the slow path.
   */
  readonly fastPathUnless?: string;
}

const MAX_ATTEMPTS = 8;

const bookkeeping = (update: Update, delivery: Delivery, old: Item | undefined): void => {
  const at = delivery.receivedAt;
  update
    .add('deliveries', 1)
    .add('deliveryIds', new Set([delivery.id]))
    .add('sources', new Set([delivery.source]));
  if (old === undefined) {
    update.setIfNotExists('firstReceivedAt', at).set('lastReceivedAt', at);
    return;
  }
  const first = old.firstReceivedAt as string | undefined;
  const last = old.lastReceivedAt as string | undefined;
  if (first === undefined || at < first) update.set('firstReceivedAt', at);
  if (last === undefined || at > last) update.set('lastReceivedAt', at);
};

const wasMerged = (old: Item | undefined, delivery: Delivery): boolean =>
  old?.deliveryIds instanceof Set && old.deliveryIds.has(delivery.id);

export class MergeContentionError extends Error {
  override readonly name = 'MergeContentionError';
}

export const mergeDelivery = async (
  doc: DynamoDBDocumentClient,
  request: MergeRequest,
): Promise<MergeOutcome> => {
  const { table, key, delivery } = request;
  const send = async (update: Update): Promise<{ ok: true } | { ok: false; old: Item | undefined }> => {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          ...update.build(),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { ok: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { ok: false, old: error.Item ? (unmarshall(error.Item) as Item) : undefined };
    }
  };

  let old: Item | undefined;
  if (request.readFirst) {
    const read = await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
    old = read.Item ?? {};
  } else {
    const fast = new Update();
    bookkeeping(fast, delivery, undefined);
    request.apply(fast, undefined);
    fast.when(
      (name, value) =>
        `attribute_not_exists(${name('lastReceivedAt')}) OR ${name('lastReceivedAt')} < ${value(delivery.receivedAt)}`,
    );
    fast.when((name, value) => `NOT contains(${name('deliveryIds')}, ${value(delivery.id)})`);
    const newer = request.newerThan;
    if (newer) {
      fast.when(
        (name, value) =>
          `attribute_not_exists(${name(newer.attribute)}) OR ${name(newer.attribute)} < ${value(newer.version)}`,
      );
    }
    const unless = request.fastPathUnless;
    if (unless) fast.when((name) => `attribute_not_exists(${name(unless)})`);
    const result = await send(fast);
    if (result.ok) return 'merged';
    old = result.old ?? {};
  }

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (wasMerged(old, delivery)) return 'duplicate';
    const slow = new Update();
    bookkeeping(slow, delivery, old);
    request.apply(slow, old);
    const count = old?.deliveries;
    slow.when((name, value) =>
      typeof count === 'number'
        ? `${name('deliveries')} = ${value(count)}`
        : `attribute_not_exists(${name('deliveries')})`,
    );
    const result = await send(slow);
    if (result.ok) return 'merged';
    old = result.old ?? {};
  }
  throw new MergeContentionError(
    `item ${JSON.stringify(key)} kept changing under ${MAX_ATTEMPTS} merge attempts`,
  );
};
