/**
 * The queue message's metadata JSON (`metaJson`, which reuses the part that repeats between
 * requests) and the receive time (`isoTimestamp`, which reuses the date within a second) must
 * write exactly what sqsSafeJson and Date#toISOString write, whatever came before them.
 */
import fc from 'fast-check';
import { isoTimestamp } from '../../../functions/commons/ingest/iso-timestamp.js';
import { metaJson } from '../../../functions/commons/meta-json.js';
import type { ReceiveMeta } from '../../../functions/commons/queue-message.js';
import { sqsSafeJson } from '../../../functions/commons/sqs-safe-json.js';

const text = fc.oneof(
  fc.constantFrom('120.55.46.3', 'application/json;charset=utf-8', 'text/plain', 'CALL_INSTANCE_RESULT'),
  fc.string({ maxLength: 8, unit: 'binary' }),
  fc.constantFrom('a"b', 'c\\d', 'e\u0001f', '\ud800', '😀', ''),
);

const metaArb: fc.Arbitrary<ReceiveMeta> = fc.record(
  {
    requestId: fc.oneof(fc.uuid(), fc.constantFrom('local-1-abc', 'id"quoted', 'id\\slash', '请求'), text),
    receivedAt: fc.oneof(
      fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms).toISOString()),
      text,
    ),
    source: fc.constantFrom('callback' as const, 'reconciler' as const),
    sourceIp: fc.option(text, { nil: undefined }),
    route: fc.option(fc.constantFrom('call', 'job', 'other'), { nil: undefined }),
    contentType: fc.option(text, { nil: undefined }),
    dataType: fc.option(fc.oneof(fc.constantFrom('CALL_INSTANCE_RESULT', 'JOB_INFO_RESULT'), text), {
      nil: undefined,
    }),
    rejected: fc.option(text, { nil: undefined }),
    bodyEncoding: fc.option(fc.constant('base64' as const), { nil: undefined }),
  },
  { requiredKeys: ['requestId', 'receivedAt', 'source'] },
);

test('metaJson writes what sqsSafeJson writes, for any sequence of requests', () => {
  fc.assert(
    fc.property(fc.array(metaArb, { minLength: 1, maxLength: 40 }), (metas) => {
      for (const meta of metas) expect(metaJson(meta)).toBe(sqsSafeJson(meta));
    }),
    { numRuns: 400 },
  );
});

test('metaJson notices a change in any repeated field between two requests of one type', () => {
  const base: ReceiveMeta = {
    requestId: '8f0c7d7e-4a39-4b0e-9d6c-1d2b3c4d5e6f',
    receivedAt: '2026-12-07T04:16:37.123Z',
    source: 'callback',
    sourceIp: '120.55.46.3',
    route: 'call',
    contentType: 'application/json',
    dataType: 'CALL_INSTANCE_RESULT',
  };
  for (const change of [
    { sourceIp: '42.192.127.33' },
    { route: 'job' },
    { contentType: 'text/plain;charset=utf-8' },
    { source: 'reconciler' as const },
    { sourceIp: undefined },
  ]) {
    expect(metaJson(base)).toBe(sqsSafeJson(base));
    const changed = { ...base, ...change };
    expect(metaJson(changed)).toBe(sqsSafeJson(changed));
  }
});

test('isoTimestamp writes what Date#toISOString writes, for any sequence of times', () => {
  const instant = fc.oneof(
    fc.integer({ min: 0, max: 253_402_300_799_999 }),
    fc.integer({ min: 1_780_000_000_000, max: 1_780_000_005_000 }), // many within one second
    fc.constantFrom(0, 999, 1000, 253_402_300_799_999, 253_402_300_800_000, -1, -62_198_755_200_000),
    fc.double({ min: 0, max: 2e12, noNaN: true }),
  );
  fc.assert(
    fc.property(fc.array(instant, { minLength: 1, maxLength: 30 }), (times) => {
      for (const ms of times) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    }),
    { numRuns: 500 },
  );
});
