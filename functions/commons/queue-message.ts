/**
 * What ingest puts on the queue and consume takes off it: the raw body exactly as received (or a
 * claim-check pointer to it in S3) plus how it was received. The reconciler and the replay CLI
 * enqueue the same shape with their own `source`.
 *
 * Written as v1, one JSON object: `{"v":1,"meta":{…},"body":"<the body as a JSON string>"}` (or
 * `"claim"` instead of the body). Consume also reads v2, `{"v":2,"n":<length>,"meta":{…},"json":
 * <the body itself>}`, which earlier versions wrote for bodies JSON.parse read as sent: SQS keeps a
 * message (and its DLQ copy) for 14 days, so a message written before an upgrade is still read
 * after it. In v2, `n` is the body's length in UTF-16 code units: the body is the message's last
 * `n` characters before the closing brace, exactly as received.
 */
import * as v from 'valibot';
import { sqsSafeJson } from './sqs-safe-json.js';

export const MESSAGE_VERSION = 1;
/** Written by earlier versions only; still read. */
const VERBATIM_VERSION = 2;

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
  /** The reconciler recovered the call without its transcript (the platform gave none): the item says so. */
  transcriptMissing: v.optional(v.literal(true)),
});

export const queueMessageSchema = v.object({
  v: v.literal(MESSAGE_VERSION),
  meta: receiveMetaSchema,
  body: v.optional(v.string()),
  claim: v.optional(v.object({ bucket: v.string(), key: v.string(), bytes: v.number() })),
});

export type ReceiveMeta = v.InferOutput<typeof receiveMetaSchema>;
export type QueueMessage = v.InferOutput<typeof queueMessageSchema>;

/** A message as consume reads it, whichever encoding carried it. */
export interface DecodedMessage {
  readonly meta: ReceiveMeta;
  readonly body?: string | undefined;
  readonly claim?: QueueMessage['claim'];
}

/** The message for a delivery: its body inline, or the claim-check pointer to it. SQS-safe JSON. */
export const encodeQueueMessage = (
  meta: ReceiveMeta,
  content: { readonly body: string } | { readonly claim: NonNullable<QueueMessage['claim']> },
): string => sqsSafeJson({ v: MESSAGE_VERSION, meta, ...content } satisfies QueueMessage);

const BODY_KEY = ',"json":';
const VERBATIM_HEAD = /^\{"v":2,"n":(\d{1,8}),"meta":/;
const verbatimHeadSchema = v.object({
  v: v.literal(VERBATIM_VERSION),
  n: v.number(),
  meta: receiveMetaSchema,
});

/** Reads either version; undefined for anything that is not one of our messages. Never throws. */
export const decodeQueueMessage = (raw: string): DecodedMessage | undefined => {
  try {
    const head = VERBATIM_HEAD.exec(raw);
    if (!head) {
      const result = v.safeParse(queueMessageSchema, JSON.parse(raw));
      return result.success ? result.output : undefined;
    }
    const start = raw.length - 1 - Number(head[1]);
    if (
      start - BODY_KEY.length < head[0].length ||
      !raw.endsWith('}') ||
      !raw.startsWith(BODY_KEY, start - BODY_KEY.length)
    ) {
      return undefined;
    }
    const result = v.safeParse(verbatimHeadSchema, JSON.parse(`${raw.slice(0, start - BODY_KEY.length)}}`));
    return result.success ? { meta: result.output.meta, body: raw.slice(start, -1) } : undefined;
  } catch {
    return undefined;
  }
};
