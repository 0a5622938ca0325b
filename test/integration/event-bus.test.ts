/**
 * The local event bus (what the deployed EventBridge bus is to the local stack): each event it
 * accepts is kept as one object under `events/` (what `npm run events -- --local` reads) and as
 * one message on the local events queue, sent in batches of SQS's limit of 10.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { eventBridgeSink } from '../../functions/commons/events/eventbridge-sink.js';
import { createPublisherHandler } from '../../functions/commons/events/publisher.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/emulators.js';
import { EVENTS_PREFIX, type LocalEventBus, startLocalEventBus } from '../../local/event-bus.js';
import { useLocalEnv } from '../support/local-env.js';
import { RecordingCounter, RecordingLogger } from '../support/recorders.js';

const env = useLocalEnv({ prefix: 'bus' });
let bus: LocalEventBus;
let events: EventBridgeClient;

beforeAll(async () => {
  bus = await startLocalEventBus({
    s3: env.clients.s3,
    bucket: env.resources.bucket,
    sqs: env.clients.sqs,
    queueUrl: env.resources.eventsQueueUrl,
  });
  events = new EventBridgeClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: bus.endpoint,
  });
});

afterAll(async () => {
  events.destroy();
  await bus.stop();
});

const receiveAll = async (): Promise<string[]> => {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await env.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: env.resources.eventsQueueUrl, MaxNumberOfMessages: 10 }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((message) => message.Body ?? ''));
  }
};

test('23 events in one PutEvents (one of them invalid): 22 objects and 22 queue messages, each event once', async () => {
  const entries = Array.from({ length: 23 }, (_, index) => ({
    Source: 'byrobot-callbacks',
    DetailType: 'call.recorded',
    Detail: JSON.stringify({ callId: String(index) }),
  }));
  entries[5] = { ...entries[5], Detail: '' } as (typeof entries)[number];
  const result = await events.send(new PutEventsCommand({ Entries: entries }));
  expect(result.FailedEntryCount).toBe(1);
  expect(result.Entries?.[5]).toMatchObject({ ErrorCode: 'InvalidArgument' });
  const ids = (result.Entries ?? []).flatMap((entry) => (entry.EventId ? [entry.EventId] : []));
  expect(ids).toHaveLength(22);

  const queued = (await receiveAll()).map(
    (body) => JSON.parse(body) as { id: string; detail: { callId: string } },
  );
  expect(queued.map((event) => event.id).sort()).toEqual([...ids].sort());
  expect(queued.map((event) => Number(event.detail.callId)).sort((a, b) => a - b)).toEqual(
    Array.from({ length: 23 }, (_, index) => index).filter((index) => index !== 5),
  );

  const { Contents = [] } = await env.clients.s3.send(
    new ListObjectsV2Command({ Bucket: env.resources.bucket, Prefix: EVENTS_PREFIX }),
  );
  expect(Contents.map((object) => object.Key?.split('-').pop()?.replace('.json', '')).sort()).toEqual(
    [...ids].map((id) => id.split('-').pop()).sort(),
  );
});

test('phones reach the bus masked (unless eventsIncludePhone): the publisher’s events as a subscriber receives them', async () => {
  await receiveAll();
  const stored = {
    pk: 'out#1540384412',
    callId: '1540384412',
    direction: 'outbound',
    companyId: '888',
    platform: 'classic',
    state: 'RECORDED',
    record: { startTime: '2019-01-12T16:10:11+08:00', customerTelephone: '13733105333' },
    intent: { level: 'B', value: 'B级(一般)', source: 'ai' },
  };
  const change = (sequence: string) => ({
    Records: [
      {
        eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/calls/stream/x',
        eventName: 'INSERT' as const,
        dynamodb: {
          SequenceNumber: sequence,
          ApproximateCreationDateTime: 1795800000,
          NewImage: marshall(stored) as never,
        },
      },
    ],
  });
  const publish = (includePhone: boolean) =>
    createPublisherHandler({
      sink: eventBridgeSink(events, 'byrobot-callbacks-local-events'),
      tableOf: () => 'calls',
      includePhone,
      logger: new RecordingLogger(),
      counter: new RecordingCounter(),
    });

  expect(await publish(false)(change('1'))).toEqual({ batchItemFailures: [] });
  const masked = await receiveAll();
  expect(masked.map((body) => JSON.parse(body)['detail-type']).sort()).toEqual([
    'call.intent-changed',
    'call.recorded',
  ]);
  for (const body of masked) {
    expect(JSON.parse(body).detail.customerTelephone).toBe('137****5333');
    expect(body).not.toMatch(/1\d{10}/);
  }

  expect(await publish(true)(change('2'))).toEqual({ batchItemFailures: [] });
  for (const body of await receiveAll())
    expect(JSON.parse(body).detail.customerTelephone).toBe('13733105333');
});
