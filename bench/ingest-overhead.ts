/**
 * Measure 1 — ingest overhead: the real ingest handler (SQS stubbed at the HTTP transport, so the
 * SDK's serialization, middleware and checksum all run) over 10,000 realistic payloads, against a
 * bare JSON.parse + JSON.stringify of the same bodies, in the same process and run.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createEnqueuer } from '../functions/commons/ingest/enqueue.js';
import { createIngestHandler } from '../functions/commons/ingest/ingest-handler.js';
import { generateCallbacks } from '../local/simulator/generate.js';
import { Random } from '../local/simulator/random.js';
import { alternate, type Figure, interleave, ratioLine } from './stats.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 10_000);

/** Answers SendMessage as SQS would, without a network: the SDK still does all its own work. */
const stubTransport = {
  handle: async (request: { body?: unknown }) => {
    const raw =
      typeof request.body === 'string'
        ? request.body
        : new TextDecoder().decode((request.body ?? new Uint8Array()) as Uint8Array);
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

/** API Gateway events as ingest receives them, arriving 1 ms apart (about the rate of a busy container). */
const eventsOf = (bodies: readonly string[], firstArrival = Date.now()) =>
  bodies.map((body, i) => ({
    resource: '/callbacks/call',
    path: '/callbacks/call',
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json;charset=utf-8' },
    body,
    isBase64Encoded: false,
    requestContext: {
      requestId: `bench-${i}`,
      requestTimeEpoch: firstArrival + i,
      identity: { sourceIp: '120.55.46.3' },
    },
  })) as unknown as Parameters<ReturnType<typeof createIngestHandler>>[0][];

const quiet = { logger: { info: () => {}, warn: () => {}, error: () => {} }, counter: { count: () => {} } };

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
/**
 * Through the SDK (each request costs ~0.3 ms of SDK work): rounds of SDK_COUNT requests in which
 * ours and the bare send take turns every BLOCK requests (see `interleave`); round k sends slice k
 * of the payloads on both sides.
 */
const SDK_ROUNDS = Number(process.env.BENCH_SDK_ROUNDS ?? 21);
const SDK_COUNT = Math.min(COUNT, 2000);
/** Requests per turn: a few milliseconds. SDK_COUNT is a multiple of it. */
const BLOCK = 10;

/** µs per item of one pass of `run` over `count` items. */
const perItem = async (count: number, run: () => Promise<void> | void): Promise<number> => {
  const started = performance.now();
  await run();
  return ((performance.now() - started) / count) * 1000;
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
  const queueUrl = 'https://sqs.us-east-1.amazonaws.com/000000000000/bench';
  /** The real handler and enqueuer, sending through `via`. */
  const handlerVia = (via: Pick<SQSClient, 'send'>) =>
    createIngestHandler({
      enqueue: createEnqueuer({
        sqs: via,
        queueUrl,
        claims: { put: async (key) => ({ bucket: 'b', key }) },
        maxMessageBytes: 1_000_000,
      }),
      ...quiet,
    });
  const full = handlerVia(sqs);
  // Our own work only: the real enqueuer builds the message exactly as for SQS; the send drops it.
  let built = 0;
  const own = handlerVia({
    send: async (command: SendMessageCommand) => {
      built += command.input.MessageBody?.length ?? 0;
      return { MessageId: 'own', $metadata: {} };
    },
  } as unknown as SQSClient);
  const replay = (handler: typeof full) => async () => {
    for (const event of events)
      if ((await handler(event)).body !== 'success') throw new Error('ingest refused a payload');
  };
  /** Block `block` of round `round`: round k covers slice k of SDK_COUNT payloads (wrapping around). */
  const blockOf = <T>(items: readonly T[], round: number, block: number) => {
    const start = (round % Math.max(1, Math.floor(COUNT / SDK_COUNT))) * SDK_COUNT + block * BLOCK;
    return items.slice(start, start + BLOCK);
  };
  let sink = 0;
  const jsonRoundTrip = () => {
    for (const body of bodies) sink += JSON.stringify(JSON.parse(body)).length;
  };
  // The floor we can act on: the SDK sending the very same body, with none of our work around it.
  const bareSend = async (round: number, block: number) => {
    for (const body of blockOf(bodies, round, block)) {
      const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      if (!sent.MessageId) throw new Error('no message id');
    }
  };
  const ingest = async (round: number, block: number) => {
    for (const event of blockOf(events, round, block))
      if ((await full(event)).body !== 'success') throw new Error('ingest refused a payload');
  };
  const ownWork = await alternate(
    ROUNDS,
    () => perItem(events.length, replay(own)),
    () => perItem(bodies.length, jsonRoundTrip),
  );
  const blocks = Math.ceil(SDK_COUNT / BLOCK);
  const withSdk = await interleave(SDK_ROUNDS, blocks, SDK_COUNT, ingest, bareSend);
  sqs.destroy();
  if (sink === 0 || built === 0) throw new Error('unreachable');
  return [
    {
      name: `ingest, own work (${COUNT} payloads)`,
      ...ownWork,
      unit: 'µs',
      // A plain parse, check and stringify is about 2–3×; this catches a second parse or
      // normalizing creeping into the hot path.
      target: { kind: 'max', ratio: 4 },
    },
    {
      name: 'ingest incl. SDK vs bare SendMessage',
      ...withSdk,
      unit: 'µs',
      // Reported only: what a user feels is the SendMessage round trip, milliseconds, not this.
      target: { kind: 'report', ratio: 0 },
    },
    {
      // As reported before (no target): the SDK figure against the JSON round trip of the same run.
      name: `ingest incl. SDK SendMessage (transport stub)`,
      ours: withSdk.ours,
      baseline: ownWork.baseline,
      unit: 'µs',
      target: { kind: 'report', ratio: 0 },
    },
  ];
};

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const figure of await runIngestOverhead()) console.log(ratioLine(figure));
}
