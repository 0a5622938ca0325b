import { apiEvent } from './recorders.js';

export { apiEvent };

/**
 * A real local environment for integration tests: DynamoDB Local and the SQS/S3 emulator on
 * loopback, the same resources as the stack, and the real handler logic wired to them.
 */

import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { createConsumeHandler } from '../../functions/commons/consume/consume-handler.js';
import { s3ObjectStore } from '../../functions/commons/consume/s3-object-store.js';
import { queueEnqueuer } from '../../functions/commons/ingest/enqueue.js';
import { createIngestHandler } from '../../functions/commons/ingest/ingest-handler.js';
import type { DataPolicy } from '../../functions/commons/personal/policy.js';
import { sqsTaskSender, type TaskSender } from '../../functions/commons/recordings/task-queue.js';
import { documentClient } from '../../functions/commons/store/document-client.js';
import type { Targets } from '../../local/cli/targets.js';
import { type Emulators, startEmulators } from '../../local/emulators.js';
import { LOCAL_INDEX_SHARDS, LOCAL_PHONE_HASH_KEY, localPolicy } from '../../local/local-config.js';
import {
  createLocalResources,
  type LocalResources,
  localClients,
  localS3Config,
} from '../../local/resources.js';
import { toSqsRecord } from '../../local/sqs-driver.js';
import { RecordingCounter, RecordingLogger } from './recorders.js';

