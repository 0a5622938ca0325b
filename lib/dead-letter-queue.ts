/**
 * A queue that only ever holds what failed elsewhere (a DLQ, an on-failure destination): SSE
 * (under the customer key when there is one), TLS-only, kept 14 days. cdk-nag asks every queue
 * for a DLQ of its own; this one is the end of the line, said once here with the reason given.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { queueEncryption } from './encryption.js';

export const deadLetterQueue = (
  scope: Construct,
  id: string,
  holds: string,
  encryptionKey?: kms.IKey,
): sqs.Queue => {
  const queue = new sqs.Queue(scope, id, {
    ...queueEncryption(encryptionKey),
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  for (const finding of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
    Validations.of(queue).acknowledge({
      id: finding,
      reason: `This queue is itself the dead-letter queue ${holds}.`,
    });
  }
  return queue;
};
