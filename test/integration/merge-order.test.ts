/**
 * Every delivery order ends in the same item: a call record, two manual changes and
 * duplicates of each, delivered in fast-check-chosen orders and batch splits, on DynamoDB Local.
 */

import type { SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { DEFAULT_INDEX_SHARDS, shardOf } from '../../functions/commons/store/shards.js';
import { drainQueue, getCall, getJob, useLocalEnv, wireConsume, wireIngest } from '../support/local-env.js';
import { apiEvent } from '../support/recorders.js';
import { variantOf } from '../support/vendor.js';

const env = useLocalEnv({ prefix: 'order' });

const T0 = Date.UTC(2026, 10, 26, 2, 0, 0);

const callRecord = (callId: number) =>
  variantOf('outbound', (inner) => {
    (inner.sceneInstance as Record<string, unknown>).callInstanceId = callId;
  });

const manualChange = (callId: number, value: string) =>
  variantOf('manualIntent', (inner) => {
    inner.taskResult = [
      { companyId: 1, sceneInstanceId: callId, resultName: '客户意向等级', resultValue: value },
    ];
  });

/** Six deliveries: each callback twice (百应 retried after a lost ack), at fixed receive times. */
const deliveriesFor = (callId: number) => [
  { name: 'record', body: callRecord(callId), requestId: 'r-1', receivedAt: T0 + 1_000 },
  { name: 'manual-A', body: manualChange(callId, 'A级(较强)'), requestId: 'm1-1', receivedAt: T0 + 2_000 },
  { name: 'manual-D', body: manualChange(callId, 'D'), requestId: 'm2-1', receivedAt: T0 + 3_000 },
  { name: 'record-retry', body: callRecord(callId), requestId: 'r-2', receivedAt: T0 + 10_000 },
  {
    name: 'manual-A-retry',
    body: manualChange(callId, 'A级(较强)'),
    requestId: 'm1-2',
    receivedAt: T0 + 2_500,
  },
  { name: 'manual-D-retry', body: manualChange(callId, 'D'), requestId: 'm2-2', receivedAt: T0 + 3_500 },
];

/**
 * The item without what legitimately differs per run: its id, the index shard that follows from
 * the id (checked to be that id's), and where the batch happened to be archived.
 */
const comparable = (item: Record<string, unknown> | undefined) => {
  if (!item) return undefined;
  const { pk: _pk, callId, recordArchive, manualArchive, record, companyDate, jobShard, ...rest } = item;
  const { callId: _recordCallId, ...recordRest } = (record ?? {}) as Record<string, unknown>;
  const shard = `#${shardOf(String(callId), DEFAULT_INDEX_SHARDS)}`;
  expect([String(companyDate).endsWith(shard), String(jobShard).endsWith(shard)]).toEqual([true, true]);
  return {
    ...rest,
    companyDate: String(companyDate).slice(0, -shard.length),
    jobShard: String(jobShard).slice(0, -shard.length),
    record: recordRest,
    hasArchives: [typeof recordArchive, typeof manualArchive],
  };
};

test('every delivery order and batching gives the same final item', async () => {
  let callId = 90_000;
  const finals: unknown[] = [];
  await fc.assert(
    fc.asyncProperty(
      fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6, maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 6, maxLength: 6 }),
      fc.boolean(),
      async (order, batchSizes, replayOneBatch) => {
        callId++;
        const deliveries = deliveriesFor(callId);
        const ingest = wireIngest(env);
        const consume = wireConsume(env);
        let position = 0;
        for (const size of batchSizes) {
          const slice = order.slice(position, position + size);
          position += size;
          if (slice.length === 0) break;
          for (const index of slice) {
            const delivery = deliveries[index] as (typeof deliveries)[number];
            const reply = await ingest.handler(apiEvent(delivery.body, delivery));
            expect(reply.body).toBe('success');
          }
          for (const event of await drainQueue(env)) {
            // Records of one batch are merged concurrently, so the contention path is exercised too.
            expect((await consume.handler(event as SQSEvent)).batchItemFailures).toEqual([]);
            if (replayOneBatch) await consume.handler(event as SQSEvent);
          }
        }
        const item = await getCall(env, `out#${callId}`);
        expect(item).toMatchObject({
          deliveries: 6,
          state: 'RECORDED',
          firstReceivedAt: new Date(T0 + 1_000).toISOString(),
          lastReceivedAt: new Date(T0 + 10_000).toISOString(),
          // The newest manual change by receive time is D's retry at T0 + 3.5 s.
          intent: { level: 'D', value: 'D', source: 'manual', changedAt: new Date(T0 + 3_500).toISOString() },
          manualIntent: { level: 'D', source: 'manual' },
        });
        finals.push(comparable(item));
      },
    ),
    { numRuns: 20 },
  );
  expect(finals.length).toBe(20);
  for (const final of finals) expect(final).toEqual(finals[0]);
});

