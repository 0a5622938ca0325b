/**
 * The edges where the reader used to lose or corrupt data (issue: "Nothing lost at the edges").
 * Each test names the defect it pins; each failed on the reader before the fix.
 */
import { type ReadResult, readCallback } from '../../../functions/commons/contract/index.js';
import type { CallRecord, JobRecord, ManualIntentRecord } from '../../../functions/commons/contract/types.js';
import { variantOf, vendorBody, vendorObject } from '../../support/vendor.js';

type Json = Record<string, unknown>;

const ok = (result: ReadResult) => {
  if (!result.ok) throw new Error(`expected a read, got ${result.error.code}: ${result.error.message}`);
  return result;
};
const call = (body: string) => ok(readCallback(body)).records[0] as CallRecord;
const codesAt = (record: { warnings: readonly { path: string; code: string }[] }, path: string) =>
  record.warnings.filter((warning) => warning.path === path).map((warning) => warning.code);
const scene = (inner: Json) => inner.sceneInstance as Json;

describe('2. one odd nested field never costs the call', () => {
  test.each([
    ['phoneLog: ""', (inner: Json) => (inner.phoneLog = ''), 'data.data.phoneLog', 'empty-string'],
    [
      'phoneLogs: {}',
      (inner: Json) => ((inner.phoneLog as Json).phoneLogs = {}),
      'data.data.phoneLog.phoneLogs',
      'empty-object',
    ],
    ['taskResult: ""', (inner: Json) => (inner.taskResult = ''), 'data.data.taskResult', 'empty-string'],
  ])('%s → the call is stored without that part, with a warning', (_name, edit, path, code) => {
    const record = call(variantOf('outbound', edit));
    expect(record.callId).toBe('1');
    expect(record.durationSeconds).toBe(35);
    expect(codesAt(record, path)).toContain(code);
  });

  test('taskResult as one object → a list of one; the intent level is read from it', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        inner.taskResult = (inner.taskResult as Json[])[0];
      }),
    );
    expect(record.results).toHaveLength(1);
    expect(record.intent.ai?.level).toBe('C');
    expect(codesAt(record, 'data.data.taskResult')).toEqual(['object-as-list']);
  });

  test('taskResult and phoneLogs as JSON strings → parsed, ids exact', () => {
    const original = vendorObject('outbound');
    const inner = (original.data as Json).data as Json;
    const body = variantOf('outbound', (data) => {
      data.taskResult = JSON.stringify(inner.taskResult).replace('1117274388', '9223372036854775807');
      (data.phoneLog as Json).phoneLogs = JSON.stringify((inner.phoneLog as Json).phoneLogs);
    });
    const record = call(body);
    expect(record.results.map((result) => result.name)).toEqual(['客户意向等级', '客户标签']);
    expect(record.results[0]?.resultId).toBe('9223372036854775807');
    expect(record.transcript.map((turn) => turn.logId)).toEqual(['1156248612', '1156249713']);
    expect(codesAt(record, 'data.data.taskResult')).toContain('json-as-string');
    expect(codesAt(record, 'data.data.phoneLog.phoneLogs')).toContain('json-as-string');
  });

  test('phoneLog sent as the list of turns itself → read as its phoneLogs', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        inner.phoneLog = (inner.phoneLog as Json).phoneLogs;
      }),
    );
    expect(record.transcript).toHaveLength(2);
    expect(codesAt(record, 'data.data.phoneLog')).toEqual(['list-as-object']);
  });

  test('a part that means nothing as a list (a number, plain text) is kept under unreadable', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        inner.taskResult = 42;
        (inner.phoneLog as Json).phoneLogs = 'not json';
      }),
    );
    expect(record.unreadable).toEqual({
      'data.data.taskResult': 42,
      'data.data.phoneLog.phoneLogs': 'not json',
    });
    expect(record.results).toEqual([]);
    expect(record.transcript).toEqual([]);
  });

  test('sceneInstance inside a JSON string is read; a manual change whose taskResult is one object too', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        inner.sceneInstance = JSON.stringify(inner.sceneInstance);
      }),
    );
    expect(record.callId).toBe('1');
    const manual = ok(
      readCallback(
        variantOf('manualIntent', (inner) => {
          inner.taskResult = (inner.taskResult as Json[])[0];
        }),
      ),
    ).records[0] as ManualIntentRecord;
    expect(manual.callId).toBe('2016');
    expect(manual.intent?.level).toBe('B');
  });
});

