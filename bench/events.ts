/**
 * Domain events: how many events per second the publisher sustains (stream records in, PutEvents
 * out, to the local event bus on the emulators) against raw PutEvents-shaped sends of the same
 * entries through the same client, alternating rounds in one run; and the added cost per million
 * callbacks (stream reads by Lambda are free; PutEvents is US$1 per million entries), from the
 * number of events the simulator's realistic mix of callbacks gives.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { eventsOf } from '../functions/commons/events/domain-events.js';
import { eventBridgeSink } from '../functions/commons/events/eventbridge-sink.js';
import { createPublisherHandler, entryOf } from '../functions/commons/events/publisher.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../local/emulators.js';
import { startLocalEventBus } from '../local/event-bus.js';
import { createLocalResources, localClients } from '../local/resources.js';
import { generateCallbacks } from '../local/simulator/generate.js';
import { Random } from '../local/simulator/random.js';
import type { Figure } from './stats.js';

const RECORDS = 500;
const ROUNDS = 5;
const PUT_EVENTS_PER_MILLION = 1.0;

/** A stored call item much like consume writes (the facts events read; the transcript left out). */
const callItem = (index: number) => ({
  pk: `out#${900_000_000 + index}`,
  callId: String(900_000_000 + index),
  direction: 'outbound',
  companyId: '1',
  callJobId: '4242',
  platform: 'classic',
  state: 'RECORDED',
  sortTime: '2026-11-27T10:00:00+08:00',
  deliveries: 1,
  record: {
    callId: String(900_000_000 + index),
    startTime: '2026-11-27T10:00:00+08:00',
    endTime: '2026-11-27T10:01:30+08:00',
    durationSeconds: 90,
    finishStatus: { code: 0, name: 'ANSWERED' },
    customerTelephone: '13733105333',
  },
  intent: { level: 'B', value: 'B级(一般)', source: 'ai' },
});

const streamEvent = (): DynamoDBStreamEvent => ({
  Records: Array.from({ length: RECORDS }, (_, index) => ({
    eventSourceARN:
      'arn:aws:dynamodb:us-east-1:000000000000:table/bench-calls/stream/2026-11-27T00:00:00.000',
    eventName: 'INSERT',
    dynamodb: {
      SequenceNumber: String(10_000 + index),
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      NewImage: marshall(callItem(index)) as never,
    },
  })),
});

/** Events per callback for the simulator's mix: each generated delivery applied to the item it changes. */
const eventsPerCallback = (): number => {
  const generated = generateCallbacks(new Random(11), {
    count: 2000,
    companyId: '1',
    idBase: 930_000_000,
    around: Date.now(),
  });
  const items = new Map<string, Record<string, unknown>>();
  let events = 0;
  for (const [index, item] of generated.entries()) {
    const before = items.get(item.key);
    const data = item.data as {
      sceneInstance?: unknown;
      taskResult?: { resultValue?: string }[];
      status?: number;
    };
    let after: Record<string, unknown>;
    if (item.kind === 'job') {
      after = {
        pk: item.key,
        callJobId: item.key.slice(4),
        status: { code: data.status ?? 0, name: String(data.status) },
      };
    } else {
      const level = data.taskResult?.[0]?.resultValue;
      after = {
        ...before,
        pk: item.key,
        callId: item.key.split('#')[1],
        direction: item.kind === 'inbound' ? 'inbound' : 'outbound',
        state: data.sceneInstance || before?.state === 'RECORDED' ? 'RECORDED' : 'MANUAL_ONLY',
        ...(level ? { intent: { level, source: item.kind === 'manualIntent' ? 'manual' : 'ai' } } : {}),
      };
    }
    events += eventsOf(before, after, {
      table: item.kind === 'job' ? 'jobs' : 'calls',
      version: String(index),
      changedAt: new Date().toISOString(),
      includePhone: false,
    }).length;
    items.set(item.key, after);
  }
  return events / generated.length;
};

export const runEventsBench = async (): Promise<{ figure: Figure; rows: string[] }> => {
  const emulators = await startEmulators({});
  const resources = await createLocalResources(emulators, { prefix: 'bench-events' });
  const clients = localClients(emulators);
  const bus = await startLocalEventBus({
    s3: clients.s3,
    bucket: resources.bucket,
    sqs: clients.sqs,
    queueUrl: resources.eventsQueueUrl,
  });
  const client = new EventBridgeClient({
    endpoint: bus.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const publish = createPublisherHandler({
    sink: eventBridgeSink(client, 'bench'),
    tableOf: () => 'calls',
    includePhone: false,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    counter: { count: () => undefined },
  });
  const event = streamEvent();
  // The same entries, built once: the baseline only sends.
  const entries = event.Records.flatMap((record) =>
    eventsOf(undefined, callItem(Number(record.dynamodb?.SequenceNumber) - 10_000), {
      table: 'calls',
      version: record.dynamodb?.SequenceNumber ?? '',
      changedAt: new Date().toISOString(),
      includePhone: false,
    }).map((domainEvent) => entryOf(domainEvent, new Date())),
  );
  const raw = async () => {
    for (let start = 0; start < entries.length; start += 10) {
      await client.send(
        new PutEventsCommand({
          Entries: entries.slice(start, start + 10).map((entry) => ({ ...entry, EventBusName: 'bench' })),
        }),
      );
    }
  };
  const ours: number[] = [];
  const baseline: number[] = [];
  try {
    for (let round = -1; round < ROUNDS; round++) {
      const steps: [number[], () => Promise<unknown>][] = [
        [ours, () => publish(event)],
        [baseline, raw],
      ];
      for (const [times, step] of round % 2 === 0 ? steps : steps.reverse()) {
        const started = performance.now();
        await step();
        if (round >= 0) times.push(entries.length / ((performance.now() - started) / 1000));
      }
    }
  } finally {
    client.destroy();
    await bus.stop();
    clients.dynamo.destroy();
    clients.sqs.destroy();
    clients.s3.destroy();
    await emulators.stop();
  }
  const perCallback = eventsPerCallback();
  const figure: Figure = {
    name: 'events: publisher throughput (events/s)',
    ours,
    baseline,
    unit: 'ev/s',
    target: { kind: 'report', ratio: 1 },
  };
  return {
    figure,
    rows: [
      `events per callback (simulator mix of calls, manual changes, jobs): ${perCallback.toFixed(2)}`,
      `added cost per million callbacks: PutEvents $${(perCallback * PUT_EVENTS_PER_MILLION).toFixed(2)}, stream reads $0.00 (free for Lambda), publisher λ ~$0.02 (batches of 100)`,
    ],
  };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ratioLine } = await import('./stats.js');
  const { figure, rows } = await runEventsBench();
  console.log(ratioLine(figure));
  for (const row of rows) console.log(row);
}
