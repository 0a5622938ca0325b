/**
 * Lambda handler for POST /callbacks/call and /callbacks/job (API Gateway REST proxy).
 * Config and clients are built once per cold start; see commons/ingest for the logic.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import * as v from 'valibot';
import { positiveInteger, readConfig, requiredString } from './commons/config.js';
import { QUEUE } from './commons/definitions.js';
import { s3ClaimStore } from './commons/ingest/claim-check.js';
import { createEnqueuer } from './commons/ingest/enqueue.js';
import { createIngestHandler } from './commons/ingest/ingest-handler.js';
import { createCounter, createLogger } from './commons/telemetry.js';

const config = readConfig(
  v.object({
    QUEUE_URL: requiredString('QUEUE_URL'),
    BUCKET_NAME: requiredString('BUCKET_NAME'),
    MAX_MESSAGE_BYTES: positiveInteger('MAX_MESSAGE_BYTES', QUEUE.maxMessageBytes - 4096),
    AWS_ENDPOINT_URL_S3: v.optional(v.string()),
    AWS_ENDPOINT_URL_SQS: v.optional(v.string()),
  }),
);

export const handler = createIngestHandler({
  enqueue: createEnqueuer({
    // With an endpoint override (the local stack), send to it rather than to the queue URL's host.
    sqs: new SQSClient(config.AWS_ENDPOINT_URL_SQS ? { endpoint: config.AWS_ENDPOINT_URL_SQS } : {}),
    queueUrl: config.QUEUE_URL,
    claims: s3ClaimStore(config.BUCKET_NAME, { forcePathStyle: config.AWS_ENDPOINT_URL_S3 !== undefined }),
    maxMessageBytes: config.MAX_MESSAGE_BYTES,
  }),
  logger: createLogger('ingest'),
  counter: createCounter('ingest'),
});