describe('3. every time format is read', () => {
  const startOf = (value: unknown) =>
    call(
      variantOf('outbound', (inner) => {
        scene(inner).startTime = value;
      }),
    );

  test.each([
    ['2019-01-12 16:09:32+0800', '2019-01-12T16:09:32+08:00'],
    ['2019-01-12T16:09:32+08', '2019-01-12T16:09:32+08:00'],
    ['2019-01-12T08:09:32Z', '2019-01-12T16:09:32+08:00'],
    ['2019-01-12 16:09:32.000000', '2019-01-12T16:09:32+08:00'],
    ['2019-01-12 16:09:32.123456', '2019-01-12T16:09:32.123+08:00'],
    ['2019-01-12 16:09:32.5', '2019-01-12T16:09:32.500+08:00'],
    ['1547280572000', '2019-01-12T16:09:32+08:00'],
    ['1547280572', '2019-01-12T16:09:32+08:00'],
    [1547280572, '2019-01-12T16:09:32+08:00'],
    [1547280572000, '2019-01-12T16:09:32+08:00'],
    ['20190112160932', '2019-01-12T16:09:32+08:00'],
  ])('%p → %s, with a warning and nothing unreadable', (sent, expected) => {
    const record = startOf(sent);
    expect(record.startTime).toBe(expected);
    expect(record.unreadable).toBeUndefined();
    expect(codesAt(record, 'data.data.sceneInstance.startTime').length).toBe(1);
  });

  test('the canonical form has no warning', () => {
    expect(codesAt(startOf('2019-01-12 16:09:32'), 'data.data.sceneInstance.startTime')).toEqual([]);
  });

  test.each([
    ['1970-01-01 09:00:00', []],
    ['1970-01-01 08:00:00', ['no-time']],
    [0, ['no-time']],
    ['0', ['no-time']],
  ])('the "no time" sentinel %p reads as none', (sent, codes) => {
    const record = call(
      variantOf('outbound', (inner) => {
        scene(inner).secondaryCallTime = sent;
        scene(inner).startTime = sent;
      }),
    );
    expect(record.secondaryCallTime).toBeUndefined();
    expect(record.startTime).toBeUndefined();
    expect(record.unreadable).toBeUndefined();
    expect(codesAt(record, 'data.data.sceneInstance.secondaryCallTime')).toEqual(codes);
  });

  test('a text that is no time at all is still kept raw', () => {
    const record = startOf('yesterday at noon');
    expect(record.startTime).toBeUndefined();
    expect(record.unreadable).toEqual({ 'data.data.sceneInstance.startTime': 'yesterday at noon' });
  });
});

describe('4. a manual change that does not name the intent level', () => {
  test('has no intent (the store leaves the level alone), and keeps its results, dateTime and extras', () => {
    const body = JSON.stringify({
      code: 200,
      data: {
        dataType: 'CALL_INSTANCE_RESULT',
        data: {
          taskResult: [
            {
              companyId: 241,
              sceneInstanceId: 2016,
              resultName: '客户标签',
              resultValue: '[7]',
              operator: 'agent-12',
            },
          ],
          dateTime: 'Thu, 24 Jan 2019 07:28:09 GMT',
          channel: 'crm',
        },
      },
    });
    const change = ok(readCallback(body)).records[0] as ManualIntentRecord;
    expect(change.intent).toBeUndefined();
    expect(change.results.map((result) => result.name)).toEqual(['客户标签']);
    expect(change.signedAt).toBe('2019-01-24T15:28:09+08:00');
    expect(change.extra).toEqual({
      'data.data.channel': 'crm',
      'data.data.taskResult[0].operator': 'agent-12',
    });
  });
});

