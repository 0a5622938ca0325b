/** Puts one received body on the queue, through the claim check when it is too large. */
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QUEUE } from '../definitions.js';
import { MESSAGE_VERSION, type QueueMessage, type ReceiveMeta, verbatimMessage } from '../queue-message.js';
import { sqsSafeJson } from '../sqs-safe-json.js';
import { type ClaimStore, claimKey, s3ClaimStore } from './claim-check.js';

export interface EnqueueOptions {
  /**
   * The caller has read the body with `JSON.parse` as it is (no repair): it can travel unescaped
   * (message v2, see queue-message.ts). Ingest knows this from its envelope check.
   */
  readonly parsesAsJson?: boolean;
  /** The caller has checked that the body holds no character SQS refuses (ingest's envelope scan). */
  readonly sqsSafe?: boolean;
}

export type Enqueuer = (
  meta: ReceiveMeta,
  body: string,
  options?: EnqueueOptions,
) => Promise<{ messageId: string; claimed: boolean }>;

export const createEnqueuer = (options: {
  sqs: Pick<SQSClient, 'send'>;
  queueUrl: string;
  claims: ClaimStore;
  /** Messages larger than this go through the claim check. */
  maxMessageBytes: number;
}): Enqueuer => {
  // Not an async function of its own: one promise less per request on ingest's hot path.
  const send = (messageBody: string) =>
    options.sqs.send(new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: messageBody }));
  const idOf = (result: { MessageId?: string | undefined }): string => {
    if (!result.MessageId) throw new Error('SQS accepted no message id');
    return result.MessageId;
  };
  return async (meta, body, enqueueOptions) => {
    // Serialized once: the same string is measured and sent (this is ingest's hot path).
    const inline =
      (enqueueOptions?.parsesAsJson ? verbatimMessage(meta, body, enqueueOptions.sqsSafe) : undefined) ??
      sqsSafeJson({ v: MESSAGE_VERSION, meta, body } satisfies QueueMessage);
    // A UTF-16 code unit is at most 3 UTF-8 bytes: most messages need no byte count at all.
    if (
      inline.length * 3 <= options.maxMessageBytes ||
      Buffer.byteLength(inline, 'utf8') <= options.maxMessageBytes
    ) {
      return { messageId: idOf(await send(inline)), claimed: false };
    }
    const claim = await options.claims.put(claimKey(meta.receivedAt, meta.requestId), body);
    const bytes = Buffer.byteLength(body, 'utf8');
    const claimed: QueueMessage = { v: MESSAGE_VERSION, meta, claim: { ...claim, bytes } };
    return { messageId: idOf(await send(sqsSafeJson(claimed))), claimed: true };
  };
};

/**
 * The enqueuer ingest, the reconciler and the replay CLI use: the pipeline's queue, with the
 * claim check in `bucket` for bodies over `QUEUE.inlineMessageBytes`.
 */
export const queueEnqueuer = (options: {
  sqs: Pick<SQSClient, 'send'>;
  queueUrl: string;
  bucket: string;
  /** S3 client settings for the claim check (see s3-config.ts). */
  s3?: S3ClientConfig;
  maxMessageBytes?: number;
}): Enqueuer =>
  createEnqueuer({
    sqs: options.sqs,
    queueUrl: options.queueUrl,
    claims: s3ClaimStore(options.bucket, options.s3),
    maxMessageBytes: options.maxMessageBytes ?? QUEUE.inlineMessageBytes,
  });
