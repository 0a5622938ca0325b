/** Lambda handler for the callbacks queue (SQS event source, ReportBatchItemFailures). */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as v from 'valibot';
import { parseCompanyIds } from './commons/company-list.js';
import { ConfigError, readConfig, requiredString } from './commons/config.js';
import { createConsumeHandler } from './commons/consume/consume-handler.js';
import { s3ObjectStore } from './commons/consume/s3-object-store.js';
import { sqsTaskSender } from './commons/recordings/task-queue.js';
import { s3ClientConfig } from './commons/s3-config.js';
import { sqsClientConfig } from './commons/sqs-config.js';
import { documentClient } from './commons/store/document-client.js';
import { createCounter, createLogger, flushingMetrics } from './commons/telemetry.js';
import { loadWriterSettings, writerEnvironment } from './commons/writer-config.js';

const config = readConfig(
  v.object({
    CALLS_TABLE: requiredString('CALLS_TABLE'),
    JOBS_TABLE: requiredString('JOBS_TABLE'),
    BUCKET_NAME: requiredString('BUCKET_NAME'),
    AWS_ENDPOINT_URL_S3: v.optional(v.string()),
    AWS_ENDPOINT_URL_SQS: v.optional(v.string()),
    /** Set when recordings are on: where consume puts one task per recording link. */
    RECORDINGS_QUEUE_URL: v.optional(v.string()),
    /** The companies whose callbacks are stored (context `companyIds`); unset or empty: every company. */
    COMPANY_IDS: v.optional(v.string(), ''),
    ...writerEnvironment,
  }),
);

/** Retention, the phone hash key (from Secrets Manager) and the index shards, before the first message. */
const { policy, shards } = await loadWriterSettings(config);

const companyIds = (() => {
  try {
    return parseCompanyIds(config.COMPANY_IDS, 'COMPANY_IDS');
  } catch (error) {
    throw new ConfigError((error as Error).message, { cause: error });
  }
})();

const counter = createCounter('consume');

export const handler = flushingMetrics(
  counter,
  createConsumeHandler({
    doc: documentClient(new DynamoDBClient({})),
    callsTable: config.CALLS_TABLE,
    jobsTable: config.JOBS_TABLE,
    objects: s3ObjectStore(new S3Client(s3ClientConfig(config.AWS_ENDPOINT_URL_S3)), config.BUCKET_NAME),
    logger: createLogger('consume'),
    counter,
    policy,
    shards,
    ...(companyIds.length > 0 ? { companies: new Set(companyIds) } : {}),
    ...(config.RECORDINGS_QUEUE_URL
      ? {
          recordings: sqsTaskSender(
            new SQSClient(sqsClientConfig(config.AWS_ENDPOINT_URL_SQS)),
            config.RECORDINGS_QUEUE_URL,
          ),
        }
      : {}),
  }),
);
