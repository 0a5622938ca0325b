/**
 * Which item changes give which events, and that each is valid against its JSON Schema: a first
 * record, a manual change to A, a job's first and next status, a miss and its recovery, an
 * archived recording — and nothing for a change that alters none of those facts.
 */

import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { EVENT_TYPES, eventsOf } from '../../../functions/commons/events/domain-events.js';
import {
  createPublisherHandler,
  type EventEntry,
  entryBytes,
} from '../../../functions/commons/events/publisher.js';
import { SCHEMA_FILES, schemaProblems } from '../../support/event-schemas.js';
import { RecordingCounter, RecordingLogger } from '../../support/recorders.js';

const context = {
  table: 'calls' as const,
  version: '000000000000000000001',
  changedAt: '2026-11-27T08:00:00.000Z',
  includePhone: false,
};

const call = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  pk: 'out#1540384412',
  callId: '1540384412',
  direction: 'outbound',
  companyId: '888',
  callJobId: '12345',
  platform: 'classic',
  state: 'RECORDED',
  sortTime: '2019-01-12T16:10:11+08:00',
  deliveries: 1,
  sources: new Set(['callback']),
  record: {
    callId: '1540384412',
    startTime: '2019-01-12T16:10:11+08:00',
    endTime: '2019-01-12T16:11:40+08:00',
    durationSeconds: 89,
    finishStatus: { code: 0, name: 'ANSWERED' },
    customerTelephone: '13733105333',
    transcript: [{ turn: 1, speaker: 'AI', content: '喂，您好' }],
  },
  intent: { level: 'C', value: 'C级(很少)', source: 'ai' },
  ...over,
});

