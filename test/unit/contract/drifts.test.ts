/**
 * One test per drift listed in DESIGN.md ("百应 facts that bite"), then variants of our own.
 * Each asserts both the value we read and the warning that records the drift.
 */
import { type ReadResult, readCallback } from '../../../functions/commons/contract/index.js';
import type { CallRecord, JobRecord, ManualIntentRecord } from '../../../functions/commons/contract/types.js';
import { variantOf, vendorBody, vendorObject } from '../../support/vendor.js';

type Json = Record<string, unknown>;

const ok = (result: ReadResult) => {
  if (!result.ok) throw new Error(`expected a read, got ${result.error.message}`);
  return result;
};
const call = (body: string) => ok(readCallback(body)).records[0] as CallRecord;
const job = (body: string) => ok(readCallback(body)).records[0] as JobRecord;
const codesAt = (record: { warnings: readonly { path: string; code: string }[] }, path: string) =>
  record.warnings.filter((warning) => warning.path === path).map((warning) => warning.code);

const scene = (inner: Json) => inner.sceneInstance as Json;
const task = (inner: Json, i: number) => (inner.taskResult as Json[])[i] as Json;
const turn = (inner: Json, i: number) => ((inner.phoneLog as Json).phoneLogs as Json[])[i] as Json;

describe('drifts from DESIGN.md', () => {
  test('envelope code 200 or "200"', () => {
    const asNumber = ok(readCallback(vendorBody('outbound')));
    const body = vendorObject('outbound');
    body.code = '200';
    const asString = ok(readCallback(JSON.stringify(body)));
    expect(asNumber.code).toBe('200');
    expect(asString.code).toBe('200');
    expect(asString.warnings.map((warning) => [warning.path, warning.code])).toContainEqual([
      'code',
      'number-as-string',
    ]);
    expect(asNumber.warnings.map((warning) => warning.path)).not.toContain('code');
  });

  test('a code other than 200 is read, and noted', () => {
    const body = vendorObject('outbound');
    body.code = 500;
    const result = ok(readCallback(JSON.stringify(body)));
    expect(result.code).toBe('500');
    expect(result.warnings.map((warning) => warning.code)).toContain('unexpected-code');
  });

  test('job callJobId: one id (example) or a list (doc type) → one record per job', () => {
    expect(job(vendorBody('job')).callJobId).toBe('535');
    const result = ok(
      readCallback(
        variantOf('job', (inner) => {
          inner.callJobId = [535, '536'];
        }),
      ),
    );
    expect(result.records.map((record) => (record as JobRecord).callJobId)).toEqual(['535', '536']);
    expect(result.records.every((record) => (record as JobRecord).status?.name === 'COMPLETED')).toBe(true);
    expect(result.warnings.map((warning) => [warning.path, warning.code])).toContainEqual([
      'data.data.callJobId',
      'id-list',
    ]);
  });

  test('job status: int (example) or String (doc type)', () => {
    const asString = job(
      variantOf('job', (inner) => {
        inner.status = '4';
      }),
    );
    expect(asString.status).toEqual({ code: 4, name: 'PAUSED_MANUALLY' });
    expect(codesAt(asString, 'data.data.status')).toEqual(['number-as-string']);
    expect(codesAt(job(vendorBody('job')), 'data.data.status')).toEqual([]);
  });

  test('every job status code has a name', () => {
    const names = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(
      (status) =>
        job(
          variantOf('job', (inner) => {
            inner.status = status;
          }),
        ).status?.name,
    );
    expect(names).toEqual([
      'NOT_STARTED',
      'RUNNING',
      'COMPLETED',
      'SCHEDULING',
      'PAUSED_MANUALLY',
      'PAUSED_AUTOMATICALLY',
      'TERMINATED',
      'QUEUED',
      'AI_EXPIRED',
      'ACCOUNT_IN_ARREARS',
    ]);
  });

  test('aiUnknown: boolean (examples) or int 0/1 (doc type)', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        turn(inner, 0).aiUnknown = 1;
        turn(inner, 1).aiUnknown = 0;
      }),
    );
    expect(record.transcript.map((t) => t.aiUnknown)).toEqual([true, false]);
    expect(codesAt(record, 'data.data.phoneLog.phoneLogs[0].aiUnknown')).toEqual(['int-for-boolean']);
  });

  test('artificialChanged: null, false, true, 0 and 1', () => {
    const withChanged = (value: unknown) =>
      call(
        variantOf('outbound', (inner) => {
          task(inner, 0).artificialChanged = value;
          task(inner, 0).artificialResultValue = 'A级(较强)';
        }),
      );
    expect(withChanged(null).intent.manual).toBeUndefined();
    expect(withChanged(false).intent.manual).toBeUndefined();
    expect(withChanged(0).intent.manual).toBeUndefined();
    for (const changed of [true, 1]) {
      const record = withChanged(changed);
      expect(record.intent.ai?.level).toBe('C');
      expect(record.intent.manual).toEqual({ level: 'A', value: 'A级(较强)' });
      expect(record.intent.effective).toEqual({ level: 'A', value: 'A级(较强)', source: 'manual' });
    }
    expect(codesAt(withChanged(1), 'data.data.taskResult[0].artificialChanged')).toEqual(['int-for-boolean']);
  });

  test('phoneLog startTime/endTime are millisecond offsets, even though the doc says Date', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        turn(inner, 1).startTime = '8350';
      }),
    );
    expect(record.transcript[1]?.startMs).toBe(8350);
    expect(record.transcript[1]?.endMs).toBe(10570);
    expect(codesAt(record, 'data.data.phoneLog.phoneLogs[1].startTime')).toEqual(['number-as-string']);
  });

  test('dateTime in Java Date.toString() and RFC 1123 forms', () => {
    const at = (dateTime: string) =>
      call(
        variantOf('outbound', (inner) => {
          inner.dateTime = dateTime;
        }),
      );
    const rfc = at('Thu, 16 Oct 2014 07:13:48 GMT');
    const java = at('Thu Oct 16 07:13:48 GMT 2014');
    const javaBeijing = at('Thu Oct 16 15:13:48 CST 2014');
    expect(rfc.signedAt).toBe('2014-10-16T15:13:48+08:00');
    expect(java.signedAt).toBe(rfc.signedAt);
    expect(javaBeijing.signedAt).toBe(rfc.signedAt);
    expect(codesAt(rfc, 'data.data.dateTime')).toEqual([]);
    expect(codesAt(java, 'data.data.dateTime')).toEqual(['time-format']);
  });

  test('secondaryCallTime "1970-01-01 09:00:00" means no second call; a real time is kept', () => {
    expect(call(vendorBody('outbound')).secondaryCallTime).toBeUndefined();
    const planned = call(
      variantOf('outbound', (inner) => {
        scene(inner).secondaryCallTime = '2019-01-13 10:00:00';
        scene(inner).secondaryCallTimes = 1;
      }),
    );
    expect(planned.secondaryCallTime).toBe('2019-01-13T10:00:00+08:00');
    expect(planned.secondaryCallTimes).toBe(1);
  });

  test('resultValue "[1]" holds label ids as JSON', () => {
    const record = call(vendorBody('outbound'));
    expect(record.results.find((result) => result.name === '客户标签')?.valueParsed).toEqual([1]);
    // Plain text values are not parsed.
    expect(record.results.find((result) => result.name === '客户意向等级')?.valueParsed).toBeUndefined();
  });

  test('JSON-in-string fields are parsed; unparseable ones are kept as sent, with a warning', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        scene(inner).properties = '{"a":1,';
        turn(inner, 1).userMeanDetail = 'not json';
      }),
    );
    expect(record.properties).toEqual({ unparsed: '{"a":1,' });
    expect(record.transcript[1]?.userMeanDetail).toEqual({ unparsed: 'not json' });
    expect(codesAt(record, 'data.data.sceneInstance.properties')).toEqual(['json-unparseable']);
    expect(call(vendorBody('outbound')).transcript[1]?.userMeanDetail).toEqual([
      { score: -1, answer: '游戏', ask: '什么游戏', knowledgeBaseId: 5061 },
    ]);
  });

  test('properties sent as an object instead of a JSON string', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        scene(inner).properties = { orderNo: 'A-1' };
      }),
    );
    expect(record.properties).toEqual({ orderNo: 'A-1' });
    expect(codesAt(record, 'data.data.sceneInstance.properties')).toEqual(['json-not-string']);
  });

  test('the trailing comma of the JOB_INFO_RESULT example', () => {
    const result = ok(readCallback(vendorBody('job')));
    expect(result.warnings).toEqual([expect.objectContaining({ path: '', code: 'trailing-comma' })]);
    // Commas inside strings are left alone.
    const tricky = ok(
      readCallback(
        '{"code":200,"data":{"dataType":"JOB_INFO_RESULT","data":{"callJobId":1,"remark":"a,}b, ]",},},}',
      ),
    );
    expect((tricky.records[0] as JobRecord).remark).toBe('a,}b, ]');
  });

  test('finishStatus codes beyond the doc are named; an unknown code is kept raw with a warning', () => {
    const withStatus = (finishStatus: unknown) =>
      call(
        variantOf('outbound', (inner) => {
          scene(inner).finishStatus = finishStatus;
        }),
      );
    expect([12, 22, 23, 25].map((code) => withStatus(code).finishStatus?.name)).toEqual([
      'SHIELD_BLOCKED',
      'LINE_BLIND_ZONE',
      'OUTBOUND_BLOCKED',
      'NO_LINE_AVAILABLE',
    ]);
    const unknown = withStatus(31);
    expect(unknown.finishStatus).toEqual({ code: 31, name: 'UNKNOWN' });
    expect(codesAt(unknown, 'data.data.sceneInstance.finishStatus')).toEqual(['unknown-code']);
    expect(codesAt(withStatus(25), 'data.data.sceneInstance.finishStatus')).toEqual([]);
  });

  test('fields the doc never lists are read (voipCallerAccount, customerStatus, userProperties, propertiesMap, corpName, extra, gmtCreate/gmtModified)', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        Object.assign(scene(inner), {
          voipCallerAccount: 'voip-7',
          customerStatus: 3,
          userProperties: '{"vip":true}',
          propertiesMap: { 客户名称: '张三' },
          corpName: '{"name":"某公司","id":9}',
          gmtCreate: '2019-01-12 16:09:30',
          gmtModified: '2019-01-12 16:10:12',
        });
        task(inner, 0).extra = '{"source":"model-v2"}';
        task(inner, 1).extra = '[1,2]';
        inner.voipCallerAccount = 'voip-8';
      }),
    );
    expect(record).toMatchObject({
      voipCallerAccount: 'voip-7',
      customerStatus: 3,
      userProperties: { vip: true },
      propertiesMap: { 客户名称: '张三' },
      corpName: { name: '某公司', id: 9 },
      createdAt: '2019-01-12T16:09:30+08:00',
      modifiedAt: '2019-01-12T16:10:12+08:00',
    });
    expect(record.results.map((result) => result.extra)).toEqual([{ source: 'model-v2' }, [1, 2]]);
    // Only the ids the doc's example borrows from other calls are extra (see vendor-examples).
    expect(
      Object.keys(record.extra ?? {}).every((path) => /(sceneInstanceId|companyId|callJobId)$/.test(path)),
    ).toBe(true);
  });

  test('an unanswered call: phoneLogs [] and chatRound 0', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        Object.assign(scene(inner), { finishStatus: 8, chatRound: 0, duration: 0 });
        (inner.phoneLog as Json).phoneLogs = [];
        inner.taskResult = [];
      }),
    );
    expect(record.finishStatus?.name).toBe('NO_ANSWER');
    expect(record.chatRound).toBe(0);
    expect(record.transcript).toEqual([]);
    expect(record.intent).toEqual({});
    expect(record.labels).toEqual([]);
  });

  test('callerPhone holding a line name, not a number', () => {
    expect(call(vendorBody('outbound')).callerPhone).toBe('测试线路');
  });

  test('phoneLogInfo data (no sign/dateTime, plus jobFinished and voipCallerAccount) reads as a call', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        delete inner.sign;
        delete inner.dateTime;
        inner.jobFinished = true;
        inner.voipCallerAccount = 'voip-1';
      }),
    );
    expect(record.jobFinished).toBe(true);
    expect(record.voipCallerAccount).toBe('voip-1');
    expect(record.signedAt).toBeUndefined();
  });

  test('a manual change is a CALL_INSTANCE_RESULT without sceneInstance', () => {
    const result = ok(readCallback(vendorBody('manualIntent')));
    expect(result.dataType).toBe('CALL_INSTANCE_RESULT');
    expect(result.records[0]?.kind).toBe('manualIntent');
    const withNullScene = ok(
      readCallback(
        variantOf('manualIntent', (inner) => {
          inner.sceneInstance = null;
        }),
      ),
    );
    expect(withNullScene.records[0]?.kind).toBe('manualIntent');
  });
});

