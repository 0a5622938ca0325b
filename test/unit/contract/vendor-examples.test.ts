import { readCallback } from '../../../functions/commons/contract/index.js';
import type { CallRecord, JobRecord, ManualIntentRecord } from '../../../functions/commons/contract/types.js';
import { vendorBody } from '../../support/vendor.js';

const readOne = <T>(body: string): T => {
  const result = readCallback(body);
  if (!result.ok) throw new Error(`expected the example to read, got ${result.error.message}`);
  expect(result.records).toHaveLength(1);
  return result.records[0] as T;
};

describe('the vendor doc examples, verbatim', () => {
  test('CALL_INSTANCE_RESULT (outbound call record)', () => {
    const call = readOne<CallRecord>(vendorBody('outbound'));
    expect(call).toMatchObject({
      kind: 'call',
      direction: 'outbound',
      callId: '1',
      companyId: '1',
      callJobId: '1',
      customerId: '1',
      customerTelephone: '137xxxxxxxx',
      status: { code: 2, name: 'COMPLETED' },
      finishStatus: { code: 0, name: 'ANSWERED' },
      hangUp: { code: 1, name: 'CUSTOMER' },
      durationSeconds: 35,
      chatRound: 3,
      startTime: '2019-01-12T16:09:32+08:00',
      endTime: '2019-01-12T16:10:11+08:00',
      callerPhone: '测试线路',
      scriptName: '测试线路',
      jobName: 'GG0112-YX NEW1',
      robotDefId: '180',
      read: false,
      callbacked: false,
      jobFinished: false,
      // Thu Oct 16 07:13:48 GMT 2014 is 15:13:48 in Beijing.
      signedAt: '2014-10-16T15:13:48+08:00',
    });
    // The sentinel 1970-01-01 09:00:00 means "no second call": no time is stored.
    expect(call.secondaryCallTime).toBeUndefined();
    expect(call.secondaryCallTimes).toBe(0);
    expect(call.properties).toEqual({
      csStaffId: 12,
      csStaffMobile: '15957182700',
      csStaffName: '123',
      duration: 20,
      failReason: '失败了就是失败了',
      finishTime: 1546506273268,
      seatGroupId: 1,
      seatGroupName: '测试失败',
      startTime: 1546506263268,
      succTime: 1546506283268,
      success: false,
      transferMobile: false,
      useEavesdrop: false,
    });
    expect(call.intent).toEqual({
      ai: { level: 'C', value: 'C级(很少)', description: 'C级(明确拒绝)' },
      effective: { level: 'C', value: 'C级(很少)', description: 'C级(明确拒绝)', source: 'ai' },
    });
    // 200 is named in resultLabels; 1 is only listed in resultValue "[1]" and is kept unnamed.
    expect(call.labels).toEqual([
      { key: '200', value: '无效用户' },
      { key: '1', value: null },
    ]);
    expect(call.results.map((result) => result.name)).toEqual(['客户意向等级', '客户标签']);
    expect(call.results[1]?.valueParsed).toEqual([1]);
    expect(call.transcript.map((turn) => [turn.turn, turn.logId, turn.speaker, turn.startMs])).toEqual([
      [1, '1156248612', 'AI', 0],
      [2, '1156249713', 'CUSTOMER', 8350],
    ]);
    expect(call.transcript[1]?.userMeanDetail).toEqual([
      { score: -1, answer: '游戏', ask: '什么游戏', knowledgeBaseId: 5061 },
    ]);
    expect(call.transcript[1]?.answerStatus).toEqual({ code: 1, name: 'QUESTION' });
    expect(
      call.warnings.filter((warning) => warning.code !== 'id-mismatch').map((w) => [w.path, w.code]),
    ).toEqual([['data.data.dateTime', 'time-format']]);
    // The doc's example is stitched from several calls: its turns and results name other calls'
    // ids. Each such id is kept (nothing vanishes) and noted; ids equal to the call's own are implied.
    const mismatched = call.warnings.filter((warning) => warning.code === 'id-mismatch').map((w) => w.path);
    expect(Object.keys(call.extra ?? {}).sort()).toEqual([...mismatched].sort());
    expect(call.extra).toEqual({
      'data.data.taskResult[0].sceneInstanceId': '1540384412',
      'data.data.taskResult[0].companyId': '151',
      'data.data.taskResult[0].callJobId': '362574',
      'data.data.taskResult[1].sceneInstanceId': '1223552173',
      'data.data.taskResult[1].companyId': '4880',
      'data.data.phoneLog.phoneLogs[0].sceneInstanceId': '1540384412',
      'data.data.phoneLog.phoneLogs[0].companyId': '151',
      'data.data.phoneLog.phoneLogs[1].sceneInstanceId': '1540384412',
      'data.data.phoneLog.phoneLogs[1].companyId': '151',
    });
  });

  test('JOB_INFO_RESULT, with the trailing comma the doc prints', () => {
    const job = readOne<JobRecord>(vendorBody('job'));
    expect(job).toMatchObject({
      kind: 'job',
      callJobId: '535',
      companyId: '243',
      jobName: '测试-问题学习',
      jobType: { code: 2, name: 'MANUAL' },
      status: { code: 2, name: 'COMPLETED' },
      startDate: '2018-04-25',
      endDate: '2018-04-25',
      workingStartTime: '09:00:00',
      workingEndTime: '20:00:00',
      callerType: { code: 1, name: 'LANDLINE' },
      userId: '241',
      userName: '步婉',
      smsType: 0,
    });
    expect(job.breakStartTime).toBeUndefined();
    expect(job.remark).toBeUndefined();
    expect(job.warnings.map((warning) => warning.code)).toEqual(['trailing-comma']);
  });

  test('manual intent-level change (taskResult only)', () => {
    const change = readOne<ManualIntentRecord>(vendorBody('manualIntent'));
    expect(change).toEqual({
      kind: 'manualIntent',
      callId: '2016',
      companyId: '241',
      intent: { level: 'B', value: 'B' },
      results: [{ name: '客户意向等级', value: 'B' }],
      warnings: [],
    });
  });

  test('INBOUND_CALL_INSTANCE_RESULT', () => {
    const call = readOne<CallRecord>(vendorBody('inbound'));
    expect(call).toMatchObject({
      kind: 'call',
      direction: 'inbound',
      callId: '1091',
      companyId: '1',
      callJobId: '98',
      customerId: '22142595',
      customerTelephone: '1010',
      customerName: '未知呼入客户',
      calleePhone: '057126881788',
      startTime: '2019-01-24T15:27:39+08:00',
      endTime: '2019-01-24T15:28:09+08:00',
      properties: {},
      propertiesMap: { 客户名称: '未知呼入客户', 联系方式: '1010' },
      signedAt: '2019-01-24T15:28:09+08:00',
    });
    expect(call.read).toBeUndefined();
    expect(call.callbacked).toBeUndefined();
    expect(call.intent.effective).toEqual({
      level: 'B',
      value: 'B级(一般)',
      description: 'B级(可能有意向)',
      source: 'ai',
    });
    expect(call.intent.manual).toBeUndefined();
    expect(call.labels).toEqual([
      { key: '7', value: null },
      { key: '8', value: null },
      { key: '9', value: null },
    ]);
    expect(call.results.map((result) => [result.name, result.value, result.manualChanged])).toEqual([
      ['客户意向等级', 'B级(一般)', false],
      ['客户关注点', '位置', false],
      ['客户标签', '[7,8,9]', false],
    ]);
    expect(call.transcript.map((turn) => [turn.logId, turn.speaker, turn.content])).toEqual([
      ['1693', 'AI', '哎，您好，拱墅区 中大银泰城边上有个首付50万左右的精装公寓你考虑吗？'],
      ['1694', 'CUSTOMER', '呃，不考虑'],
    ]);
    // The inbound example is clean: RFC 1123 dateTime, booleans where the doc declares booleans.
    expect(call.warnings).toEqual([]);
  });
});
