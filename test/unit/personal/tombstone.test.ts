/** What an erased call keeps: the facts, never the person — including fields 百应 may add tomorrow. */
import fc from 'fast-check';
import { readCallback } from '../../../functions/commons/contract/read-callback.js';
import type { CallRecord } from '../../../functions/commons/contract/types.js';
import { phoneHasher } from '../../../functions/commons/personal/phone.js';
import { expiresAtOf, phoneHashOf } from '../../../functions/commons/personal/policy.js';
import {
  customerPhonesOf,
  KEPT_RECORD_FIELDS,
  tombstoneRecord,
} from '../../../functions/commons/personal/tombstone.js';
import { vendorBody } from '../../support/vendor.js';

const recordOf = (kind: 'outbound' | 'inbound'): CallRecord => {
  const read = readCallback(vendorBody(kind));
  if (!read.ok) throw new Error('the vendor fixture does not read');
  return read.records.find((record) => record.kind === 'call') as CallRecord;
};

test("the vendor doc's outbound call: ids, times, outcome and intent level stay; every number, name, word and link goes", () => {
  const record = recordOf('outbound');
  const kept = tombstoneRecord(record as unknown as Record<string, unknown>);
  expect(kept).toMatchObject({ callId: record.callId, direction: 'outbound', companyId: record.companyId });
  expect(kept.durationSeconds).toBe(record.durationSeconds);
  expect(kept.finishStatus).toEqual(record.finishStatus);
  const text = JSON.stringify(kept);
  for (const personal of [
    'customerTelephone',
    'customerName',
    'transcript',
    'properties',
    'userProperties',
    'recordingUrl',
    'extra',
    'labels',
    'results',
  ]) {
    expect(Object.keys(kept)).not.toContain(personal);
  }
  if (record.customerTelephone) expect(text).not.toContain(record.customerTelephone);
  for (const turn of record.transcript) if (turn.content) expect(text).not.toContain(turn.content);
});

test('only listed fields survive, whatever else a record carries (a field 百应 adds tomorrow is erased)', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue()), (record) => {
      const kept = tombstoneRecord(record);
      for (const key of Object.keys(kept)) expect([...KEPT_RECORD_FIELDS, 'intent']).toContain(key);
    }),
  );
});

test('an intent keeps its level only', () => {
  const kept = tombstoneRecord({
    intent: { ai: { level: 'A', value: 'A级(较强)', description: '有意向', reason: '客户说要买' } },
  });
  expect(kept.intent).toEqual({ ai: { level: 'A', value: 'A级(较强)', description: '有意向' } });
});

test("the customer's number: customerTelephone first, else the far end (callee out, caller in), else a marker's", () => {
  const policy = { retentionDays: 0, hashPhone: phoneHasher('k'.repeat(40)) };
  const hash = policy.hashPhone;
  expect(
    customerPhonesOf({
      direction: 'outbound',
      record: { customerTelephone: '1', calleePhone: '2', callerPhone: '3' },
    }),
  ).toEqual(['1', '2']);
  expect(customerPhonesOf({ direction: 'inbound', record: { calleePhone: '2', callerPhone: '3' } })).toEqual([
    '3',
  ]);
  // A masked customerTelephone is not a number: the callee's is.
  expect(
    phoneHashOf(policy, {
      direction: 'outbound',
      record: { customerTelephone: '137****5333', calleePhone: '13700005333' },
    }),
  ).toBe(hash('13700005333'));
  // The line name an outbound call's callerPhone often holds is never taken for the customer.
  expect(phoneHashOf(policy, { direction: 'outbound', record: { callerPhone: '测试线路' } })).toBeUndefined();
  expect(
    phoneHashOf(policy, {
      direction: 'inbound',
      missing: { listedBy: 'queryUnCallBack', customerTelephone: '13700005333' },
    }),
  ).toBe(hash('13700005333'));
  expect(
    phoneHashOf(undefined, { direction: 'inbound', record: { callerPhone: '13700005333' } }),
  ).toBeUndefined();
});

test('expiresAt: the item time plus the retention, in epoch seconds; none when kept or timeless', () => {
  const policy = { retentionDays: 30, hashPhone: phoneHasher('k'.repeat(40)) };
  expect(expiresAtOf(policy, '2026-12-01T10:00:00+08:00')).toBe(Date.parse('2026-12-31T02:00:00Z') / 1000);
  expect(expiresAtOf({ ...policy, retentionDays: 0 }, '2026-12-01T10:00:00+08:00')).toBeUndefined();
  expect(expiresAtOf(policy, undefined)).toBeUndefined();
  expect(expiresAtOf(policy, 'not a time')).toBeUndefined();
});
