/**
 * Lambda handler run by an EventBridge schedule: recovers deliveries 百应 failed to make.
 * Credentials and company ids come from the Secrets Manager secret (read once, cached).
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import * as v from 'valibot';
import { checkApiUrl } from './commons/byrobot/api-url.js';
import { ByrobotClient } from './commons/byrobot/client.js';
import { SecretStore } from './commons/byrobot/secret.js';
import { positiveInteger, readConfig, requiredString } from './commons/config.js';
import { queueEnqueuer } from './commons/ingest/enqueue.js';
import { type ReconcileSummary, runReconcileInTurn } from './commons/reconcile/reconcile.js';
import { s3ClientConfig } from './commons/s3-config.js';
import { sqsClientConfig } from './commons/sqs-config.js';
import { documentClient } from './commons/store/document-client.js';
import { createCounter, createLogger, flushingMetrics } from './commons/telemetry.js';

const config = readConfig(
  v.object({
    CALLS_TABLE: requiredString('CALLS_TABLE'),
    QUEUE_URL: requiredString('QUEUE_URL'),
    BUCKET_NAME: requiredString('BUCKET_NAME'),
    BYROBOT_SECRET_ID: requiredString('BYROBOT_SECRET_ID'),
    BYROBOT_API_URL: v.pipe(
      v.optional(v.string(), 'https://api.byrobot.cn'),
      v.check((url) => {
        try {
          return checkApiUrl(url, 'BYROBOT_API_URL') === url;
        } catch {
          return false;
        }
      }, 'BYROBOT_API_URL must be an https URL (http only for a loopback address)'),
    ),
    LOOK_BACK_DAYS: positiveInteger('LOOK_BACK_DAYS', 2),
    REQUESTS_PER_SECOND: positiveInteger('REQUESTS_PER_SECOND', 5),
    AWS_ENDPOINT_URL_S3: v.optional(v.string()),
    AWS_ENDPOINT_URL_SQS: v.optional(v.string()),
  }),
);

const secretsManager = new SecretsManagerClient({});
const secrets = new SecretStore(
  async () =>
    (await secretsManager.send(new GetSecretValueCommand({ SecretId: config.BYROBOT_SECRET_ID })))
      .SecretString,
);
/** Kept free at the end of a run to log and report cleanly. */
const RESERVE_MS = 15_000;
const logger = createLogger('reconcile');
const counter = createCounter('reconcile');
/** Time left in the current invocation, less a reserve to finish cleanly (set per invocation). */
let remainingMs: () => number = () => Number.POSITIVE_INFINITY;
const deps = {
  client: new ByrobotClient({
    baseUrl: config.BYROBOT_API_URL,
    credentials: secrets,
    minIntervalMs: Math.ceil(1000 / config.REQUESTS_PER_SECOND),
    // Every request (and retry) fits in what is left of the run.
    remainingMs: () => remainingMs() - RESERVE_MS,
    onRetry: (info: { path: string; attempt: number; reason: string }) => logger.warn('retrying 百应', info),
  }),
  doc: documentClient(new DynamoDBClient({})),
  callsTable: config.CALLS_TABLE,
  enqueue: queueEnqueuer({
    sqs: new SQSClient(sqsClientConfig(config.AWS_ENDPOINT_URL_SQS)),
    queueUrl: config.QUEUE_URL,
    bucket: config.BUCKET_NAME,
    s3: s3ClientConfig(config.AWS_ENDPOINT_URL_S3),
  }),
  logger,
  counter,
};

export const handler = flushingMetrics(
  counter,
  async (_event: unknown, context?: Context): Promise<ReconcileSummary> => {
    // Every line of this run carries the request id and cold-start flag.
    if (context) logger.addContext(context);
    remainingMs = () => context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
    const { companyIds } = await secrets.secret();
    return runReconcileInTurn(deps, {
      companyIds,
      lookBackDays: config.LOOK_BACK_DAYS,
      remainingMs,
      reserveMs: RESERVE_MS,
    });
  },
);
