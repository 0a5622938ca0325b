/**
 * Property tests: whatever arrives, the reader answers with records or a typed error, never
 * an exception; the same body always gives the same answer; ids keep every digit.
 */
import fc from 'fast-check';
import { readCallback } from '../../../functions/commons/contract/index.js';
import type { CallRecord } from '../../../functions/commons/contract/types.js';
import { editedExample, mutatedExample } from '../../support/arbitraries.js';
import { vendorObject } from '../../support/vendor.js';

const ERROR_CODES = ['NOT_JSON', 'NOT_ENVELOPE', 'UNKNOWN_DATA_TYPE', 'INVALID_RECORD'];

const expectAnswer = (body: string) => {
  const result = readCallback(body);
  if (result.ok) {
    expect(result.records.length).toBeGreaterThan(0);
  } else {
    // READER_FAILURE would mean our own code threw: never acceptable.
    expect(ERROR_CODES).toContain(result.error.code);
    expect(result.error.message.startsWith(`${result.error.path}: expected `)).toBe(true);
  }
  return result;
};

describe('the reader never throws', () => {
  test('arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (body) => void expectAnswer(body)),
      { numRuns: 500 },
    );
  });

  test('arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => void expectAnswer(JSON.stringify(value) ?? '')),
      { numRuns: 500 },
    );
  });

  test('arbitrary inner data under each known dataType', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('CALL_INSTANCE_RESULT', 'INBOUND_CALL_INSTANCE_RESULT', 'JOB_INFO_RESULT'),
        fc.jsonValue(),
        (dataType, data) => void expectAnswer(JSON.stringify({ code: 200, data: { dataType, data } })),
      ),
      { numRuns: 500 },
    );
  });

  test('vendor examples with one value replaced by arbitrary JSON', () => {
    fc.assert(
      fc.property(mutatedExample, (body) => void expectAnswer(body)),
      { numRuns: 1000 },
    );
  });

  test('text edits JSON.stringify never makes (leading zeros, 1e309, duplicate keys, __proto__)', () => {
    fc.assert(
      fc.property(editedExample, (body) => void expectAnswer(body)),
      { numRuns: 300 },
    );
  });

  test('prototype-pollution keys stay data', () => {
    const body =
      '{"code":200,"__proto__":{"polluted":1},"data":{"dataType":"JOB_INFO_RESULT","data":{"callJobId":1,"__proto__":{"x":1},"constructor":{"prototype":{"y":2}}}}}';
    const result = expectAnswer(body);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(result.ok).toBe(true);
    if (result.ok) {
      const extra = result.records[0]?.extra ?? {};
      expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
      // Kept as data under extra (the schemas' copies would leave them out), never as prototypes.
      expect(Object.keys(extra)).toEqual(['data.data.__proto__', 'data.data.constructor']);
      expect(Object.getOwnPropertyDescriptor(extra, 'data.data.__proto__')?.value).toEqual({ x: 1 });
      expect(extra['data.data.constructor']).toEqual({ prototype: { y: 2 } });
    }
  });
});

describe('determinism and exact ids', () => {
  test('normalizing the same body twice gives equal results', () => {
    fc.assert(
      fc.property(mutatedExample, (body) => {
        expect(readCallback(body)).toEqual(readCallback(body));
      }),
      { numRuns: 300 },
    );
  });

  test('any 64-bit id round-trips exactly, as a JSON number or a string', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), fc.boolean(), (id, asString) => {
        const body = vendorObject('outbound');
        const scene = ((body.data as Record<string, unknown>).data as Record<string, Record<string, unknown>>)
          .sceneInstance as Record<string, unknown>;
        scene.callInstanceId = '__ID__';
        const literal = asString ? `"${id}"` : id.toString();
        const result = readCallback(JSON.stringify(body).replace('"__ID__"', literal));
        expect(result.ok && (result.records[0] as CallRecord).callId).toBe(id.toString());
      }),
      { numRuns: 500 },
    );
  });
});
