/** One delivery of a callback, as the store sees it. */
import { createHash } from 'node:crypto';
import type { ReceiveMeta, Source } from '../queue-message.js';

export interface Delivery {
  /** Short, stable id of the delivery attempt: the same SQS message processed twice has the same id. */
  readonly id: string;
  readonly receivedAt: string;
  readonly source: Source;
  /** Where the raw body is archived: `<s3 key>#<line>`. */
  readonly archive?: string;
}

/**
 * 12 base64url characters of SHA-256 of the request id: enough to tell 27 deliveries apart,
 * small enough that the id set stays a few hundred bytes of the item (items are billed per KB).
 */
export const deliveryIdOf = (requestId: string): string =>
  createHash('sha256').update(requestId).digest('base64url').slice(0, 12);

export const deliveryOf = (meta: ReceiveMeta, archive?: string): Delivery => ({
  id: deliveryIdOf(meta.requestId),
  receivedAt: meta.receivedAt,
  source: meta.source,
  ...(archive ? { archive } : {}),
});

/** Total order of deliveries: receive time, then id for deliveries in the same millisecond. */
export const versionOf = (delivery: Delivery): string => `${delivery.receivedAt}#${delivery.id}`;
