/** `records call` prints an item's attributes in one logical order, whatever order DynamoDB returned them in. */
import fc from 'fast-check';
import type { CallItem } from '../../../functions/commons/store/items.js';
import { orderedCall, orderedJob } from '../../../local/cli/item-order.js';

const item = {
  lastReceivedAt: '2026-12-08T01:00:01.000Z',
  recordings: { call: { status: 'ARCHIVED', url: 'u', attempts: 1, updatedAt: 't' } },
  deliveryIds: new Set(['a']),
  record: {
    warnings: [],
    transcript: [],
    customerTelephone: '13733105333',
    robotDefName: '百天邀约',
    kind: 'call',
    startTime: '2019-01-12T16:09:32+08:00',
    callId: '1',
    extra: { x: 1 },
    results: [],
  },
  state: 'RECORDED',
  intent: { level: 'C', source: 'ai' },
  deliveries: 2,
  pk: 'out#1',
  callId: '1',
  sortTime: '2019-01-12T16:09:32+08:00',
  companyId: '1',
} as unknown as CallItem;

test('ids and state, times, results, the record, recordings, bookkeeping last; inside the record likewise', () => {
  const ordered = orderedCall(item);
  expect(Object.keys(ordered)).toEqual([
    'pk',
    'callId',
    'companyId',
    'state',
    'sortTime',
    'intent',
    'record',
    'recordings',
    'deliveries',
    'lastReceivedAt',
    'deliveryIds',
  ]);
  expect(Object.keys(ordered.record ?? {})).toEqual([
    'kind',
    'callId',
    'startTime',
    'customerTelephone',
    'results',
    'transcript',
    'robotDefName',
    'warnings',
    'extra',
  ]);
  expect(ordered).toEqual(item);
});

test('the same order whatever order the attributes arrive in', () => {
  const entries = Object.entries(item);
  fc.assert(
    fc.property(fc.shuffledSubarray(entries, { minLength: entries.length }), (shuffled) => {
      const again = orderedCall(Object.fromEntries(shuffled) as unknown as CallItem);
      expect(JSON.stringify(again, (_k, v) => (v instanceof Set ? [...v] : v))).toBe(
        JSON.stringify(orderedCall(item), (_k, v) => (v instanceof Set ? [...v] : v)),
      );
    }),
  );
});

test('a job: ids, status and history before the job and its bookkeeping', () => {
  const job = orderedJob({
    deliveries: 1,
    job: { kind: 'job', platform: 'classic', callJobId: '535', warnings: [] },
    history: {},
    status: { code: 2, name: 'COMPLETED' },
    pk: 'job#535',
    callJobId: '535',
  });
  expect(Object.keys(job)).toEqual(['pk', 'callJobId', 'status', 'history', 'job', 'deliveries']);
});
