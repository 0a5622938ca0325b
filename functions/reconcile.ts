/**
 * Lambda handler run by an EventBridge schedule: recovers deliveries 百应 failed to make, on the
 * classic OpenAPI and on the open platform. Credentials and company ids come from the Secrets
 * Manager secret (read once, cached).
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import * as v from 'valibot';
import { checkApiUrl } from './commons/byrobot/api-url.js';
import { ByrobotClient } from './commons/byrobot/client.js';
import { OpenPlatformClient } from './commons/byrobot/open-client.js';
import { SecretStore } from './commons/byrobot/secret.js';
import { positiveInteger, readConfig, requiredString } from './commons/config.js';
import { queueEnqueuer } from './commons/ingest/enqueue.js';
import { type ReconcilersSummary, runReconcilers } from './commons/reconcile/run.js';
import { s3ClientConfig } from './commons/s3-config.js';
import { sqsClientConfig } from './commons/sqs-config.js';
import { documentClient } from './commons/store/document-client.js';
import { createCounter, createLogger, flushingMetrics } from './commons/telemetry.js';
import { loadWriterSettings, writerEnvironment } from './commons/writer-config.js';

/** A 百应 API URL setting: https (http only for a loopback address), see api-url.ts. */
const apiUrl = (name: string, fallback: string) =>
  v.pipe(
    v.optional(v.string(), fallback),
    v.check((url) => {
      try {
        return checkApiUrl(url, name) === url;
      } catch {
        return false;
      }
    }, `${name} must be an https URL (http only for a loopback address)`),
  );

const config = readConfig(
  v.object({
    CALLS_TABLE: requiredString('CALLS_TABLE'),
    JOBS_TABLE: requiredString('JOBS_TABLE'),
    QUEUE_URL: requiredString('QUEUE_URL'),
    BUCKET_NAME: requiredString('BUCKET_NAME'),
    BYROBOT_SECRET_ID: requiredString('BYROBOT_SECRET_ID'),
    BYROBOT_API_URL: apiUrl('BYROBOT_API_URL', 'https://api.byrobot.cn'),
    OPEN_API_URL: apiUrl('OPEN_API_URL', 'https://open.byai.com'),
    OPEN_TOKEN_URL: apiUrl('OPEN_TOKEN_URL', 'https://open-tcs.byai.com/oauth/token'),
    LOOK_BACK_DAYS: positiveInteger('LOOK_BACK_DAYS', 2),
    REQUESTS_PER_SECOND: positiveInteger('REQUESTS_PER_SECOND', 5),
    AWS_ENDPOINT_URL_S3: v.optional(v.string()),
    AWS_ENDPOINT_URL_SQS: v.optional(v.string()),
    ...writerEnvironment,
  }),
);

/** Retention, the phone hash key (from Secrets Manager) and the index shards of the markers and reads. */
const { policy, shards } = await loadWriterSettings(config);

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
/** Every request (and retry) fits in what is left of the run. */
const requestTime = () => remainingMs() - RESERVE_MS;
const minIntervalMs = Math.ceil(1000 / config.REQUESTS_PER_SECOND);
const doc = documentClient(new DynamoDBClient({}));
const enqueue = queueEnqueuer({
  sqs: new SQSClient(sqsClientConfig(config.AWS_ENDPOINT_URL_SQS)),
  queueUrl: config.QUEUE_URL,
  bucket: config.BUCKET_NAME,
  s3: s3ClientConfig(config.AWS_ENDPOINT_URL_S3),
});
const deps = {
  classic: {
    client: new ByrobotClient({
      baseUrl: config.BYROBOT_API_URL,
      credentials: secrets,
      minIntervalMs,
      remainingMs: requestTime,
      onRetry: (info: { path: string; attempt: number; reason: string }) =>
        logger.warn('retrying 百应', info),
    }),
    doc,
    callsTable: config.CALLS_TABLE,
    enqueue,
    logger,
    counter,
    policy,
    shards,
  },
  open: {
    client: new OpenPlatformClient({
      apiUrl: config.OPEN_API_URL,
      tokenUrl: config.OPEN_TOKEN_URL,
      credentials: () => secrets.openCredentials(),
      minIntervalMs,
      remainingMs: requestTime,
      onRetry: (info: { method: string; attempt: number; reason: string }) =>
        logger.warn('retrying the open platform', info),
    }),
    doc,
    tables: { calls: config.CALLS_TABLE, jobs: config.JOBS_TABLE },
    enqueue,
    logger,
    counter,
    shards,
  },
};

export const handler = flushingMetrics(
  counter,
  async (_event: unknown, context?: Context): Promise<ReconcilersSummary> => {
    // Every line of this run carries the request id and cold-start flag.
    if (context) logger.addContext(context);
    remainingMs = () => context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
    const secret = await secrets.secret();
    return runReconcilers(deps, {
      companies: { companyIds: secret.companyIds, openCompanyIds: secret.open?.companyIds ?? [] },
      lookBackDays: config.LOOK_BACK_DAYS,
      remainingMs,
      reserveMs: RESERVE_MS,
    });
  },
);
