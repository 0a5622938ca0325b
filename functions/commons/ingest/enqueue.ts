/** Puts one received body on the queue, through the claim check when it is too large. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MESSAGE_VERSION, type QueueMessage, type ReceiveMeta } from '../queue-message.js';
import { type ClaimStore, claimKey } from './claim-check.js';

export type Enqueuer = (meta: ReceiveMeta, body: string) => Promise<{ messageId: string; claimed: boolean }>;

export const createEnqueuer = (options: {
  sqs: Pick<SQSClient, 'send'>;
  queueUrl: string;
  claims: ClaimStore;
  /** Messages larger than this go through the claim check. */
  maxMessageBytes: number;
}): Enqueuer => {
  const send = async (message: QueueMessage): Promise<string> => {
    const result = await options.sqs.send(
      new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: JSON.stringify(message) }),
    );
    if (!result.MessageId) throw new Error('SQS accepted no message id');
    return result.MessageId;
  };
  return async (meta, body) => {
    const inline: QueueMessage = { v: MESSAGE_VERSION, meta, body };
    if (Buffer.byteLength(JSON.stringify(inline), 'utf8') <= options.maxMessageBytes) {
      return { messageId: await send(inline), claimed: false };
    }
    const claim = await options.claims.put(claimKey(meta.receivedAt, meta.requestId), body);
    const bytes = Buffer.byteLength(body, 'utf8');
    return { messageId: await send({ v: MESSAGE_VERSION, meta, claim: { ...claim, bytes } }), claimed: true };
  };
};
