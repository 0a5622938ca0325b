/**
 * A queue and the function that works it: the queue (SSE, TLS only) with its dead-letter queue,
 * the function, and an SQS event source that reports batch item failures, the visibility timeout
 * derived from the function's timeout (AWS guidance: six times). Used by the callbacks pipeline
 * (consume) and the recordings worker.
 *
 * Built in its owner's scope under the ids the owner gives, not as a construct of its own: the
 * resources keep the logical ids they were first deployed with, because a queue replaced by an
 * upgrade would take its messages with it.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.js';
import { queueEncryption } from './encryption.js';
import { ReceiverFunction, type ReceiverFunctionProps } from './lambda-function.js';

/** The visibility timeout of a queue whose consumer may run for `timeout` (AWS guidance for SQS event sources). */
export const visibilityTimeoutFor = (timeout: Duration): Duration =>
  Duration.seconds(timeout.toSeconds() * 6);

export interface QueueWorkerProps {
  /** Ids of the three resources in the owner's scope. */
  readonly ids: { readonly queue: string; readonly dlq: string; readonly worker: string };
  /** What the dead-letter queue holds, for its nag acknowledgements. */
  readonly dlqHolds: string;
  readonly retentionDays: number;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** @default SQS's default (256 KB) */
  readonly maxMessageBytes?: number;
  readonly worker: ReceiverFunctionProps;
  /** The customer-managed key of both queues. @default SQS-managed SSE */
  readonly encryptionKey?: kms.IKey;
  readonly source: {
    readonly batchSize: number;
    readonly maxBatchingWindow?: Duration;
    /** The most concurrent batches the event source runs. */
    readonly maxConcurrency: number;
  };
}

export interface QueueWorker {
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
  readonly worker: ReceiverFunction;
}

export const queueWorker = (scope: Construct, props: QueueWorkerProps): QueueWorker => {
  const dlq = deadLetterQueue(scope, props.ids.dlq, props.dlqHolds, props.encryptionKey);
  const queue = new sqs.Queue(scope, props.ids.queue, {
    ...queueEncryption(props.encryptionKey),
    enforceSSL: true,
    retentionPeriod: Duration.days(props.retentionDays),
    ...(props.maxMessageBytes ? { maxMessageSizeBytes: props.maxMessageBytes } : {}),
    visibilityTimeout: visibilityTimeoutFor(props.worker.timeout),
    deadLetterQueue: { queue: dlq, maxReceiveCount: props.maxReceiveCount },
  });
  const worker = new ReceiverFunction(scope, props.ids.worker, props.worker);
  worker.fn.addEventSource(
    new SqsEventSource(queue, {
      batchSize: props.source.batchSize,
      ...(props.source.maxBatchingWindow ? { maxBatchingWindow: props.source.maxBatchingWindow } : {}),
      maxConcurrency: props.source.maxConcurrency,
      reportBatchItemFailures: true,
    }),
  );
  Validations.of(worker.fn).acknowledge({
    id: 'Serverless-LambdaEventSourceMappingDestination',
    reason:
      "SQS event sources take no on-failure destination; failed messages go to the queue's DLQ after maxReceiveCount.",
  });
  return { queue, dlq, worker };
};
