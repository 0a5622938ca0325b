/**
 * Drives a consumer handler from an SQS queue the way Lambda's event source mapping does:
 * receive a batch, hand it over as an SQS event, delete what succeeded, leave reported failures
 * to reappear after the visibility timeout (and move to the DLQ after maxReceiveCount).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export interface SqsDriver {
  /** Resolves when the loop has stopped (after the batch in hand is finished). */
  stop(): Promise<void>;
  readonly stats: { batches: number; messages: number; failures: number; handlerErrors: number };
}

export interface SqsDriverOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn?: string;
  readonly handler: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;
  /**
   * Messages per handler call (default 10). SQS returns at most 10 per receive; like Lambda's
   * event source mapping, a larger batch is gathered from several receives.
   */
  readonly batchSize?: number;
  /**
   * How long to keep gathering a batch after its first messages (default 0). Unlike the event
   * source mapping's window, gathering also ends at the first empty receive, so a quiet local
   * stack adds no delay while a busy one hands over full batches, as deployed.
   */
  readonly batchingWindowMs?: number;
  readonly concurrency?: number;
  readonly waitSeconds?: number;
  readonly onError?: (error: unknown) => void;
}

/** An SQS message as Lambda's event source mapping hands it to the function. */
export const toSqsRecord = (message: import('@aws-sdk/client-sqs').Message, queueArn: string): SQSRecord => ({
  messageId: message.MessageId as string,
  receiptHandle: message.ReceiptHandle as string,
  body: message.Body ?? '',
  attributes: {
    ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
    SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
    SenderId: message.Attributes?.SenderId ?? 'local',
    ApproximateFirstReceiveTimestamp:
      message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: message.MD5OfBody ?? '',
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: 'us-east-1',
});

export const startSqsDriver = (options: SqsDriverOptions): SqsDriver => {
  const stats = { batches: 0, messages: 0, failures: 0, handlerErrors: 0 };
  let running = true;
  const queueArn = options.queueArn ?? 'arn:aws:sqs:us-east-1:000000000000:local';

  const batchSize = options.batchSize ?? 10;
  const receive = async (max: number, waitSeconds: number) =>
    (
      await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(10, max),
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['All'],
        }),
      )
    ).Messages ?? [];

  /** A batch: one long poll, then more short receives while they bring messages, the batch has room and the window is open. */
  const gather = async () => {
    const messages = await receive(batchSize, options.waitSeconds ?? 1);
    const until = Date.now() + (options.batchingWindowMs ?? 0);
    while (messages.length > 0 && messages.length < batchSize && Date.now() < until) {
      const more = await receive(batchSize - messages.length, 0);
      if (more.length === 0) break;
      messages.push(...more);
    }
    return messages;
  };

  const loop = async (): Promise<void> => {
    while (running) {
      try {
        const messages = await gather();
        if (messages.length === 0) continue;
        stats.batches++;
        stats.messages += messages.length;
        const records = messages.map((message) => toSqsRecord(message, queueArn));
        let failed: Set<string>;
        try {
          const response = await options.handler({ Records: records });
          failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        } catch (error) {
          // A thrown handler fails the whole batch, as on Lambda.
          stats.handlerErrors++;
          options.onError?.(error);
          failed = new Set(records.map((record) => record.messageId));
        }
        stats.failures += failed.size;
        const done = records.filter((record) => !failed.has(record.messageId));
        // DeleteMessageBatch takes at most 10 entries.
        for (let start = 0; start < done.length; start += 10) {
          await options.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: options.queueUrl,
              Entries: done.slice(start, start + 10).map((record, index) => ({
                Id: String(index),
                ReceiptHandle: record.receiptHandle,
              })),
            }),
          );
        }
      } catch (error) {
        options.onError?.(error);
        if (running) await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };

  const loops = Array.from({ length: options.concurrency ?? 2 }, () => loop());
  return {
    stats,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
};