describe('variants of our own', () => {
  test('64-bit ids keep every digit above 2^53, as numbers or strings', () => {
    const big = '9223372036854775807';
    const body = vendorBody('outbound')
      .replace('"callInstanceId": 1,', `"callInstanceId": ${big},`)
      .replace('"sceneInstanceLogId": 1156249713', '"sceneInstanceLogId": 9007199254740993');
    const record = call(body);
    expect(record.callId).toBe(big);
    expect(record.transcript[1]?.logId).toBe('9007199254740993');
    const asString = call(
      variantOf('outbound', (inner) => {
        scene(inner).callInstanceId = big;
      }),
    );
    expect(asString.callId).toBe(big);
    expect(codesAt(asString, 'data.data.sceneInstance.callInstanceId')).toEqual(['id-as-string']);
  });

  test('ids with leading zeros are the same id', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        scene(inner).callInstanceId = '0042';
      }),
    );
    expect(record.callId).toBe('42');
    expect(codesAt(record, 'data.data.sceneInstance.callInstanceId')).toEqual(['id-leading-zeros']);
  });

  test('numbers as strings and strings as numbers', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        Object.assign(scene(inner), { duration: '35', customerTelephone: 13733105333, companyId: '1' });
      }),
    );
    expect(record.durationSeconds).toBe(35);
    expect(record.customerTelephone).toBe('13733105333');
    expect(record.companyId).toBe('1');
    expect(codesAt(record, 'data.data.sceneInstance.duration')).toEqual(['number-as-string']);
    expect(codesAt(record, 'data.data.sceneInstance.customerTelephone')).toEqual(['number-as-text']);
  });

  test('flags as "true"/"0" strings', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        scene(inner).readStatus = '1';
        inner.jobFinished = 'true';
      }),
    );
    expect(record.read).toBe(true);
    expect(record.jobFinished).toBe(true);
    expect(codesAt(record, 'data.data.jobFinished')).toEqual(['flag-as-string']);
  });

  test('null, missing and empty string all read as absent', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        scene(inner).duration = '';
        scene(inner).chatRound = null;
        delete scene(inner).jobName;
        scene(inner).customerName = '';
      }),
    );
    expect(record.durationSeconds).toBeUndefined();
    expect(record.chatRound).toBeUndefined();
    expect(record.jobName).toBeUndefined();
    expect(record.customerName).toBeUndefined();
    expect(codesAt(record, 'data.data.sceneInstance.duration')).toEqual(['empty-string']);
    expect(codesAt(record, 'data.data.sceneInstance.chatRound')).toEqual([]);
  });

  test('times in ISO form, epoch milliseconds, or impossible dates', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        scene(inner).startTime = '2019-01-12T16:09:32';
        scene(inner).endTime = 1547280611000;
        scene(inner).gmtCreate = '2019-02-30 10:00:00';
        scene(inner).gmtModified = '2019-01-12T08:10:11Z';
      }),
    );
    expect(record.startTime).toBe('2019-01-12T16:09:32+08:00');
    expect(record.endTime).toBe('2019-01-12T16:10:11+08:00');
    expect(record.modifiedAt).toBe('2019-01-12T16:10:11+08:00');
    expect(record.createdAt).toBeUndefined();
    expect(record.unreadable).toEqual({ 'data.data.sceneInstance.gmtCreate': '2019-02-30 10:00:00' });
    expect(codesAt(record, 'data.data.sceneInstance.endTime')).toEqual(['epoch-ms']);
    expect(codesAt(record, 'data.data.sceneInstance.gmtCreate')).toEqual(['unreadable']);
  });

  test('a value nothing can read is kept raw, and the rest of the record is read', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        scene(inner).duration = { seconds: 35 };
        scene(inner).hangUp = [1];
      }),
    );
    expect(record.callId).toBe('1');
    expect(record.durationSeconds).toBeUndefined();
    expect(record.unreadable).toEqual({
      'data.data.sceneInstance.duration': { seconds: 35 },
      'data.data.sceneInstance.hangUp': [1],
    });
  });

  test('unknown extra fields are kept, with exact big numbers', () => {
    const body = variantOf('outbound', (inner) => {
      scene(inner).newField = { nested: true };
      inner.topLevelNew = 'x';
      turn(inner, 0).emotion = 'calm';
      task(inner, 0).confidence = 0.9;
    }).replace('"topLevelNew":"x"', '"topLevelNew":"x","bigOne":12345678901234567890123');
    const record = call(body);
    expect(record.extra).toMatchObject({
      'data.data.sceneInstance.newField': { nested: true },
      'data.data.topLevelNew': 'x',
      'data.data.bigOne': '12345678901234567890123',
      'data.data.phoneLog.phoneLogs[0].emotion': 'calm',
      'data.data.taskResult[0].confidence': 0.9,
    });
  });

  test('transcript turns sent out of order are put in log-id order', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        const logs = (inner.phoneLog as Json).phoneLogs as Json[];
        logs.reverse();
      }),
    );
    expect(record.transcript.map((t) => t.logId)).toEqual(['1156248612', '1156249713']);
    expect(record.transcript.map((t) => t.turn)).toEqual([1, 2]);
    expect(codesAt(record, 'data.data.phoneLog.phoneLogs')).toEqual(['reordered']);
  });

  test('a transcript entry that is not an object is kept raw', () => {
    const record = call(
      variantOf('outbound', (inner) => {
        ((inner.phoneLog as Json).phoneLogs as unknown[]).push('garbled');
      }),
    );
    expect(record.transcript).toHaveLength(2);
    expect(record.unreadable).toEqual({ 'data.data.phoneLog.phoneLogs[2]': 'garbled' });
  });

  test('body with a byte-order mark, or the envelope double-encoded as a JSON string (text/plain senders)', () => {
    const bom = ok(readCallback(`\ufeff${vendorBody('manualIntent')}`));
    expect(bom.records[0]?.kind).toBe('manualIntent');
    const doubled = ok(readCallback(JSON.stringify(vendorBody('manualIntent'))));
    expect((doubled.records[0] as ManualIntentRecord).callId).toBe('2016');
    expect(doubled.warnings.map((warning) => warning.code)).toContain('double-encoded');
  });

  test('inner data sent as a JSON string', () => {
    const body = vendorObject('manualIntent');
    const wrapper = body.data as Json;
    wrapper.data = JSON.stringify(wrapper.data);
    const result = ok(readCallback(JSON.stringify(body)));
    expect((result.records[0] as ManualIntentRecord).intent?.level).toBe('B');
    expect(result.warnings.map((warning) => [warning.path, warning.code])).toContainEqual([
      'data.data',
      'json-as-string',
    ]);
  });

  test('a manual change naming two calls gives one record per call', () => {
    const result = ok(
      readCallback(
        variantOf('manualIntent', (inner) => {
          inner.taskResult = [
            { companyId: 241, sceneInstanceId: 2016, resultName: '客户意向等级', resultValue: 'A' },
            {
              companyId: 241,
              sceneInstanceId: '2017',
              resultName: '客户意向等级',
              resultValue: 'D级(无意向)',
            },
          ];
        }),
      ),
    );
    expect(
      result.records.map((record) => [
        (record as ManualIntentRecord).callId,
        (record as ManualIntentRecord).intent?.level,
      ]),
    ).toEqual([
      ['2016', 'A'],
      ['2017', 'D'],
    ]);
  });

  test('working hours as HH:mm or HHmm numbers', () => {
    const record = job(
      variantOf('job', (inner) => {
        inner.workingStartTime = '09:00';
        inner.breakStartTime = 1230;
      }),
    );
    expect(record.workingStartTime).toBe('09:00:00');
    expect(record.breakStartTime).toBe('12:30:00');
    expect(codesAt(record, 'data.data.breakStartTime')).toEqual(['time-as-number']);
  });
});
