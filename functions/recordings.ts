/** Lambda handler for the recordings queue: copies 百应's recording links into the bucket. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as v from 'valibot';
import { ConfigError, positiveInteger, readConfig, requiredString } from './commons/config.js';
import { RECORDINGS } from './commons/definitions.js';
import { parseHostList } from './commons/recordings/host-list.js';
import { createRecordingsHandler } from './commons/recordings/recordings-handler.js';
import { s3ClientConfig } from './commons/s3-config.js';
import { sqsClientConfig } from './commons/sqs-config.js';
import { documentClient } from './commons/store/document-client.js';
import { createCounter, createLogger, flushingMetrics } from './commons/telemetry.js';

const config = readConfig(
  v.object({
    CALLS_TABLE: requiredString('CALLS_TABLE'),
    BUCKET_NAME: requiredString('BUCKET_NAME'),
    RECORDINGS_QUEUE_URL: requiredString('RECORDINGS_QUEUE_URL'),
    RECORDING_HOSTS: v.optional(v.string(), RECORDINGS.defaultHosts.join(',')),
    /** Local stack only (`--recording-hosts`): never set by the CDK stack. */
    RECORDING_EXEMPT_HOSTS: v.optional(v.string(), ''),
    /** Local stack only: `true` fetches from the exempt hosts alone (never from 百应's real storage). */
    RECORDING_ONLY_EXEMPT: v.optional(v.picklist(['true', 'false']), 'false'),
    RECORDING_MAX_BYTES: positiveInteger('RECORDING_MAX_BYTES', RECORDINGS.defaultMaxBytes),
    RECORDINGS_CONCURRENCY: positiveInteger('RECORDINGS_CONCURRENCY', 2),
    /** Local stack / tests only: multiplies retry delays (e.g. 0.01). */
    RECORDING_RETRY_SCALE: v.optional(
      v.pipe(
        v.string(),
        v.transform(Number),
        v.number('RECORDING_RETRY_SCALE must be a number'),
        v.minValue(0),
      ),
      '1',
    ),
    AWS_ENDPOINT_URL_S3: v.optional(v.string()),
    AWS_ENDPOINT_URL_SQS: v.optional(v.string()),
  }),
);

const hostList = (text: string, name: string): string[] => {
  try {
    return parseHostList(text, name);
  } catch (error) {
    throw new ConfigError((error as Error).message, { cause: error });
  }
};
const exemptHosts = hostList(config.RECORDING_EXEMPT_HOSTS, 'RECORDING_EXEMPT_HOSTS');
const hosts = [...hostList(config.RECORDING_HOSTS, 'RECORDING_HOSTS'), ...exemptHosts];
if (hosts.length === 0) throw new ConfigError('RECORDING_HOSTS is empty: no recording could ever be copied');

const sqs = new SQSClient(sqsClientConfig(config.AWS_ENDPOINT_URL_SQS));
const counter = createCounter('recordings');

export const handler = flushingMetrics(
  counter,
  createRecordingsHandler({
    doc: documentClient(new DynamoDBClient({})),
    callsTable: config.CALLS_TABLE,
    s3: new S3Client(s3ClientConfig(config.AWS_ENDPOINT_URL_S3)),
    bucket: config.BUCKET_NAME,
    policy: { hosts, exemptHosts, onlyExempt: config.RECORDING_ONLY_EXEMPT === 'true' },
    limits: { maxBytes: config.RECORDING_MAX_BYTES, timeoutMs: RECORDINGS.downloadTimeoutSeconds * 1000 },
    retryAfter: async (receiptHandle, seconds) => {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: config.RECORDINGS_QUEUE_URL,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
    logger: createLogger('recordings'),
    counter,
    concurrency: config.RECORDINGS_CONCURRENCY,
    retryScale: config.RECORDING_RETRY_SCALE,
  }),
);
