/** Puts one received body on the queue, through the claim check when it is too large. */
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QUEUE } from '../definitions.js';
import { encodeQueueMessage, type ReceiveMeta } from '../queue-message.js';
import { type ClaimStore, claimKey, s3ClaimStore } from './claim-check.js';

export type Enqueuer = (meta: ReceiveMeta, body: string) => Promise<{ messageId: string; claimed: boolean }>;

export const createEnqueuer = (options: {
  sqs: Pick<SQSClient, 'send'>;
  queueUrl: string;
  claims: ClaimStore;
  /** Messages larger than this go through the claim check. */
  maxMessageBytes: number;
}): Enqueuer => {
  const send = async (messageBody: string): Promise<string> => {
    const result = await options.sqs.send(
      new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: messageBody }),
    );
    if (!result.MessageId) throw new Error('SQS accepted no message id');
    return result.MessageId;
  };
  return async (meta, body) => {
    const inline = encodeQueueMessage(meta, { body });
    if (Buffer.byteLength(inline, 'utf8') <= options.maxMessageBytes) {
      return { messageId: await send(inline), claimed: false };
    }
    const claim = await options.claims.put(claimKey(meta.receivedAt, meta.requestId), body);
    const pointer = encodeQueueMessage(meta, { claim: { ...claim, bytes: Buffer.byteLength(body, 'utf8') } });
    return { messageId: await send(pointer), claimed: true };
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
