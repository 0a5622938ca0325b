/**
 * Ingest's one-pass envelope scan (`scanEnvelope`) against the reader it stands in for
 * (JSON.parse + readEnvelope): it may decline anything, but what it accepts must be JSON that
 * JSON.parse reads as it is, holding an envelope readEnvelope accepts, with the same type.
 * And it must accept what deliveries look like, or the fast path would never be taken.
 */
import fc from 'fast-check';
import { readEnvelope } from '../../../functions/commons/contract/envelope.js';
import { scanEnvelope } from '../../../functions/commons/contract/envelope-scan.js';
import { generateCallbacks } from '../../../local/simulator/generate.js';
import { Random } from '../../../local/simulator/random.js';
import { VENDOR_EXAMPLES, type VendorExample, vendorObject } from '../../support/vendor.js';

/** What the scan claims, checked against the full reader. */
const expectSameAsReader = (text: string) => {
  const scanned = scanEnvelope(text);
  if (scanned === undefined) return false;
  expect(() => JSON.parse(text)).not.toThrow();
  const read = readEnvelope(text);
  expect(read).toMatchObject({ ok: true, parsesAsJson: true });
  if (read.ok) expect(scanned).toBe(read.envelope.dataType);
  return true;
};

const envelopeText = (type: string, inner: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ code: 200, data: { dataType: type, data: { inner } }, ...extra });

test('reads the type of every compact vendor example and simulated delivery', () => {
  for (const example of Object.keys(VENDOR_EXAMPLES) as VendorExample[]) {
    const text = JSON.stringify(vendorObject(example));
    expect(expectSameAsReader(text)).toBe(true);
  }
  const bodies = generateCallbacks(new Random(3), {
    count: 300,
    companyId: '9',
    idBase: 500_000_000,
    around: Date.parse('2026-12-01T10:00:00+08:00'),
  }).map((item) => item.body);
  for (const body of bodies) expect(expectSameAsReader(body)).toBe(true);
});

