/**
 * What ingest puts on the queue and consume takes off it: the raw body exactly as received
 * (or a claim-check pointer to it in S3) plus how it was received. The reconciler enqueues the
 * same shape with `source: reconciler`.
 */
import * as v from 'valibot';

export const MESSAGE_VERSION = 1;

export const SOURCES = ['callback', 'reconciler'] as const;
export type Source = (typeof SOURCES)[number];

export const receiveMetaSchema = v.object({
  /** API Gateway's request id (or the reconciler's fetch id): one per delivery attempt. */
  requestId: v.pipe(v.string(), v.nonEmpty()),
  /** When the delivery arrived, ISO-8601 UTC with milliseconds. */
  receivedAt: v.pipe(v.string(), v.isoTimestamp()),
  source: v.picklist(SOURCES),
  sourceIp: v.optional(v.string()),
  /** `call` or `job`: which URL received it (the logical route; never the path, which may hold a secret). */
  route: v.optional(v.string()),
  contentType: v.optional(v.string()),
  /** `data.dataType` as ingest saw it; consume dispatches on the body, not on this. */
  dataType: v.optional(v.string()),
  /** Ingest refused the body (400) but kept it, so consume quarantines it. */
  rejected: v.optional(v.string()),
  /** `base64`: the body's bytes could not be decoded as text and are kept base64-encoded. */
  bodyEncoding: v.optional(v.literal('base64')),
});

export const queueMessageSchema = v.object({
  v: v.literal(MESSAGE_VERSION),
  meta: receiveMetaSchema,
  body: v.optional(v.string()),
  claim: v.optional(v.object({ bucket: v.string(), key: v.string(), bytes: v.number() })),
});

export type ReceiveMeta = v.InferOutput<typeof receiveMetaSchema>;
export type QueueMessage = v.InferOutput<typeof queueMessageSchema>;
