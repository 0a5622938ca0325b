/**
 * 百应's open platform (open.byai.com): its documented example (verbatim from the integrator's
 * page quoted in shared/docs/byai-open-platform.md) and our own variants read into the same
 * record model as classic calls, marked `platform: "open"`.
 */
import { readFileSync } from 'node:fs';
import { type ReadResult, readCallback, UNKNOWN_COMPANY } from '../../../functions/commons/contract/index.js';
import type { CallRecord, JobRecord } from '../../../functions/commons/contract/types.js';
import { fixturePath, vendorBody } from '../../support/vendor.js';

type Json = Record<string, unknown>;

const fixture = (name: string) => readFileSync(fixturePath(name), 'utf8');
const ok = (result: ReadResult) => {
  if (!result.ok) throw new Error(`expected a read, got ${result.error.code}: ${result.error.message}`);
  return result;
};
const call = (body: string) => ok(readCallback(body)).records[0] as CallRecord;
const codes = (record: { warnings: readonly { path: string; code: string }[] }) =>
  record.warnings.map((warning) => `${warning.path}:${warning.code}`);
/** The documented example with its inner data edited. */
const documentedWith = (edit: (inner: Json, instance: Json) => void) => {
  const body = JSON.parse(fixture('open-call-documented')) as Json;
  const inner = (body.data as Json).data as Json;
  edit(inner, inner.callInstance as Json);
  return JSON.stringify(body);
};

