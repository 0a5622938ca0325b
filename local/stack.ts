/**
 * The local stack: emulators, the same resources as the CDK stack, the real ingest handler
 * behind the API routes and the real consume handler driven from the queue.
 */
import type { Server } from 'node:http';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { QUEUE, RECORDINGS } from '../functions/commons/definitions.js';
import { describeError } from '../functions/commons/errors.js';
import { startApiServer } from './api-server.js';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from './emulators.js';
import { type LocalEventBus, startLocalEventBus } from './event-bus.js';
import { FakeByrobot, LOCAL_BYROBOT } from './fake-byrobot.js';
import { LOCAL_INDEX_SHARDS, LOCAL_PHONE_HASH_KEY, LOCAL_RETENTION_DAYS } from './local-config.js';
import { assertPortFree, LOOPBACK } from './ports.js';
import { createLocalResources, type LocalResources, localClients } from './resources.js';
import { type SqsDriver, startSqsDriver } from './sqs-driver.js';
import { type StreamDriver, startStreamDriver } from './stream-driver.js';
import { startTableBrowser, type TableBrowser } from './table-browser.js';

export interface LocalStackOptions {
  readonly port: number;
  readonly persistDir?: string;
  readonly dynamoPort?: number;
  readonly awsPort?: number;
  /** Port of the fake 百应 OpenAPI the local reconciler talks to. */
  readonly byrobotPort?: number;
  readonly secretPath?: string;
  readonly allowedIps?: readonly string[];
  readonly visibilityTimeoutSeconds?: number;
  /** Test hook: where ingest sends SQS requests (a fault-injecting proxy). */
  readonly ingestSqsEndpoint?: string;
  /** Test hook: wraps the real consume handler (to fail chosen records). */
  readonly wrapConsume?: (handler: SqsHandler) => SqsHandler;
  /** Consumer pollers (Lambda's concurrency). @default 2 */
  readonly consumers?: number;
  /**
   * Hosts the recordings worker may fetch from locally (`--recording-hosts`), exempt from the
   * https and address rules. Locally nothing else is fetched: 百应's real storage is never reached.
   */
  readonly recordingHosts?: readonly string[];
  /** Test hook: the recordings worker's size cap. */
  readonly recordingMaxBytes?: number;
  /** Test hook: multiplies the recordings worker's retry delays. */
  readonly recordingRetryScale?: number;
  /** The companies whose callbacks are stored (`--companies`); absent or empty: every company. */
  readonly companies?: readonly string[];
  /** Serve dynamodb-admin on this port (0: any free port); absent: no table browser. */
  readonly adminPort?: number;
  /** Where a table browser that could not start says why. @default console.warn */
  readonly warn?: (message: string) => void;
}

type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface LocalStack {
  readonly url: string;
  readonly emulators: Emulators;
  readonly resources: LocalResources;
  readonly byrobot: FakeByrobot;
  /** What the consumer driver has seen: batches, messages, reported failures. */
  readonly consumer: SqsDriver['stats'];
  /** The hosts the local recordings worker fetches from. */
  readonly recordingHosts: readonly string[];
  /** The table browser's URL, when it runs. */
  readonly adminUrl?: string;
  stop(): Promise<void>;
}

/** The environment the deployed functions get, pointed at the emulators. */
export const handlerEnvironment = (
  emulators: Emulators,
  resources: LocalResources,
  recordingHosts: readonly string[] = [],
  companies: readonly string[] = [],
): Record<string, string> => ({
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamoEndpoint,
  AWS_ENDPOINT_URL_SQS: emulators.awsEndpoint,
  AWS_ENDPOINT_URL_S3: emulators.awsEndpoint,
  QUEUE_URL: resources.queueUrl,
  BUCKET_NAME: resources.bucket,
  CALLS_TABLE: resources.callsTable,
  JOBS_TABLE: resources.jobsTable,
  RECORDINGS_QUEUE_URL: resources.recordingsQueueUrl,
  // The deployed default allowlist, plus the local hosts; only the local hosts are fetched.
  RECORDING_HOSTS: RECORDINGS.defaultHosts.join(','),
  RECORDING_EXEMPT_HOSTS: recordingHosts.join(','),
  RECORDING_ONLY_EXEMPT: 'true',
  COMPANY_IDS: companies.join(','),
  PHONE_HASH_KEY: LOCAL_PHONE_HASH_KEY,
  INDEX_SHARDS: String(LOCAL_INDEX_SHARDS),
  RETENTION_DAYS: String(LOCAL_RETENTION_DAYS),
  POWERTOOLS_METRICS_NAMESPACE: 'ByrobotCallbacksLocal',
  POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
});

/**
 * Reports an error once, then the same message again only after 30 s: a stopped emulator (a fault
 * test, a shutdown) would otherwise print the same line every poll.
 */
