/**
 * Lambda handler for POST /callbacks/call and /callbacks/job (API Gateway REST proxy).
 * Config and clients are built once per cold start; see commons/ingest for the logic.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import * as v from 'valibot';
import { SecretStore } from './commons/byrobot/secret.js';
import { ConfigError, positiveInteger, readConfig, requiredString } from './commons/config.js';
import { logLineMetricsOf, QUEUE, SIGNATURE_MODES } from './commons/definitions.js';
import { queueEnqueuer } from './commons/ingest/enqueue.js';
import { createIngestHandler } from './commons/ingest/ingest-handler.js';
import { s3ClientConfig } from './commons/s3-config.js';
import { sqsClientConfig } from './commons/sqs-config.js';
import { createCounter, createLogger, flushingMetrics } from './commons/telemetry.js';

const config = readConfig(
  v.object({
    QUEUE_URL: requiredString('QUEUE_URL'),
    BUCKET_NAME: requiredString('BUCKET_NAME'),
    MAX_MESSAGE_BYTES: positiveInteger('MAX_MESSAGE_BYTES', QUEUE.inlineMessageBytes),
    AWS_ENDPOINT_URL_S3: v.optional(v.string()),
    AWS_ENDPOINT_URL_SQS: v.optional(v.string()),
    CALLBACK_SIGNATURE: v.optional(
      v.picklist(SIGNATURE_MODES, 'CALLBACK_SIGNATURE must be off, log or enforce'),
      'off',
    ),
    SIGNATURE_MAX_AGE_SECONDS: positiveInteger('SIGNATURE_MAX_AGE_SECONDS', 600),
    BYROBOT_SECRET_ID: v.optional(v.string()),
  }),
);

if (config.CALLBACK_SIGNATURE !== 'off' && !config.BYROBOT_SECRET_ID) {
  throw new ConfigError(
    `CALLBACK_SIGNATURE=${config.CALLBACK_SIGNATURE} needs BYROBOT_SECRET_ID (the 百应 credentials secret)`,
  );
}

/**
 * The Secrets Manager client is loaded only when signatures are checked; it comes from the
 * Lambda runtime (not bundled), so the default path never loads it at all.
 */
const secrets = new SecretStore(async () => {
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  secretsManager ??= new SecretsManagerClient({});
  return (await secretsManager.send(new GetSecretValueCommand({ SecretId: config.BYROBOT_SECRET_ID })))
    .SecretString;
});
let secretsManager: import('@aws-sdk/client-secrets-manager').SecretsManagerClient | undefined;
const credentials = () => secrets.get();

const counter = createCounter('ingest', undefined, { fromLogLines: logLineMetricsOf('ingest') });

export const handler = flushingMetrics(
  counter,
  createIngestHandler({
    enqueue: queueEnqueuer({
      // With an endpoint override (the local stack), send to it rather than to the queue URL's host.
      sqs: new SQSClient(sqsClientConfig(config.AWS_ENDPOINT_URL_SQS)),
      queueUrl: config.QUEUE_URL,
      bucket: config.BUCKET_NAME,
      s3: s3ClientConfig(config.AWS_ENDPOINT_URL_S3),
      maxMessageBytes: config.MAX_MESSAGE_BYTES,
    }),
    logger: createLogger('ingest', { lambdaRequestId: 'problems' }),
    counter,
    signature: {
      mode: config.CALLBACK_SIGNATURE,
      credentials,
      maxAgeSeconds: config.SIGNATURE_MAX_AGE_SECONDS,
    },
  }),
);
