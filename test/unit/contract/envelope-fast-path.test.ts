/**
 * Ingest reads plain envelopes without the schema (`plainEnvelope`); the schema still decides
 * everything else. Side by side on envelope-shaped values, mangled in every field the envelope
 * constrains: the fast path never accepts what the schema refuses, and reads the same fields.
 */
import fc from 'fast-check';
import * as v from 'valibot';
import { envelope, plainEnvelope, readEnvelope } from '../../../functions/commons/contract/envelope.js';
import { VENDOR_EXAMPLES, type VendorExample, vendorObject } from '../../support/vendor.js';

const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom('', ' ', '200', ' CALL_INSTANCE_RESULT ', 'JOB_INFO_RESULT', '\t'),
  fc.string(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);

/** Drops the keys whose value is undefined, so "absent" and "present" are both tried. */
const compact = (value: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));

const envelopeLike = fc
  .record({
    code: anyValue,
    dataType: anyValue,
    callbackType: anyValue,
    inner: fc.oneof(anyValue, fc.constant({ callInstanceId: 1 }), fc.constant('{"a":1}')),
    data: fc.oneof(fc.constant('object'), anyValue),
    top: fc.oneof(fc.constant('object'), anyValue),
  })
  .map(({ code, dataType, callbackType, inner, data, top }) => {
    const innerData = data === 'object' ? compact({ dataType, callbackType, data: inner }) : data;
    return top === 'object' ? compact({ code, data: innerData }) : top;
  });

test('never accepts what the envelope schema refuses, and reads the same fields', () => {
  fc.assert(
    fc.property(envelopeLike, (value) => {
      const fast = plainEnvelope(value);
      const schema = v.safeParse(envelope, value);
      if (!fast) return;
      expect(schema.success).toBe(true);
      if (!schema.success) return;
      expect(fast.output.code).toBe(schema.output.code);
      expect(fast.output.data.dataType).toBe(schema.output.data.dataType);
      expect(fast.output.data.callbackType).toBe(schema.output.data.callbackType);
      expect(fast.output.data.data).toEqual(schema.output.data.data);
    }),
    { numRuns: 3000 },
  );
});

test('takes every vendor example (so the fast path is the one deliveries use)', () => {
  for (const example of Object.keys(VENDOR_EXAMPLES) as VendorExample[]) {
    expect(plainEnvelope(vendorObject(example))).toBeDefined();
  }
});

test.each([
  ['a blank dataType', '{"code":200,"data":{"dataType":"  ","data":{}}}', 'data.dataType'],
  ['a numeric callbackType', '{"code":200,"data":{"callbackType":7,"data":{}}}', 'data.callbackType'],
  ['no type at all', '{"code":200,"data":{"data":{}}}', 'data.dataType'],
  ['code null', '{"code":null,"data":{"dataType":"X","data":{}}}', 'code'],
  ['data an array', '{"code":200,"data":[1]}', 'data'],
])('the schema still names what is wrong: %s', (_name, body, path) => {
  const result = readEnvelope(body);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.path).toBe(path);
});

test('whether the body parsed exactly as sent (only then may it travel unescaped)', () => {
  const body = '{"code":200,"data":{"dataType":"X","data":{}}}';
  expect(readEnvelope(body)).toMatchObject({ ok: true, parsesAsJson: true });
  expect(readEnvelope(`\uFEFF${body}`)).toMatchObject({ ok: true, parsesAsJson: false });
  expect(readEnvelope(body.replace('{}', '{"a":1,}'))).toMatchObject({ ok: true, parsesAsJson: false });
});
