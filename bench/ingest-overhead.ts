/**
 * Measure 1 — ingest overhead: the real ingest handler (SQS stubbed at the HTTP transport, so the
 * SDK's serialization, middleware and checksum all run) over 10,000 realistic payloads, against a
 * bare JSON.parse + JSON.stringify of the same bodies, in the same process and run.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createEnqueuer } from '../functions/commons/ingest/enqueue.js';
import { createIngestHandler } from '../functions/commons/ingest/ingest-handler.js';
import { sqsSafeJson } from '../functions/commons/sqs-safe-json.js';
import { generateCallbacks } from '../local/simulator/generate.js';
import { Random } from '../local/simulator/random.js';
import { type Figure, median, ratioLine } from './stats.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 10_000);

/** Answers SendMessage as SQS would, without a network: the SDK still does all its own work. */
const stubTransport = {
  handle: async (request: { body?: unknown }) => {
    const raw =
      typeof request.body === 'string'
        ? request.body
        : Buffer.from((request.body ?? '') as Uint8Array).toString('utf8');
    const { MessageBody } = JSON.parse(raw || '{}') as { MessageBody: string };
    const body = JSON.stringify({
      MessageId: 'bench',
      MD5OfMessageBody: createHash('md5').update(MessageBody).digest('hex'),
    });
    return {
      response: {
        statusCode: 200,
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: Readable.from([body]),
      },
    };
  },
};

const eventsOf = (bodies: readonly string[]) =>
  bodies.map((body, i) => ({
    resource: '/callbacks/call',
    path: '/callbacks/call',
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json;charset=utf-8' },
    body,
    isBase64Encoded: false,
    requestContext: {
      requestId: `bench-${i}`,
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: '120.55.46.3' },
    },
  })) as unknown as Parameters<ReturnType<typeof createIngestHandler>>[0][];

const quiet = { logger: { info: () => {}, warn: () => {}, error: () => {} }, counter: { count: () => {} } };

/** Median µs per request over rounds (the first round warms up and is dropped). */
const perRequest = async (count: number, run: () => Promise<void> | void): Promise<number> => {
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    await run();
    rounds.push(((performance.now() - started) / count) * 1000);
  }
  return median(rounds.slice(1));
};

export const runIngestOverhead = async (): Promise<Figure[]> => {
  const bodies = generateCallbacks(new Random(7), {
    count: COUNT,
    companyId: '1',
    idBase: 900_000_000,
    around: Date.now(),
  }).map((item) => item.body);
  const events = eventsOf(bodies);
  const sqs = new SQSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    requestHandler: stubTransport,
  });
  const full = createIngestHandler({
    enqueue: createEnqueuer({
      sqs,
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
      claims: { put: async (key) => ({ bucket: 'b', key }) },
      maxMessageBytes: 1_000_000,
    }),
    ...quiet,
  });
  // Our own work only: the message is built and serialized exactly as for SQS, then dropped.
  const own = createIngestHandler({
    enqueue: async (meta, body) => ({
      messageId: String(sqsSafeJson({ v: 1, meta, body }).length),
      claimed: false,
    }),
    ...quiet,
  });
  const replay = (handler: typeof full) => async () => {
    for (const event of events)
      if ((await handler(event)).body !== 'success') throw new Error('ingest refused a payload');
  };
  let sink = 0;
  const baseline = await perRequest(bodies.length, () => {
    for (const body of bodies) sink += JSON.stringify(JSON.parse(body)).length;
  });
  const ownWork = await perRequest(events.length, replay(own));
  const withSdk = await perRequest(events.length, replay(full));
  sqs.destroy();
  if (sink === 0) throw new Error('unreachable');
  return [
    {
      name: `ingest, own work (${COUNT} payloads)`,
      ours: ownWork,
      baseline,
      unit: 'µs',
      target: { kind: 'max', ratio: 3 },
    },
    {
      name: `ingest incl. SDK SendMessage (transport stub)`,
      ours: withSdk,
      baseline,
      unit: 'µs',
      target: { kind: 'max', ratio: 3 },
    },
  ];
};

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const figure of await runIngestOverhead()) console.log(ratioLine(figure));
}
