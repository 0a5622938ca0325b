import { readEnvelope } from '../../../functions/commons/contract/envelope.js';
import { readCallback } from '../../../functions/commons/contract/index.js';
import { variantOf, vendorBody } from '../../support/vendor.js';

const errorOf = (body: string) => {
  const result = readCallback(body);
  if (result.ok) throw new Error('expected an error');
  return result.error;
};

describe('bodies that are not a 百应 callback get a typed error naming the path', () => {
  test.each([
    ['', 'NOT_JSON', '(body)', 'an empty body'],
    ['   ', 'NOT_JSON', '(body)', 'an empty body'],
    ['code=200&data=x', 'NOT_JSON', '(body)', 'text that is not JSON'],
    ['[1,2]', 'NOT_ENVELOPE', '(body)', 'an array of 2'],
    ['"hello"', 'NOT_ENVELOPE', '(body)', 'the string "hello"'],
    ['{"code":200}', 'NOT_ENVELOPE', 'data', 'nothing'],
    ['{"code":200,"data":[]}', 'NOT_ENVELOPE', 'data', 'an array of 0'],
    ['{"code":200,"data":{"data":{}}}', 'NOT_ENVELOPE', 'data.dataType', 'nothing'],
    ['{"code":200,"data":{"dataType":42,"data":{}}}', 'NOT_ENVELOPE', 'data.dataType', 'number 42'],
    ['{"code":200,"data":{"dataType":" ","data":{}}}', 'NOT_ENVELOPE', 'data.dataType', 'the string " "'],
    ['{"code":200,"data":{"dataType":"JOB_INFO_RESULT","data":7}}', 'NOT_ENVELOPE', 'data.data', 'number 7'],
    [
      '{"code":200,"data":{"dataType":"JOB_INFO_RESULT","data":"[1]"}}',
      'NOT_ENVELOPE',
      'data.data',
      'the string "[1]"',
    ],
    ['{"code":{},"data":{"dataType":"JOB_INFO_RESULT","data":{}}}', 'NOT_ENVELOPE', 'code', 'an object'],
  ])('%j → %s at %s', (body, code, path, received) => {
    const error = errorOf(body);
    expect(error.code).toBe(code);
    expect(error.path).toBe(path);
    expect(error.received).toContain(received);
    expect(error.message).toBe(`${path}: expected ${error.expected}, got ${error.received}`);
  });

  test('an unknown dataType is named', () => {
    const error = errorOf('{"code":200,"data":{"dataType":"SMS_RESULT","data":{}}}');
    expect(error).toMatchObject({
      code: 'UNKNOWN_DATA_TYPE',
      path: 'data.dataType',
      received: 'the string "SMS_RESULT"',
    });
    expect(error.expected).toContain('INBOUND_CALL_INSTANCE_RESULT');
  });

  test('a call record without a readable call id', () => {
    const error = errorOf(
      variantOf('outbound', (inner) => {
        (inner.sceneInstance as Record<string, unknown>).callInstanceId = 'abc';
      }),
    );
    expect(error).toMatchObject({
      code: 'INVALID_RECORD',
      path: 'data.data.sceneInstance.callInstanceId',
      received: 'the string "abc"',
    });
    expect(error.message).toContain('an id');
  });

  test('an inbound record without inboundInstanceId', () => {
    const error = errorOf(
      variantOf('inbound', (inner) => {
        delete (inner.sceneInstance as Record<string, unknown>).inboundInstanceId;
      }),
    );
    expect(error).toMatchObject({
      code: 'INVALID_RECORD',
      path: 'data.data.sceneInstance.inboundInstanceId',
      received: 'nothing',
    });
  });

  test('a CALL_INSTANCE_RESULT with neither sceneInstance nor taskResult', () => {
    const error = errorOf(
      '{"code":200,"data":{"dataType":"CALL_INSTANCE_RESULT","data":{"jobFinished":false}}}',
    );
    expect(error).toMatchObject({ code: 'INVALID_RECORD', path: 'data.data', received: 'neither' });
  });

  test('a manual change whose entry names no call', () => {
    const error = errorOf(
      variantOf('manualIntent', (inner) => {
        delete ((inner.taskResult as Record<string, unknown>[])[0] as Record<string, unknown>)
          .sceneInstanceId;
      }),
    );
    expect(error).toMatchObject({ code: 'INVALID_RECORD', path: 'data.data.taskResult[0].sceneInstanceId' });
    const empty = errorOf(
      variantOf('manualIntent', (inner) => {
        inner.taskResult = [];
      }),
    );
    expect(empty).toMatchObject({
      code: 'INVALID_RECORD',
      path: 'data.data.taskResult',
      expected: 'a non-empty list of objects',
    });
  });

  test('a job whose callJobId is missing', () => {
    const error = errorOf(
      variantOf('job', (inner) => {
        inner.callJobId = null;
      }),
    );
    expect(error).toMatchObject({ code: 'INVALID_RECORD', path: 'data.data.callJobId', received: 'null' });
  });

  test('error messages never carry a full phone number', () => {
    const error = errorOf('{"customerTelephone":"13733105333", "oops"');
    expect(error.message).not.toMatch(/\d{7,}/);
    const stringBody = errorOf('"call me on 13733105333"');
    expect(stringBody.message).toContain('137****5333');
    expect(stringBody.message).not.toContain('13733105333');
  });
});