const quietly = (report: (message: string) => void) => {
  const last = new Map<string, number>();
  return (error: unknown) => {
    const message = describeError(error);
    const now = Date.now();
    if (now - (last.get(message) ?? 0) < 30_000) return;
    last.set(message, now);
    report(message);
  };
};

export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  await assertPortFree(options.port, 'the local API');
  if (options.byrobotPort) await assertPortFree(options.byrobotPort, 'the fake 百应 OpenAPI');
  const emulators = await startEmulators({
    avoidPorts: [options.port, options.byrobotPort ?? 0, options.adminPort ?? 0].filter((port) => port > 0),
    ...(options.persistDir ? { persistDir: options.persistDir } : {}),
    ...(options.dynamoPort ? { dynamoPort: options.dynamoPort } : {}),
    ...(options.awsPort ? { awsPort: options.awsPort } : {}),
  });
  let server: Server | undefined;
  let driver: SqsDriver | undefined;
  let recordingsDriver: SqsDriver | undefined;
  let browser: TableBrowser | undefined;
  let eventBus: LocalEventBus | undefined;
  let streamDriver: StreamDriver | undefined;
  const byrobot = new FakeByrobot(LOCAL_BYROBOT);
  const clients = localClients(emulators);
  /** Everything that started, in reverse order of what depends on it; also after a failed start. */
  const stopAll = async (): Promise<void> => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await browser?.stop();
    await streamDriver?.stop();
    await eventBus?.stop();
    await driver?.stop();
    await recordingsDriver?.stop();
    await byrobot.stop();
    clients.sqs.destroy();
    clients.dynamo.destroy();
    clients.s3.destroy();
    await emulators.stop();
  };
  try {
    const resources = await createLocalResources(emulators, {
      ...(options.visibilityTimeoutSeconds
        ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }
        : {}),
    });
    // The real handlers read their configuration from the environment at import, as on Lambda.
    const recordingHosts = [...(options.recordingHosts ?? [])];
    Object.assign(process.env, handlerEnvironment(emulators, resources, recordingHosts, options.companies));
    if (options.recordingMaxBytes) process.env.RECORDING_MAX_BYTES = String(options.recordingMaxBytes);
    if (options.recordingRetryScale !== undefined) {
      process.env.RECORDING_RETRY_SCALE = String(options.recordingRetryScale);
    }
    if (options.ingestSqsEndpoint) process.env.AWS_ENDPOINT_URL_SQS = options.ingestSqsEndpoint;
    const { handler: ingest } = await import('../functions/ingest.js');
    const { handler: consume } = await import('../functions/consume.js');
    const { handler: recordings } = await import('../functions/recordings.js');
    // The deployed publisher, its PutEvents pointed at the local event bus.
    eventBus = await startLocalEventBus({
      s3: clients.s3,
      bucket: resources.bucket,
      sqs: clients.sqs,
      queueUrl: resources.eventsQueueUrl,
    });
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = eventBus.endpoint;
    process.env.EVENT_BUS_NAME = 'byrobot-callbacks-local-events';
    const { handler: publish } = await import('../functions/events.js');
    streamDriver = startStreamDriver({
      dynamo: clients.dynamo,
      dynamoEndpoint: emulators.dynamoEndpoint,
      tables: [resources.callsTable, resources.jobsTable],
      handler: (event) => publish(event),
      onError: quietly((message) => console.error(`events stream: ${message}`)),
    });
    await byrobot.start(options.byrobotPort ?? 0);
    driver = startSqsDriver({
      sqs: clients.sqs,
      queueUrl: resources.queueUrl,
      handler: options.wrapConsume ? options.wrapConsume(consume) : consume,
      concurrency: options.consumers ?? 2,
      // Batches up to the deployed size (the event source mapping's), so a busy local stack
      // archives and logs per batch as deployed rather than per 10 messages.
      batchSize: QUEUE.batchSize,
      batchingWindowMs: 200,
    });
    recordingsDriver = startSqsDriver({
      sqs: clients.sqs,
      queueUrl: resources.recordingsQueueUrl,
      handler: recordings,
      batchSize: RECORDINGS.batchSize,
      concurrency: RECORDINGS.concurrency,
    });
    server = await startApiServer({
      port: options.port,
      ingest,
      ...(options.secretPath ? { secretPath: options.secretPath } : {}),
      ...(options.allowedIps ? { allowedIps: options.allowedIps } : {}),
    });
    if (options.adminPort !== undefined) {
      browser = await startTableBrowser(
        emulators.dynamoEndpoint,
        options.adminPort,
        options.warn ?? console.warn,
      );
    }
    const url = `http://${LOOPBACK}:${options.port}${options.secretPath ? `/${options.secretPath}` : ''}`;
    return {
      url,
      emulators,
      resources,
      byrobot,
      consumer: driver.stats,
      recordingHosts,
      ...(browser ? { adminUrl: browser.url } : {}),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
