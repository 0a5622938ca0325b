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
  /** A recovered call whose transcript the platform did not give. */
  readonly transcriptMissing?: true;
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
  ...(meta.transcriptMissing ? { transcriptMissing: true as const } : {}),
});

/** An ISO time with any offset as the UTC form `receivedAt` uses, so the two compare as text. */
const utcIso = (iso: string): string => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString();
};

/**
 * Total order of deliveries of one item. Vendor time beats arrival time: 百应 retries an older
 * delivery after a newer one succeeded, so when the data carries 百应's own time of the change
 * (`vendorTime`: `gmtModified`, `updateTime`, the signed `dateTime`) it decides; receive time
 * only without one. The delivery id breaks ties.
 */
export const versionOf = (delivery: Delivery, vendorTime?: string): string =>
  `${utcIso(vendorTime ?? delivery.receivedAt)}#${delivery.id}`;

/** The newest of some ISO times (any offset), or undefined when there are none. */
export const latestOf = (times: readonly (string | undefined)[]): string | undefined => {
  let latest: string | undefined;
  for (const time of times) {
    if (time !== undefined && (latest === undefined || Date.parse(time) > Date.parse(latest))) latest = time;
  }
  return latest;
};