/** As EventBridge would deliver the event. */
const envelope = (type: string, detail: unknown) => ({
  version: '0',
  id: 'b5f3a1c2-0000-4000-8000-000000000000',
  source: 'byrobot-callbacks',
  'detail-type': type,
  account: '123456789012',
  time: '2026-11-27T08:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

const valid = (events: ReturnType<typeof eventsOf>) => {
  for (const event of events)
    expect([event.type, schemaProblems(envelope(event.type, event.detail))]).toEqual([event.type, []]);
  return events;
};

test('every event type has a schema file', () => {
  expect(SCHEMA_FILES.map((name) => name.replace('.schema.json', '')).sort()).toEqual(
    [...EVENT_TYPES].sort(),
  );
});

test('a first record: call.recorded and the first intent (old null), masked phone, no transcript', () => {
  const events = valid(eventsOf(undefined, call(), context));
  expect(events.map((event) => event.type)).toEqual(['call.recorded', 'call.intent-changed']);
  const [recorded, intent] = events;
  expect(recorded?.detail).toMatchObject({
    eventId: 'out#1540384412#000000000000000000001',
    callId: '1540384412',
    companyId: '888',
    callJobId: '12345',
    platform: 'classic',
    finishStatus: { code: 0, name: 'ANSWERED' },
    durationSeconds: 89,
    customerTelephone: '137****5333',
    item: { table: 'calls', pk: 'out#1540384412' },
  });
  expect(JSON.stringify(events)).not.toContain('喂，您好');
  expect(JSON.stringify(events)).not.toContain('13733105333');
  expect(intent?.detail).toMatchObject({ old: null, new: { level: 'C', source: 'ai' }, source: 'ai' });
});

test('a call without any level yet (intent stored as null) and a status stored as null: recorded, nothing more', () => {
  const stored = call({ intent: null, record: { ...(call().record as object), finishStatus: null } });
  const events = eventsOf(undefined, stored, context);
  expect(events.map((event) => event.type)).toEqual(['call.recorded']);
  expect(events[0]?.detail.intent).toBeUndefined();
  expect(events[0]?.detail.finishStatus).toBeUndefined();
  expect(eventsOf(stored, { ...stored, deliveries: 2 }, context)).toEqual([]);
});

test('eventsIncludePhone: the phone in full', () => {
  const [recorded] = eventsOf(undefined, call(), { ...context, includePhone: true });
  expect(recorded?.detail.customerTelephone).toBe('13733105333');
});

test('a manual change to A: call.intent-changed from C (ai) to A (manual), nothing else', () => {
  const after = call({
    intent: { level: 'A', value: 'A级(有意向)', source: 'manual', changedAt: '2026-11-27T07:59:00.000Z' },
  });
  const events = valid(eventsOf(call(), after, context));
  expect(events.map((event) => event.type)).toEqual(['call.intent-changed']);
  expect(events[0]?.detail).toMatchObject({
    old: { level: 'C', source: 'ai' },
    new: { level: 'A', source: 'manual' },
    source: 'manual',
  });
});

test('a duplicate delivery or bookkeeping change gives no event', () => {
  expect(eventsOf(call(), call({ deliveries: 2, lastReceivedAt: '2026-11-27T09:00:00Z' }), context)).toEqual(
    [],
  );
  // A manual change that keeps the level (a label edit) changes no level either.
  expect(
    eventsOf(
      call({ intent: { level: 'A', source: 'manual' } }),
      call({ intent: { level: 'A', source: 'manual', value: 'A级' } }),
      context,
    ),
  ).toEqual([]);
});

test('a manual change that arrives first, then the record: recorded once when the record lands', () => {
  const manualOnly = call({
    state: 'MANUAL_ONLY',
    record: undefined,
    intent: { level: 'B', source: 'manual' },
  });
  expect(valid(eventsOf(undefined, manualOnly, context)).map((event) => event.type)).toEqual([
    'call.intent-changed',
  ]);
  const recorded = call({ intent: { level: 'B', source: 'manual' } });
  expect(valid(eventsOf(manualOnly, recorded, context)).map((event) => event.type)).toEqual([
    'call.recorded',
  ]);
});

test('an inbound miss: call.missing; its recovery: call.recorded and call.recovered', () => {
  const missing = {
    pk: 'in#77',
    callId: '77',
    direction: 'inbound',
    companyId: '888',
    platform: 'classic',
    state: 'MISSING',
    firstListedAt: '2026-11-27T01:00:00.000Z',
    missing: {
      listedBy: 'queryUnCallBack',
      callerTime: '2026-11-27T08:59:00+08:00',
      customerTelephone: '13800001111',
    },
  };
  const marked = valid(eventsOf(undefined, missing, context));
  expect(marked.map((event) => event.type)).toEqual(['call.missing']);
  expect(marked[0]?.detail).toMatchObject({
    startTime: '2026-11-27T08:59:00+08:00',
    customerTelephone: '138****1111',
  });
  const recovered = {
    ...call({ pk: 'in#77', callId: '77', direction: 'inbound', intent: undefined }),
    firstListedAt: missing.firstListedAt,
  };
  const events = valid(eventsOf(missing, recovered, context));
  expect(events.map((event) => event.type)).toEqual(['call.recorded', 'call.recovered']);
  expect(events[1]?.detail.missingSince).toBe('2026-11-27T01:00:00.000Z');
});

test('a recording archived: call.recording-archived once per kind, not again on a later change', () => {
  const archived = {
    status: 'ARCHIVED',
    url: 'https://x.aliyuncs.com/a.wav',
    s3Key: 'recordings/888/2019/01/12/1540384412-call.wav',
    bytes: 48044,
    sha256: 'a'.repeat(64),
    contentType: 'audio/wav',
    fetchedAt: '2026-11-27T08:00:01.000Z',
  };
  const before = call({ recordings: { call: { status: 'PENDING', url: archived.url } } });
  const after = call({ recordings: { call: archived } });
  const events = valid(eventsOf(before, after, context));
  expect(events.map((event) => event.type)).toEqual(['call.recording-archived']);
  expect(events[0]?.detail.recording).toMatchObject({ kind: 'call', bytes: 48044 });
  expect(eventsOf(after, call({ recordings: { call: archived }, deliveries: 3 }), context)).toEqual([]);
});

test('an erasure: call.erased once, carrying no number; a delivery merged into the tombstone gives nothing', () => {
  const { record } = call() as { record: Record<string, unknown> };
  const { customerTelephone: _phone, transcript: _transcript, ...kept } = record;
  const tombstone = call({ record: kept, erasedAt: '2026-12-08T04:00:00.000Z' });
  const events = valid(eventsOf(call(), tombstone, context));
  expect(events.map((event) => event.type)).toEqual(['call.erased']);
  expect(events[0]?.detail).toMatchObject({ callId: '1540384412', erasedAt: '2026-12-08T04:00:00.000Z' });
  expect(JSON.stringify(events[0]?.detail)).not.toMatch(/137|customerTelephone/);
  // A later delivery (a new intent, more deliveries) on the tombstone: no event re-announces the call.
  const later = call({
    record: kept,
    erasedAt: '2026-12-08T04:00:00.000Z',
    intent: { level: 'A', source: 'ai' },
    deliveries: 2,
  });
  expect(eventsOf(tombstone, later, context)).toEqual([]);
});

test("a job's first status (old null), a change, and a repeat", () => {
  const jobs = { ...context, table: 'jobs' as const };
  const job = (code: number, name: string) => ({
    pk: 'job#12345',
    callJobId: '12345',
    companyId: '888',
    platform: 'classic',
    status: { code, name },
    job: { callJobId: '12345', jobName: '回访任务' },
  });
  const first = valid(eventsOf(undefined, job(2, 'RUNNING'), jobs));
  expect(first[0]?.detail).toMatchObject({
    eventId: 'job#12345#000000000000000000001',
    old: null,
    new: { code: 2, name: 'RUNNING' },
    jobName: '回访任务',
  });
  expect(valid(eventsOf(job(2, 'RUNNING'), job(3, 'COMPLETED'), jobs))[0]?.detail).toMatchObject({
    old: { code: 2 },
    new: { code: 3 },
  });
  expect(eventsOf(job(3, 'COMPLETED'), job(3, 'COMPLETED'), jobs)).toEqual([]);
});

describe('publisher', () => {
  const streamEvent = (
    images: [Record<string, unknown> | undefined, Record<string, unknown>][],
  ): DynamoDBStreamEvent => ({
    Records: images.map(([old, now], index) => ({
      eventSourceARN: 'arn:aws:dynamodb:us-east-1:1:table/calls-table/stream/2026-11-27T00:00:00.000',
      eventName: old ? 'MODIFY' : 'INSERT',
      dynamodb: {
        SequenceNumber: String(1000 + index),
        ApproximateCreationDateTime: 1795800000,
        ...(old ? { OldImage: marshall(old, { convertClassInstanceToMap: true }) as never } : {}),
        NewImage: marshall(now, { convertClassInstanceToMap: true }) as never,
      },
    })),
  });
  const tableOf = (arn: string) => (arn.includes('/calls-table/') ? ('calls' as const) : undefined);
  /** The publisher over `sink`, with no waiting between its retries. */
  const publisherWith = (
    sink: Parameters<typeof createPublisherHandler>[0]['sink'],
    options: { counter?: RecordingCounter; table?: 'calls' | 'jobs' } = {},
  ) =>
    createPublisherHandler({
      sink,
      tableOf: options.table ? () => options.table : tableOf,
      includePhone: false,
      logger: new RecordingLogger(),
      counter: options.counter ?? new RecordingCounter(),
      sleep: async () => undefined,
    });

  test('puts ten entries a request, retries what was not taken, and reports nothing failed', async () => {
    const requests: EventEntry[][] = [];
    let refuseFirst = true;
    const handler = publisherWith({
      put: async (entries) => {
        requests.push([...entries]);
        if (refuseFirst) {
          refuseFirst = false;
          return [0, 3];
        }
        return [];
      },
    });
    const changes = Array.from({ length: 7 }, (_, i): [undefined, Record<string, unknown>] => [
      undefined,
      call({ pk: `out#${i}`, callId: String(i) }),
    ]);
    expect(await handler(streamEvent(changes))).toEqual({ batchItemFailures: [] });
    expect(requests.map((request) => request.length)).toEqual([10, 4, 2]);
    expect(requests[2]?.map((entry) => entry.DetailType)).toEqual([
      requests[0]?.[0]?.DetailType,
      requests[0]?.[3]?.DetailType,
    ]);
    expect(requests[0]?.[0]).toMatchObject({ Source: 'byrobot-callbacks', DetailType: 'call.recorded' });
  });

  test('entries that keep failing: the first record affected is reported, so the stream retries from it', async () => {
    const counter = new RecordingCounter();
    const handler = publisherWith(
      {
        put: async (entries) =>
          entries.flatMap((entry, position) => (entry.Detail.includes('"callId":"2"') ? [position] : [])),
      },
      { counter },
    );
    const changes = Array.from({ length: 4 }, (_, i): [undefined, Record<string, unknown>] => [
      undefined,
      call({ pk: `out#${i}`, callId: String(i) }),
    ]);
    expect(await handler(streamEvent(changes))).toEqual({ batchItemFailures: [{ itemIdentifier: '1002' }] });
    expect(counter.total('EventsNotPublished')).toBe(2);
  });

  test('requests are cut at 256 KB as well as at ten entries', async () => {
    const requests: EventEntry[][] = [];
    const handler = publisherWith(
      {
        put: async (entries) => {
          requests.push([...entries]);
          return [];
        },
      },
      { table: 'jobs' },
    );
    // Job names are whatever the customer typed: 60 KB each here, seven status changes.
    const changes = Array.from({ length: 7 }, (_, i): [undefined, Record<string, unknown>] => [
      undefined,
      {
        pk: `job#${i}`,
        callJobId: String(i),
        companyId: '888',
        platform: 'classic',
        status: { code: 2, name: 'COMPLETED' },
        job: { callJobId: String(i), jobName: '任'.repeat(20_000) },
      },
    ]);
    expect(await handler(streamEvent(changes))).toEqual({ batchItemFailures: [] });
    expect(requests.flat()).toHaveLength(7);
    for (const request of requests) {
      expect(request.length).toBeLessThanOrEqual(10);
      expect(request.reduce((sum, entry) => sum + entryBytes(entry), 0)).toBeLessThanOrEqual(256 * 1024);
    }
    expect(requests.map((request) => request.length)).toEqual([4, 3]);
    expect(entryBytes(requests[0]?.[0] as EventEntry)).toBeGreaterThan(60_000);
  });
});