/** Job statuses and manual changes that carry 百应's own time of the change (`gmtModified`). */
const vendorTimedFor = (id: number) => {
  const job = (status: number, modified: string) =>
    variantOf('job', (inner) => {
      inner.callJobId = id;
      inner.status = status;
      inner.gmtModified = modified;
    });
  const manual = (value: string, modified: string) =>
    variantOf('manualIntent', (inner) => {
      inner.taskResult = [
        {
          companyId: 1,
          sceneInstanceId: id,
          resultName: '客户意向等级',
          resultValue: value,
          gmtModified: modified,
        },
      ];
    });
  return [
    { body: job(1, '2026-11-26 10:00:00'), route: '/callbacks/job' },
    { body: job(4, '2026-11-26 10:10:00'), route: '/callbacks/job' },
    { body: job(1, '2026-11-26 10:20:00'), route: '/callbacks/job' },
    { body: job(2, '2026-11-26 10:30:00'), route: '/callbacks/job' },
    { body: manual('B', '2026-11-26 10:00:00'), route: '/callbacks/call' },
    { body: manual('A', '2026-11-26 10:30:00'), route: '/callbacks/call' },
    { body: manual('D', '2026-11-26 10:15:00'), route: '/callbacks/call' },
  ];
};

test('with vendor times, any arrival order ends in the newest status and level by vendor time', async () => {
  let id = 95_000;
  await fc.assert(
    fc.asyncProperty(
      // Arrival order, with some deliveries repeated (百应 retries after a lost ack).
      fc
        .array(fc.integer({ min: 0, max: 6 }), { minLength: 7, maxLength: 12 })
        .chain((extra) =>
          fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, ...extra], { minLength: 7 + extra.length }),
        ),
      fc.integer({ min: 1, max: 5 }),
      async (order, batchSize) => {
        id++;
        const deliveries = vendorTimedFor(id);
        const ingest = wireIngest(env);
        const consume = wireConsume(env);
        for (let start = 0; start < order.length; start += batchSize) {
          for (const [offset, index] of order.slice(start, start + batchSize).entries()) {
            const delivery = deliveries[index] as (typeof deliveries)[number];
            const reply = await ingest.handler(
              apiEvent(delivery.body, { route: delivery.route, receivedAt: T0 + (start + offset) * 1_000 }),
            );
            expect(reply.body).toBe('success');
          }
          for (const event of await drainQueue(env)) {
            expect((await consume.handler(event as SQSEvent)).batchItemFailures).toEqual([]);
          }
        }
        const job = await getJob(env, String(id));
        expect(job?.status).toEqual({ code: 2, name: 'COMPLETED' });
        // Each (status, vendor time) once: status 1 twice, at two different times.
        expect(Object.keys(job?.history ?? {}).sort()).toEqual([
          '1@2026-11-26T10:00:00+08:00',
          '1@2026-11-26T10:20:00+08:00',
          '2@2026-11-26T10:30:00+08:00',
          '4@2026-11-26T10:10:00+08:00',
        ]);
        const call = await getCall(env, `out#${id}`);
        expect(call?.intent).toMatchObject({ level: 'A', source: 'manual' });
      },
    ),
    { numRuns: 15 },
  );
});
