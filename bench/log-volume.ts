/**
 * Log bytes per callback, measured: the real ingest and consume handlers run with the real
 * logger and EMF counter (metrics on), everything they write to stdout/stderr is counted. The
 * stores are stubs (DynamoDB answers every write with success, objects live in a map): what is
 * measured is what our code writes, not what the services answer.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { createConsumeHandler } from '../functions/commons/consume/consume-handler.js';
import { logLineMetricsOf, QUEUE } from '../functions/commons/definitions.js';
import { createIngestHandler } from '../functions/commons/ingest/ingest-handler.js';
import type { ObjectStore } from '../functions/commons/object-store.js';
import { MESSAGE_VERSION, type ReceiveMeta } from '../functions/commons/queue-message.js';
import { createCounter, createLogger, flushingMetrics } from '../functions/commons/telemetry.js';
import { generateCallbacks } from '../local/simulator/generate.js';
import { Random } from '../local/simulator/random.js';
import { toSqsRecord } from '../local/sqs-driver.js';

const lambdaContext = (name: string): Context =>
  ({
    functionName: `ByrobotCallbacks-Pipeline${name}Function1234ABCD-AbCdEfGhIjKl`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:ByrobotCallbacks-Pipeline${name}Function1234ABCD-AbCdEfGhIjKl`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;

/** Bytes written to stdout and stderr while `run` runs. */
const bytesWritten = async (run: () => Promise<unknown>): Promise<number> => {
  let bytes = 0;
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      return true;
    }) as typeof stream.write;
  }
  // As deployed: metrics on, INFO lines kept (the local stack, if one ran earlier in this
  // process, left WARN and metrics off behind), and the trace header Lambda sets on every
  // invocation, traced or not (the logger copies it into lines).
  const deployed: Record<string, string> = {
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    _X_AMZN_TRACE_ID:
      'Root=1-6747a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=1:8ed54a2c:0',
  };
  const saved = Object.fromEntries(Object.keys(deployed).map((name) => [name, process.env[name]]));
  Object.assign(process.env, deployed);
  try {
    await run();
  } finally {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as typeof stream.write;
    });
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  return bytes;
};

const memoryObjects = (): ObjectStore => {
  const objects = new Map<string, Uint8Array | string>();
  return {
    put: async (key, body) => void objects.set(key, body),
    get: async (key) => Buffer.from(objects.get(key) ?? ''),
    list: async (prefix) => [...objects.keys()].filter((key) => key.startsWith(prefix)),
    delete: async (key) => void objects.delete(key),
  };
};

/** Log bytes per callback for `bodies` (one ingest request each, consumed in batches of `batchSize`). */
export const measureLogBytes = async (
  bodies: readonly string[],
  batchSize: number,
): Promise<{ ingest: number; consume: number }> => {
  const messages: string[] = [];
  // Loggers and counters are built inside the capture: Powertools binds its console to the
  // streams when it is created, and a counter reads whether metrics are on when it is created.
  let ingestBytes = 0;
  let consumeBytes = 0;
  ingestBytes = await bytesWritten(async () => {
    // As deployed (functions/ingest.ts): counts a metric filter takes from the line are not written.
    const ingestCounter = createCounter('ingest', undefined, { fromLogLines: logLineMetricsOf('ingest') });
    const ingest = flushingMetrics(
      ingestCounter,
      createIngestHandler({
        enqueue: async (meta: ReceiveMeta, body: string) => {
          messages.push(JSON.stringify({ v: MESSAGE_VERSION, meta, body }));
          return { messageId: randomUUID(), claimed: false };
        },
        logger: createLogger('ingest', { lambdaRequestId: 'problems' }),
        counter: ingestCounter,
      }),
    );
    for (const body of bodies) {
      await ingest(
        {
          body,
          isBase64Encoded: false,
          headers: { 'Content-Type': 'application/json;charset=utf-8' },
          resource: '/callbacks/call',
          path: '/callbacks/call',
          httpMethod: 'POST',
          requestContext: {
            requestId: randomUUID(),
            requestTimeEpoch: Date.now(),
            identity: { sourceIp: '120.55.46.3' },
          },
        } as never,
        lambdaContext('Ingest'),
      );
    }
  });
  consumeBytes = await bytesWritten(async () => {
    const consumeCounter = createCounter('consume');
    const doc = { send: async () => ({}) } as unknown as DynamoDBDocumentClient;
    const consume = flushingMetrics(
      consumeCounter,
      createConsumeHandler({
        doc,
        callsTable: 'calls',
        jobsTable: 'jobs',
        objects: memoryObjects(),
        logger: createLogger('consume'),
        counter: consumeCounter,
      }),
    );
    for (let start = 0; start < messages.length; start += batchSize) {
      const event: SQSEvent = {
        Records: messages
          .slice(start, start + batchSize)
          .map((Body) =>
            toSqsRecord(
              { MessageId: randomUUID(), ReceiptHandle: randomUUID(), Body },
              'arn:aws:sqs:us-east-1:1:q',
            ),
          ),
      };
      await consume(event, lambdaContext('Consume'));
    }
  });
  return { ingest: ingestBytes / bodies.length, consume: consumeBytes / bodies.length };
};

/** Log bytes per callback for 200 simulated deliveries (calls, manual changes, jobs), in full batches. */
export const measureCallbackLogBytes = (): Promise<{ ingest: number; consume: number }> =>
  measureLogBytes(
    generateCallbacks(new Random(7), {
      count: 200,
      companyId: '1',
      idBase: 700_000_000,
      around: Date.now(),
    }).map((callback) => callback.body),
    QUEUE.batchSize,
  );
