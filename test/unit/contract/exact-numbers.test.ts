/**
 * Every number 百应 sends is stored as its exact digits wherever it sits: a number when it is a
 * safe integer or a plain decimal, its exact text otherwise — inside objects sent as objects
 * (`properties`, `collectProperties`, `propertiesMap`, `taskResult[].extra`) as much as in JSON
 * text or the record's own fields. No parser object (`{value, isLosslessNumber}`) ever reaches
 * a record, so none reaches the item, the export or an event.
 */
import fc from 'fast-check';
import { readCallback } from '../../../functions/commons/contract/index.js';
import type { CallRecord } from '../../../functions/commons/contract/types.js';
import { storable } from '../../../functions/commons/store/storable.js';
import { vendorObject } from '../../support/vendor.js';

/** Every path in `value` whose object is not plain data (a class instance such as LosslessNumber). */
const nonPlainPaths = (value: unknown, path = '$'): string[] => {
  if (value === null || typeof value !== 'object') return [];
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return [path];
  return Object.entries(value).flatMap(([key, inner]) => nonPlainPaths(inner, `${path}.${key}`));
};

const BIG = '12345678901234567890';
const PRECISE = '0.12345678901234567890123';

/** The open platform's documented call, with `collectProperties`/`properties` as objects holding `numbers`. */
const openBody = (numbers: string) =>
  `{"code":200,"data":{"callbackType":"CALL_INSTANCE_RESULT","data":{"callInstance":{"callJobId":4849944,"callInstanceId":70258002706,"companyId":9,"finishStatus":0,"collectProperties":{"amount":${numbers}},"properties":{"nested":{"list":[${numbers}]}}},"phoneLogs":[],"taskResult":[]}}}`;

/** The classic outbound example, with `propertiesMap` and a result's `extra` as objects holding `numbers`. */
const classicBody = (numbers: string) => {
  const body = JSON.stringify(vendorObject('outbound'));
  return body
    .replace('"handlePerson"', `"propertiesMap":{"余额":${numbers},"deep":[{"x":${numbers}}]},"handlePerson"`)
    .replace('"resultLabels":null', `"resultLabels":null,"extra":{"score":${numbers}}`);
};

const callOf = (body: string): CallRecord => {
  const result = readCallback(body);
  if (!result.ok) throw new Error(result.error.message);
  return result.records[0] as CallRecord;
};

test('objects sent as objects keep big numbers as their exact text and plain numbers as numbers', () => {
  const open = callOf(openBody(BIG));
  expect(open.collectProperties).toEqual({ amount: BIG });
  expect(open.properties).toEqual({ nested: { list: [BIG] } });

  const mixed = callOf(openBody('1.5'));
  expect(mixed.collectProperties).toEqual({ amount: 1.5 });

  const classic = callOf(classicBody(BIG));
  expect(classic.propertiesMap).toEqual({ 余额: BIG, deep: [{ x: BIG }] });
  expect(classic.results.find((result) => result.extra !== undefined)?.extra).toEqual({ score: BIG });
  expect(callOf(classicBody(PRECISE)).propertiesMap).toEqual({ 余额: PRECISE, deep: [{ x: PRECISE }] });
});

test('whatever numbers sit inside those objects, the record holds only plain data with every digit', () => {
  const number = fc.oneof(
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
    fc.stringMatching(/^-?[1-9]\d{0,3}\.\d{16,22}$/),
    fc.stringMatching(/^[1-9]\d{0,2}e[1-9]\d{2}$/),
  );
  fc.assert(
    fc.property(fc.boolean(), number, (open, digits) => {
      const record = callOf(open ? openBody(digits) : classicBody(digits));
      expect(nonPlainPaths(record)).toEqual([]);
      expect(nonPlainPaths(storable(record))).toEqual([]);
      const kept = open
        ? (record.collectProperties as { amount: unknown }).amount
        : (record.propertiesMap as { 余额: unknown }).余额;
      // A number only where the number is exact; otherwise the digits as sent.
      if (typeof kept === 'number') expect(Number(digits)).toBe(kept);
      else expect(kept).toBe(digits);
    }),
    { numRuns: 400 },
  );
});