describe('readEnvelope (what ingest uses)', () => {
  test('routes every vendor example by dataType without reading records', () => {
    const dataTypes = (['outbound', 'job', 'manualIntent', 'inbound'] as const).map((example) => {
      const result = readEnvelope(vendorBody(example));
      return result.ok ? result.envelope.dataType : result.error.message;
    });
    expect(dataTypes).toEqual([
      'CALL_INSTANCE_RESULT',
      'JOB_INFO_RESULT',
      'CALL_INSTANCE_RESULT',
      'INBOUND_CALL_INSTANCE_RESULT',
    ]);
  });

  test('accepts an unknown dataType (consume decides what to do with it)', () => {
    const result = readEnvelope('{"code":"200","data":{"dataType":"NEW_KIND","data":{"x":1}}}');
    expect(result.ok && result.envelope).toEqual({
      dataType: 'NEW_KIND',
      platform: 'classic',
      code: '200',
      data: { x: 1 },
    });
  });

  test('a body with duplicate keys still reads (last key wins), with a warning', () => {
    const result = readCallback(
      '{"code":200,"code":200,"data":{"dataType":"JOB_INFO_RESULT","data":{"callJobId":1,"callJobId":2}}}',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.records.map((record) => (record.kind === 'job' ? record.callJobId : ''))).toEqual(['2']);
    expect(result.warnings.map((warning) => [warning.path, warning.code])).toEqual(
      expect.arrayContaining([
        ['code', 'duplicate-key'],
        ['data.data.callJobId', 'duplicate-key'],
      ]),
    );
  });
});

describe('hostile shapes get a clear error, never a crash', () => {
  test('JSON nested 100,000 levels deep', () => {
    const body = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const result = readCallback(body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      code: 'NOT_JSON',
      expected: 'JSON nested at most 64 levels deep',
      received: 'nesting 100000 levels deep',
    });
    expect(readEnvelope(body).ok).toBe(false);
  });

  test('brackets inside strings do not count as nesting', () => {
    const body = variantOf('job', (inner) => {
      inner.remark = `${'['.repeat(500)}{{{`;
    });
    expect(readCallback(body).ok).toBe(true);
  });

  test('a 1e309 number and ids with leading zeros', () => {
    const body = vendorBody('job')
      .replace('"smsType": 0', '"smsType": 1e309')
      .replace('"callJobId": 535', '"callJobId": 000535');
    const result = readCallback(body);
    // Leading zeros are not JSON: refused with a clear error rather than guessed at.
    expect(result.ok).toBe(false);
    const numbers = readCallback(vendorBody('job').replace('"smsType": 0', '"smsType": 1e309'));
    expect(numbers.ok).toBe(true);
    if (!numbers.ok) return;
    const job = numbers.records[0] as { smsType?: number; unreadable?: Record<string, unknown> };
    expect(job.smsType).toBeUndefined();
    expect(job.unreadable).toEqual({ 'data.data.smsType': '1e309' });
  });
});