describe('6. transcript lines', () => {
  const turns = (logs: Json[]) =>
    call(
      variantOf('outbound', (inner) => {
        (inner.phoneLog as Json).phoneLogs = logs;
      }),
    );

  test('the same line twice (same log id) is kept once, with a warning', () => {
    const record = turns([
      { sceneInstanceLogId: 10, speaker: 'AI', content: 'hello', startTime: 0, endTime: 0 },
      { sceneInstanceLogId: 11, speaker: 'ME', content: 'hi', startTime: 1200, endTime: 1800 },
      { sceneInstanceLogId: 10, speaker: 'AI', content: 'hello', startTime: 0, endTime: 0 },
    ]);
    expect(record.transcript.map((turn) => [turn.turn, turn.logId])).toEqual([
      [1, '10'],
      [2, '11'],
    ]);
    expect(codesAt(record, 'data.data.phoneLog.phoneLogs[2]')).toEqual(['duplicate-turn']);
  });

  test('a line without an id keeps its spoken position (by start offset), not the end', () => {
    const record = turns([
      { sceneInstanceLogId: 10, speaker: 'AI', content: 'a', startTime: 0, endTime: 0 },
      { sceneInstanceLogId: 11, speaker: 'ME', content: 'b', startTime: 1000, endTime: 1500 },
      { sceneInstanceLogId: 13, speaker: 'ME', content: 'e', startTime: 9000, endTime: 9500 },
      { speaker: 'ME', content: 'c', startTime: 4000, endTime: 4500 },
      { sceneInstanceLogId: 12, speaker: 'AI', content: 'd', startTime: 0, endTime: 0 },
    ]);
    expect(record.transcript.map((turn) => turn.content)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  test('a line without id or offset stays after the line it followed', () => {
    const record = turns([
      { sceneInstanceLogId: 10, speaker: 'AI', content: 'a', startTime: 0, endTime: 0 },
      { speaker: 'AI', content: 'b' },
      { sceneInstanceLogId: 11, speaker: 'ME', content: 'c', startTime: 1000, endTime: 1500 },
    ]);
    expect(record.transcript.map((turn) => turn.content)).toEqual(['a', 'b', 'c']);
  });
});

describe('8. nothing lost silently in the reader', () => {
  test('label ids in resultValue keep every digit', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        (inner.taskResult as Json[])[1] = {
          ...((inner.taskResult as Json[])[1] as Json),
          resultValue: '[9007199254740993,1]',
          resultLabels: null,
        };
      }),
    );
    expect(record.results[1]?.valueParsed).toEqual(['9007199254740993', 1]);
    expect(record.labels.map((label) => label.key)).toEqual(['9007199254740993', '1']);
  });

  test('a body with a duplicate key keeps exact ids (last key wins, warning)', () => {
    const body = vendorBody('outbound').replace(
      '"callInstanceId": 1,',
      '"callInstanceId": 1, "callInstanceId": 9223372036854775807,',
    );
    expect(body).toContain('9223372036854775807');
    const result = ok(readCallback(body));
    const record = result.records[0] as CallRecord;
    expect(record.callId).toBe('9223372036854775807');
    expect(codesAt({ warnings: result.warnings }, 'data.data.sceneInstance.callInstanceId')).toContain(
      'duplicate-key',
    );
  });

  test('__proto__, constructor and toString inside parsed JSON are kept as data', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        scene(inner).properties = '{"__proto__":{"polluted":1},"constructor":"c","toString":"t","a":1}';
      }),
    ) as CallRecord & { properties: Json };
    expect(Object.keys(record.properties)).toEqual(['__proto__', 'constructor', 'toString', 'a']);
    expect(Object.getOwnPropertyDescriptor(record.properties, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(({} as Json).polluted).toBeUndefined();
  });

  test('a key named __proto__ in the body itself is kept under extra', () => {
    const body = vendorBody('outbound').replace('"jobFinished"', '"__proto__": {"x": 1}, "jobFinished"');
    const record = call(body);
    expect(record.extra?.['data.data.__proto__']).toEqual({ x: 1 });
  });

  test('ids and times of turns and results that would vanish are kept; a differing id is noted', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        scene(inner).companyId = 151;
        scene(inner).callInstanceId = 1540384412;
        const first = (inner.phoneLog as Json).phoneLogs as Json[];
        (first[0] as Json).gmtCreate = '2019-01-12 16:09:33';
        (first[0] as Json).sceneInstanceId = 777;
      }),
    );
    const turn = record.transcript[0];
    expect(turn?.createdAt).toBe('2019-01-12T16:09:33+08:00');
    expect(record.extra?.['data.data.phoneLog.phoneLogs[0].sceneInstanceId']).toBe('777');
    expect(codesAt(record, 'data.data.phoneLog.phoneLogs[0].sceneInstanceId')).toEqual(['id-mismatch']);
    // An id equal to the call's own is implied, not stored twice.
    expect(record.extra?.['data.data.phoneLog.phoneLogs[1].sceneInstanceId']).toBeUndefined();
    expect(record.extra?.['data.data.phoneLog.phoneLogs[1].companyId']).toBeUndefined();
  });

  test('studyStatus keeps its code', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        const logs = (inner.phoneLog as Json).phoneLogs as Json[];
        (logs[0] as Json).studyStatus = 1;
        (logs[1] as Json).studyStatus = 3;
      }),
    );
    expect(record.transcript.map((turn) => turn.studyStatus)).toEqual([
      { code: 1, name: 'STUDIED' },
      { code: 3, name: 'UNKNOWN' },
    ]);
  });
});

describe('5. vendor times are read for ordering', () => {
  test('a job carries gmtModified and the signed dateTime', () => {
    const job = ok(
      readCallback(
        variantOf('job', (inner) => {
          inner.gmtModified = '2019-01-12 16:09:32';
        }),
      ),
    ).records[0] as JobRecord;
    expect(job.modifiedAt).toBe('2019-01-12T16:09:32+08:00');
  });
});
