/**
 * One envelope definition: whatever ingest acknowledges as an envelope, consume reads as one, and
 * whatever ingest refuses as no envelope (400), consume refuses for the same reason — over
 * generated bodies with arrays, nulls, nested objects, missing and extra keys, both platforms'
 * type fields and contents. Ingest and consume parse with different parsers (JSON.parse and the
 * exact reader): this also holds them to the same idea of JSON.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { readCallback } from '../../../functions/commons/contract/read-callback.js';
import { createIngestHandler } from '../../../functions/commons/ingest/ingest-handler.js';
import type { ReceiveMeta } from '../../../functions/commons/queue-message.js';
import { apiEvent, RecordingCounter, RecordingLogger } from '../../support/recorders.js';
import { fixturePath, vendorBody } from '../../support/vendor.js';

/** A type field: mostly a name, sometimes absent, null, blank or not a string at all. */
const typeName = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'CALL_INSTANCE_RESULT',
      ' JOB_INFO_RESULT ',
      'INBOUND_CALL_INSTANCE_RESULT',
      'SMS',
    ),
    weight: 12,
  },
  { arbitrary: fc.constantFrom(undefined, null), weight: 4 },
  { arbitrary: fc.oneof(fc.constantFrom('', '  ', {}, []), fc.integer()), weight: 1 },
);

const callContent = fc.oneof(
  fc.record({ sceneInstance: fc.oneof(fc.constant(null), fc.dictionary(fc.string(), fc.jsonValue())) }),
  fc.record({ callInstance: fc.oneof(fc.constant(null), fc.dictionary(fc.string(), fc.jsonValue())) }),
  fc.record({ taskResult: fc.jsonValue() }),
  fc.record({ status: fc.jsonValue(), callJobStatus: fc.option(fc.jsonValue(), { nil: undefined }) }),
);

const inner = fc.oneof(
  { arbitrary: callContent, weight: 6 },
  { arbitrary: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }), weight: 3 },
  { arbitrary: callContent.map((value) => JSON.stringify(value)), weight: 2 },
  { arbitrary: fc.oneof(fc.constant(undefined), fc.constant(null)), weight: 1 },
  { arbitrary: fc.array(fc.jsonValue(), { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.array(fc.jsonValue(), { maxLength: 2 }).map((value) => JSON.stringify(value)), weight: 1 },
  { arbitrary: fc.oneof(fc.string(), fc.integer()), weight: 1 },
);

const envelopeData = fc.oneof(
  {
    arbitrary: fc
      .record(
        { dataType: typeName, callbackType: typeName, data: inner, extra: fc.jsonValue() },
        { requiredKeys: ['data'] },
      )
      .map((data) => Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined))),
    weight: 10,
  },
  {
    arbitrary: fc.oneof(fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 2 }), fc.string()),
    weight: 1,
  },
);

const body = fc
  .record(
    {
      code: fc.oneof(
        { arbitrary: fc.constantFrom(200, '200'), weight: 6 },
        { arbitrary: fc.oneof(fc.constantFrom(null, 'abc'), fc.jsonValue()), weight: 1 },
      ),
      data: envelopeData,
      resultMsg: fc.jsonValue(),
      other: fc.jsonValue(),
    },
    { requiredKeys: ['data'] },
  )
  .chain((value) =>
    fc.oneof(
      { arbitrary: fc.constant(JSON.stringify(value)), weight: 4 },
      { arbitrary: fc.constant(JSON.stringify(value, null, 2)), weight: 2 },
      // Double-encoded: the body is a JSON string holding the envelope.
      { arbitrary: fc.constant(JSON.stringify(JSON.stringify(value))), weight: 1 },
      { arbitrary: fc.constant(JSON.stringify([value])), weight: 1 },
    ),
  );

const ingestVerdict = async (text: string) => {
  const sent: ReceiveMeta[] = [];
  const handler = createIngestHandler({
    enqueue: async (meta) => {
      sent.push(meta);
      return { messageId: 'm', claimed: false };
    },
    logger: new RecordingLogger(),
    counter: new RecordingCounter(),
  });
  const reply = await handler(apiEvent(text));
  return {
    accepted: reply.body === 'success',
    code: reply.statusCode === 400 ? (JSON.parse(reply.body) as { error: string }).error : undefined,
    dataType: sent[0]?.dataType,
  };
};

test('ingest’s verdict and consume’s verdict never disagree', async () => {
  await fc.assert(
    fc.asyncProperty(body, async (text) => {
      const ingest = await ingestVerdict(text);
      const consume = readCallback(text);
      const consumeRefusesEnvelope = !consume.ok && ['NOT_JSON', 'NOT_ENVELOPE'].includes(consume.error.code);
      expect({ text, accepted: ingest.accepted }).toEqual({ text, accepted: !consumeRefusesEnvelope });
      if (!ingest.accepted) expect(ingest.code).toBe(consume.ok ? undefined : consume.error.code);
      if (consume.ok) expect(ingest.dataType).toBe(consume.dataType);
    }),
    { numRuns: 2000 },
  );
});

test.each([
  ['data.data is an array', '{"code":200,"data":{"dataType":"CALL_INSTANCE_RESULT","data":[{"a":1}]}}'],
  ['data.data is a string holding an array', '{"code":200,"data":{"dataType":"X","data":"[1,2]"}}'],
  ['both type fields null', '{"code":200,"data":{"dataType":null,"callbackType":null,"data":{}}}'],
])('%s: refused by both (400 NOT_ENVELOPE)', async (_name, text) => {
  expect(await ingestVerdict(text)).toMatchObject({ accepted: false, code: 'NOT_ENVELOPE' });
  expect(readCallback(text)).toMatchObject({ ok: false, error: { code: 'NOT_ENVELOPE' } });
});

describe('null type fields are absent; the content decides the platform', () => {
  const classicInner = (JSON.parse(vendorBody('outbound')) as { data: { data: unknown } }).data.data;
  const openInner = (
    JSON.parse(readFileSync(fixturePath('open-call-documented'), 'utf8')) as {
      data: { data: unknown };
    }
  ).data.data;
  const bodyOf = (names: Record<string, unknown>, inner: unknown) =>
    JSON.stringify({ code: 200, data: { ...names, data: inner }, resultMsg: '成功' });

  test.each([
    [
      'dataType null beside callbackType (open call)',
      'open',
      { dataType: null, callbackType: 'CALL_INSTANCE_RESULT' },
      openInner,
    ],
    [
      'callbackType null beside dataType (classic call)',
      'classic',
      { callbackType: null, dataType: 'CALL_INSTANCE_RESULT' },
      classicInner,
    ],
    [
      'a classic sceneInstance under a stray callbackType',
      'classic',
      { callbackType: 'CALL_INSTANCE_RESULT' },
      classicInner,
    ],
    ['an open callInstance named by dataType', 'open', { dataType: 'CALL_INSTANCE_RESULT' }, openInner],
    [
      'a classic job status under callbackType',
      'classic',
      { callbackType: 'JOB_INFO_RESULT' },
      { callJobId: 535, status: 2 },
    ],
    [
      'an open job status under dataType',
      'open',
      { dataType: 'JOB_INFO_RESULT' },
      { callJobId: 535, callJobStatus: 2 },
    ],
  ])('%s: accepted by ingest, read by consume as %s', async (_name, platform, names, inner) => {
    const text = bodyOf(names, inner);
    expect(await ingestVerdict(text)).toMatchObject({ accepted: true });
    const read = readCallback(text);
    expect(read).toMatchObject({ ok: true, platform });
    if (read.ok) for (const record of read.records) expect(record).toMatchObject({ platform });
  });
});