test('accepts any JSON value inside the envelope, with any escapes, and reads the same type', () => {
  fc.assert(
    fc.property(
      fc.jsonValue({ maxDepth: 6 }),
      fc.string({ minLength: 1, maxLength: 12 }).filter((type) => type.trim() !== '' && !/[\\"]/.test(type)),
      fc.jsonValue({ maxDepth: 2 }),
      (inner, type, other) => {
        const text = envelopeText(type, inner, { resultMsg: other, errorStackTrace: null });
        // JSON.stringify never writes control characters, so the scan must take all of these.
        expect(expectSameAsReader(text)).toBe(true);
      },
    ),
    { numRuns: 1500 },
  );
});

/** Characters that matter to JSON's grammar, for mutating valid texts into near misses. */
const GRAMMAR = [...'{}[]",:\\0123456789.eE+-tfnulrsa \u00e9\u4e2d'];

test('never accepts a mangled body that the full reader refuses or reads differently', () => {
  const seeds = [
    ...Object.keys(VENDOR_EXAMPLES).map((example) => JSON.stringify(vendorObject(example as VendorExample))),
    envelopeText('CALL_INSTANCE_RESULT', { list: [1, -2.5e3, true, null, 'a"b\\c\u00e9'], o: {} }),
    '{"code":"200","data":{"callbackType":"callInstance","dataType":"X","data":{"a":[]}}}',
  ];
  let accepted = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(...seeds),
      fc.array(
        fc.record({
          at: fc.nat(),
          kind: fc.constantFrom('insert', 'delete', 'replace'),
          char: fc.constantFrom(...GRAMMAR),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      (seed, edits) => {
        let text = seed;
        for (const { at, kind, char } of edits) {
          const i = at % (text.length + 1);
          text =
            kind === 'insert'
              ? text.slice(0, i) + char + text.slice(i)
              : kind === 'delete'
                ? text.slice(0, i) + text.slice(i + 1)
                : text.slice(0, i) + char + text.slice(i + 1);
        }
        if (expectSameAsReader(text)) accepted++;
      },
    ),
    { numRuns: 6000 },
  );
  // Mutants inside string values stay valid: the property above was really exercised.
  expect(accepted).toBeGreaterThan(100);
});

test.each([
  ['invalid JSON', '{"code":200,"data":{"dataType":"X","data":{}}'],
  ['a trailing comma (readEnvelope repairs it)', '{"code":200,"data":{"dataType":"X","data":{},}}'],
  ['a byte-order mark', '\uFEFF{"code":200,"data":{"dataType":"X","data":{}}}'],
  ['pretty-printed', '{\n  "code": 200,\n  "data": {"dataType": "X", "data": {}}\n}'],
  ['a leading space', ' {"code":200,"data":{"dataType":"X","data":{}}}'],
  ['spaces between tokens', '{"code": 200, "data": {"dataType": "X", "data": {}}}'],
  ['text after the object', '{"code":200,"data":{"dataType":"X","data":{}}} x'],
  ['an escaped key that spells data', '{"code":200,"d\\u0061ta":{"dataType":"X","data":{}}}'],
  ['an escaped type name', '{"code":200,"data":{"dataType":"\\u0058","data":{}}}'],
  ['a repeated data key', '{"code":200,"data":{"dataType":"X","data":{}},"data":{"dataType":"Y","data":{}}}'],
  ['a repeated type key', '{"code":200,"data":{"dataType":"X","dataType":"Y","data":{}}}'],
  ['a blank type', '{"code":200,"data":{"dataType":"  ","data":{}}}'],
  ['a numeric type', '{"code":200,"data":{"dataType":7,"data":{}}}'],
  ['inner data as a string', '{"code":200,"data":{"dataType":"X","data":"{\\"a\\":1}"}}'],
  ['inner data as an array', '{"code":200,"data":{"dataType":"X","data":[]}}'],
  ['no inner data', '{"code":200,"data":{"dataType":"X"}}'],
  ['code null', '{"code":null,"data":{"dataType":"X","data":{}}}'],
  ['code an object', '{"code":{},"data":{"dataType":"X","data":{}}}'],
  ['the envelope as a JSON string', JSON.stringify('{"code":200,"data":{"dataType":"X","data":{}}}')],
  ['a number with a leading zero', '{"code":200,"data":{"dataType":"X","data":{"n":01}}}'],
  ['an unknown escape', '{"code":200,"data":{"dataType":"X","data":{"s":"\\x"}}}'],
  ['a short unicode escape', '{"code":200,"data":{"dataType":"X","data":{"s":"\\u12"}}}'],
  ['a raw tab inside a string', '{"code":200,"data":{"dataType":"X","data":{"s":"a\tb"}}}'],
  ['an emoji (SQS refuses its surrogates raw)', '{"code":200,"data":{"dataType":"X","data":{"n":"张😀"}}}'],
  ['U+FFFF', '{"code":200,"data":{"dataType":"X","data":{"n":"\uFFFF"}}}'],
  ['a misspelt literal', '{"code":200,"data":{"dataType":"X","data":{"b":tru}}}'],
  [
    'nesting past the scan limit',
    `{"code":200,"data":{"dataType":"X","data":{"d":${'['.repeat(1100)}${']'.repeat(1100)}}}}`,
  ],
])('declines %s: the full reader decides', (_name, text) => {
  expect(scanEnvelope(text)).toBeUndefined();
});

test('reads the open platform type first, trimmed, as readEnvelope does', () => {
  const text = '{"data":{"dataType":" CALL_INSTANCE_RESULT ","callbackType":" callInstance ","data":{}}}';
  expect(scanEnvelope(text)).toBe('callInstance');
  expect(expectSameAsReader(text)).toBe(true);
  expect(scanEnvelope('{"code":"200","data":{"dataType":" X ","data":{}}}')).toBe('X');
});

test('keys named like the envelope but deeper or elsewhere are only data', () => {
  const text =
    '{"x":{"data":{"dataType":"no"}},"data":{"other":{"dataType":"no","data":"s"},"dataType":"Y","data":{"data":[],"code":{}}}}';
  expect(scanEnvelope(text)).toBe('Y');
  expect(expectSameAsReader(text)).toBe(true);
});