export interface LocalEnv {
  readonly emulators: Emulators;
  readonly resources: LocalResources;
  readonly clients: ReturnType<typeof localClients>;
  readonly doc: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

export const startLocalEnv = async (
  options: { visibilityTimeoutSeconds?: number; prefix?: string } = {},
): Promise<LocalEnv> => {
  const emulators = await startEmulators();
  const resources = await createLocalResources(emulators, options);
  const clients = localClients(emulators);
  const doc = documentClient(clients.dynamo);
  return {
    emulators,
    resources,
    clients,
    doc,
    async stop() {
      clients.dynamo.destroy();
      clients.sqs.destroy();
      clients.s3.destroy();
      await emulators.stop();
    },
  };
};

/**
 * Starts a local environment before the test file's tests and stops it after them. The returned
 * object stands for the environment once started (it forwards to it), so tests use it as they
 * would a LocalEnv: `const env = useLocalEnv({ prefix: 'edges' })`.
 */
export const useLocalEnv = (options: Parameters<typeof startLocalEnv>[0] = {}): LocalEnv => {
  let started: LocalEnv | undefined;
  beforeAll(async () => {
    started = await startLocalEnv(options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  return new Proxy({} as LocalEnv, {
    get: (_target, key) => {
      if (!started) throw new Error('the local environment is used before beforeAll started it');
      return started[key as keyof LocalEnv];
    },
  });
};

/** The enqueuer ingest and the reconciler use, wired to the emulators (S3 claim checks included). */
export const localEnqueuer = (
  env: LocalEnv,
  overrides: { maxMessageBytes?: number; sqs?: LocalEnv['clients']['sqs'] } = {},
) =>
  queueEnqueuer({
    sqs: overrides.sqs ?? env.clients.sqs,
    queueUrl: env.resources.queueUrl,
    bucket: env.resources.bucket,
    s3: localS3Config(env.emulators.awsEndpoint),
    ...(overrides.maxMessageBytes ? { maxMessageBytes: overrides.maxMessageBytes } : {}),
  });

export const wireIngest = (
  env: LocalEnv,
  overrides: { maxMessageBytes?: number; sqs?: LocalEnv['clients']['sqs'] } = {},
) => {
  const logger = new RecordingLogger();
  const counter = new RecordingCounter();
  const handler = createIngestHandler({
    enqueue: localEnqueuer(env, overrides),
    logger,
    counter,
  });
  return { handler, logger, counter };
};

export const wireConsume = (
  env: LocalEnv,
  overrides: {
    doc?: DynamoDBDocumentClient;
    recordings?: TaskSender;
    companies?: readonly string[];
    policy?: DataPolicy;
  } = {},
) => {
  const logger = new RecordingLogger();
  const counter = new RecordingCounter();
  const handler = createConsumeHandler({
    doc: overrides.doc ?? env.doc,
    callsTable: env.resources.callsTable,
    jobsTable: env.resources.jobsTable,
    objects: s3ObjectStore(env.clients.s3, env.resources.bucket),
    logger,
    counter,
    // As the local stack runs it: the local phone hash key, its retention.
    policy: overrides.policy ?? localPolicy(),
    ...(overrides.recordings ? { recordings: overrides.recordings } : {}),
    ...(overrides.companies ? { companies: new Set(overrides.companies) } : {}),
  });
  return { handler, logger, counter };
};

/** What the records CLI works on, pointed at this environment (as `--local` points it at the local stack). */
export const localTargets = (env: LocalEnv, retention?: Targets['retention']): Targets => ({
  callsTable: env.resources.callsTable,
  jobsTable: env.resources.jobsTable,
  bucket: env.resources.bucket,
  queueUrl: env.resources.queueUrl,
  recordingsQueueUrl: env.resources.recordingsQueueUrl,
  doc: env.doc,
  s3: env.clients.s3,
  sqs: env.clients.sqs,
  phoneHashKey: async () => LOCAL_PHONE_HASH_KEY,
  indexShards: LOCAL_INDEX_SHARDS,
  ...(retention ? { retention } : {}),
  close: () => undefined,
});

/**
 * What a reconciler needs around its client, wired to this environment: the enqueuer it puts
 * recovered calls on (noting each request id in `sent`), a recording logger and counter.
 */
export const reconcilerRig = (env: LocalEnv) => {
  const logger = new RecordingLogger();
  const counter = new RecordingCounter();
  const sent: string[] = [];
  const enqueue = localEnqueuer(env);
  return {
    logger,
    counter,
    sent,
    enqueue: async (meta: Parameters<typeof enqueue>[0], body: string) => {
      sent.push(meta.requestId);
      return enqueue(meta, body);
    },
  };
};

/** The recordings task sender consume uses, wired to the emulator's recordings queue. */
export const localTaskSender = (env: LocalEnv): TaskSender =>
  sqsTaskSender(env.clients.sqs, env.resources.recordingsQueueUrl);

/**
 * Posts bodies through ingest, then consumes everything that was queued, as the deployed pipeline
 * would: each body an API Gateway event, each queued batch an SQS event.
 */
export const deliverThrough = async (
  env: LocalEnv,
  bodies: readonly { body: string; route?: string; receivedAt?: number; requestId?: string }[],
  overrides: {
    maxMessageBytes?: number;
    consumeDoc?: DynamoDBDocumentClient;
    recordings?: TaskSender;
    companies?: readonly string[];
    policy?: DataPolicy;
  } = {},
) => {
  const ingest = wireIngest(
    env,
    overrides.maxMessageBytes ? { maxMessageBytes: overrides.maxMessageBytes } : {},
  );
  const consume = wireConsume(env, {
    ...(overrides.consumeDoc ? { doc: overrides.consumeDoc } : {}),
    ...(overrides.recordings ? { recordings: overrides.recordings } : {}),
    ...(overrides.companies ? { companies: overrides.companies } : {}),
    ...(overrides.policy ? { policy: overrides.policy } : {}),
  });
  const replies = [];
  for (const item of bodies) replies.push(await ingest.handler(apiEvent(item.body, item)));
  const events = await drainQueue(env);
  const responses = [];
  for (const event of events) responses.push(await consume.handler(event));
  const failures = responses.flatMap((response) => response.batchItemFailures);
  /** Consumes the same events again (a redelivery or replay of the same SQS messages). */
  const consumeAgain = async () => {
    for (const event of events) await consume.handler(event);
  };
  return { replies, responses, failures, events, ingest, consume, consumeAgain };
};

const LOCAL_QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:local';

/** Receives everything currently on the queue as SQS events of up to 10 records. */
export const drainQueue = async (env: LocalEnv, queueUrl = env.resources.queueUrl): Promise<SQSEvent[]> => {
  const { ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
  const events: SQSEvent[] = [];
  for (;;) {
    const received = await env.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return events;
    events.push({ Records: messages.map((message) => toSqsRecord(message, LOCAL_QUEUE_ARN)) });
  }
};

export const queueDepth = async (env: LocalEnv, queueUrl: string): Promise<number> => {
  const attributes = await env.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
};

export const getCall = async (env: LocalEnv, pk: string) =>
  (
    await env.doc.send(
      new GetCommand({ TableName: env.resources.callsTable, Key: { pk }, ConsistentRead: true }),
    )
  ).Item;

export const getJob = async (env: LocalEnv, callJobId: string) =>
  (
    await env.doc.send(
      new GetCommand({
        TableName: env.resources.jobsTable,
        Key: { pk: `job#${callJobId}` },
        ConsistentRead: true,
      }),
    )
  ).Item;