describe('open platform CALL_INSTANCE_RESULT', () => {
  test('the documented example → an outbound call, platform open, same record model', () => {
    const result = ok(readCallback(fixture('open-call-documented')));
    expect(result.platform).toBe('open');
    expect(result.dataType).toBe('CALL_INSTANCE_RESULT');
    expect(result.records[0]).toMatchObject({
      kind: 'call',
      platform: 'open',
      direction: 'outbound',
      callId: '70258002706',
      callJobId: '4849944',
      status: { code: 2, name: 'COMPLETED' },
      finishStatus: { code: 0, name: 'ANSWERED' },
      customerTelephone: '136****0000',
      robotDefId: '286485',
      robotDefName: '百天邀约',
      startTime: '2026-09-05T10:18:20+08:00',
      endTime: '2026-09-05T10:18:44+08:00',
      durationSeconds: 24,
      recordingUrl: 'https://example.com/full.mp3',
      customerRecordingUrl: 'https://example.com/user.mp3',
      properties: { originalWorkflowId: '38028', callStartTime: '2026-09-05 10:18:14' },
      jobPhoneInfos: [{ lineName: '华东主线路', callerAccountId: '12345', userPhoneId: '45678' }],
      callRepeat: [],
      transcript: [],
      results: [],
    });
  });

  test('the documented example names no companyId: filed under the placeholder company, with a warning', () => {
    const record = call(fixture('open-call-documented'));
    expect(record.companyId).toBe(UNKNOWN_COMPANY);
    expect(codes(record)).toContain('data.data.callInstance.companyId:missing-company');
    expect(
      call(documentedWith((_inner, instance) => void Object.assign(instance, { companyId: 3001 }))).companyId,
    ).toBe('3001');
  });

  test('our variant: ids as strings, epoch-millis times, properties as a string, keys reordered, unknown fields, two redials', () => {
    const record = call(fixture('open-call-variants'));
    expect(record).toMatchObject({
      platform: 'open',
      callId: '70258002707',
      callJobId: '4849944',
      companyId: UNKNOWN_COMPANY,
      durationSeconds: 24,
      startTime: '2026-09-05T10:18:20+08:00',
      endTime: '2026-09-05T10:18:44+08:00',
      properties: { originalWorkflowId: '38028', callStartTime: '2026-09-05 10:18:14' },
      collectProperties: { 意向城市: '杭州' },
      perceptionResult: '有感知',
      calledTimes: 2,
      transferred: false,
      lineIn: true,
      takeover: false,
      hangUp: { code: 1, name: 'CUSTOMER' },
      intent: { ai: { level: 'A' }, effective: { level: 'A', source: 'ai' } },
    });
    expect(record.callRepeat).toEqual([
      {
        repeatIndex: 1,
        finishStatus: { code: 8, name: 'NO_ANSWER' },
        startTime: '2026-09-05T10:10:00+08:00',
        endTime: '2026-09-05T10:10:30+08:00',
        callerPhone: '华东主线路',
        userPhoneId: '45678',
        sipErrorCode: '480',
      },
      {
        repeatIndex: 2,
        finishStatus: { code: 0, name: 'ANSWERED' },
        startTime: '2026-09-05T10:18:20+08:00',
        endTime: '2026-09-05T10:18:44+08:00',
        callerPhone: '华东主线路',
        userPhoneId: '45678',
      },
    ]);
    // Turns were sent out of order: AI/ME speakers, log ids of 18 digits kept exactly.
    expect(record.transcript.map((turn) => [turn.logId, turn.speaker, turn.decisionName])).toEqual([
      ['900000000000000001', 'AI', '开场白'],
      ['900000000000000002', 'CUSTOMER', '开场白'],
    ]);
    expect(record.extra).toEqual({
      'data.data.callInstance.emotionScore': 0.82,
      'data.data.callRepeat[1].carrier': 'CMCC',
    });
    expect(codes(record)).toEqual(
      expect.arrayContaining([
        'data.data.callInstance.callInstanceId:id-as-string',
        'data.data.callInstance.startTime:epoch-ms',
        'data.data.callInstance.properties:json-as-string',
        'data.data.callInstance.takeover:flag-as-string',
      ]),
    );
  });

  test('a wrong-typed part never costs the call', () => {
    const record = call(
      documentedWith((inner, instance) => {
        inner.phoneLogs = '';
        inner.callRepeat = { repeatIndex: 1, finishStatus: 8 };
        inner.jobPhoneInfos = 7;
        instance.duration = 'long';
        instance.collectProperties = '{not json';
      }),
    );
    expect(record.callId).toBe('70258002706');
    expect(record.callRepeat).toEqual([{ repeatIndex: 1, finishStatus: { code: 8, name: 'NO_ANSWER' } }]);
    expect(record.unreadable).toMatchObject({
      'data.data.jobPhoneInfos': 7,
      'data.data.callInstance.duration': 'long',
    });
    expect(record.collectProperties).toEqual({ unparsed: '{not json' });
  });

  test('callInstance inside a JSON string, and a legacy `dataType` name with a callInstance, are read too', () => {
    expect(
      call(
        documentedWith(
          (inner) => void Object.assign(inner, { callInstance: JSON.stringify(inner.callInstance) }),
        ),
      ).callId,
    ).toBe('70258002706');
    const legacy = fixture('open-call-documented').replace('"callbackType"', '"dataType"');
    const result = ok(readCallback(legacy));
    expect([result.platform, (result.records[0] as CallRecord).platform]).toEqual(['open', 'open']);
  });

  test('a call without a readable callInstanceId is refused with its path', () => {
    const result = readCallback(documentedWith((_inner, instance) => void delete instance.callInstanceId));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatchObject({
      code: 'INVALID_RECORD',
      path: 'data.data.callInstance.callInstanceId',
    });
  });

  test('an unknown callbackType is refused (consume quarantines it), naming the field', () => {
    const result = readCallback(
      fixture('open-call-documented').replace('CALL_INSTANCE_RESULT', 'SMS_RESULT'),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatchObject({
      code: 'UNKNOWN_DATA_TYPE',
      path: 'data.callbackType',
      expected: 'CALL_INSTANCE_RESULT, JOB_INFO_RESULT',
    });
  });
});

describe('open platform JOB_INFO_RESULT', () => {
  test('callJobStatus kept as a code, ordered by updateTime (else endTime)', () => {
    const job = ok(readCallback(fixture('open-job'))).records[0] as JobRecord;
    expect(job).toMatchObject({
      kind: 'job',
      platform: 'open',
      callJobId: '4849944',
      companyId: '3001',
      status: { code: 2, name: 'COMPLETED' },
      modifiedAt: '2026-09-05T18:00:00+08:00',
    });
    const paused = ok(
      readCallback(
        fixture('open-job')
          .replace('"callJobStatus":2', '"callJobStatus":4')
          .replace('"updateTime":"2026-09-05 18:00:00"', '"endTime":1788574724000'),
      ),
    ).records[0] as JobRecord;
    // Only "completed" is certain on the open platform; other codes are kept raw and noted.
    expect(paused.status).toEqual({ code: 4, name: 'UNKNOWN' });
    expect(paused.modifiedAt).toBe('2026-09-05T10:18:44+08:00');
    expect(codes(paused)).toContain('data.data.callJobStatus:unknown-code');
  });
});

describe('classic callbacks are unchanged', () => {
  test.each(['outbound', 'inbound', 'job'] as const)('%s reads as platform classic', (example) => {
    const result = ok(readCallback(vendorBody(example)));
    expect(result.platform).toBe('classic');
    expect((result.records[0] as CallRecord | JobRecord).platform).toBe('classic');
  });
});
