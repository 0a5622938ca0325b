/**
 * Realistic generated 百应 callbacks of every kind, shaped like the vendor doc's examples and
 * what real traffic adds: outbound call records (answered or not), manual intent changes,
 * inbound calls and job status changes.
 */
import type { Platform } from '../../functions/commons/contract/types.js';
import { generateOpenCallbacks } from './generate-open.js';
import type { Random } from './random.js';
import { beijing, type Generated, generatedCallback, type Kind, phone, recordingUrl } from './values.js';

export type { Generated, Kind };

const LEVELS = [
  ['A', 'A级(较强)'],
  ['B', 'B级(一般)'],
  ['C', 'C级(很少)'],
  ['D', 'D级(无意向)'],
  ['E', 'E级(需再次跟进)'],
  ['F', 'F级(无效客户)'],
] as const;
const LINES = ['测试线路', '杭州线路A', '0571-26881788'];
const AI_LINES = [
  '您好，这里是百应科技，请问您最近有贷款需求吗？',
  '好的，我们的利率很低，您考虑一下吗？',
  '那我稍后让顾问联系您，再见。',
];
const ME_LINES = ['嗯，你说。', '利息多少？', '不需要，谢谢。', '可以，你加我微信吧。'];

const envelope = (dataType: string, data: unknown) =>
  JSON.stringify({ code: 200, data: { dataType, data }, resultMsg: '成功', errorStackTrace: null });

export interface GenerateOptions {
  readonly count: number;
  readonly companyId: string;
  /** First id of this run; runs with different seeds use different id ranges. */
  readonly idBase: number;
  /** Epoch ms of the calls' start times. */
  readonly around: number;
  /** Which 百应 platform's callbacks. @default classic */
  readonly platform?: Platform;
  /** Recording links under this base (a fake 百应's `/recordings`) instead of 百应's OSS. */
  readonly recordingBase?: string;
}

export const generateCallbacks = (random: Random, options: GenerateOptions): Generated[] => {
  if (options.platform === 'open') return generateOpenCallbacks(random, options);
  const out: Generated[] = [];
  const outboundIds: number[] = [];
  let nextId = options.idBase;
  // Job ids follow the run's id range, so runs with different seeds never share a job.
  const jobBase = Math.floor(options.idBase / 1000);
  const jobIds = [jobBase + 1, jobBase + 2, jobBase + 3];
  while (out.length < options.count) {
    const roll = random.next();
    const companyId = Number(options.companyId);
    if (roll < 0.7 || outboundIds.length === 0) {
      const id = nextId++;
      outboundIds.push(id);
      const answered = random.chance(0.6);
      const start = options.around - random.int(0, 6 * 3600) * 1000;
      const turns = answered ? random.int(2, 12) : 0;
      const level = answered ? random.pick(LEVELS) : LEVELS[5];
      const jobId = random.pick(jobIds);
      const data = {
        sceneInstance: {
          callInstanceId: id,
          companyId,
          callUserId: 1,
          callJobId: jobId,
          customerId: id + 7,
          customerTelephone: phone(random),
          customerName: random.pick(['张先生', '李女士', '王总', '']),
          status: 2,
          finishStatus: answered ? 0 : random.pick([1, 2, 4, 5, 6, 8, 12, 22, 25]),
          duration: answered ? random.int(8, 180) : 0,
          chatRound: turns,
          startTime: beijing(start),
          endTime: beijing(start + random.int(10, 200) * 1000),
          callerPhone: random.pick(LINES),
          luyinOssUrl: recordingUrl(options.recordingBase, id, 'full', 'wav', 'RobotPhoneCommunicate'),
          userLuyinOssUrl: recordingUrl(options.recordingBase, id, 'user', 'wav', 'RobotPhoneCommunicate'),
          properties: JSON.stringify({ orderNo: `SIM-${id}`, source: 'simulator' }),
          handlePerson: '贷款回访话术',
          callType: 1,
          callIndex: 0,
          readStatus: 0,
          jobName: `模拟任务${jobId}`,
          robotDefId: 180,
          sceneDefId: 192,
          sceneRecordId: 192,
          hangUp: random.int(0, 1),
          secondaryCallTime: '1970-01-01 09:00:00',
          secondaryCallTimes: 0,
          cost: answered ? random.int(1, 20) : 0,
          callbacked: 0,
        },
        taskResult: answered
          ? [
              {
                sceneInstanceResultId: id * 10,
                companyId,
                callJobId: jobId,
                sceneInstanceId: id,
                resultName: '客户意向等级',
                resultValue: level[1],
                artificialResultValue: level[1],
                artificialChanged: null,
                analyzeType: 'DYNAMIC_ANALYZE_USER_LEVEL',
                resultValueAlias: level[0],
                resultLabels: null,
                resultValueNew: level[1],
              },
            ]
          : [],
        phoneLog: {
          phoneLogs: Array.from({ length: turns }, (_, turn) => ({
            sceneInstanceLogId: id * 100 + turn,
            sceneInstanceId: id,
            companyId,
            speaker: turn % 2 === 0 ? 'AI' : 'ME',
            content: turn % 2 === 0 ? random.pick(AI_LINES) : random.pick(ME_LINES),
            userMean: '',
            aiUnknown: false,
            startTime: turn * 3000,
            endTime: turn * 3000 + 2500,
          })),
          luyinOssUrl: recordingUrl(options.recordingBase, id, 'full', 'wav', 'RobotPhoneCommunicate'),
        },
        jobFinished: false,
        sign: null,
        dateTime: new Date(start).toUTCString(),
      };
      out.push(
        generatedCallback(envelope, 'outbound', 'CALL_INSTANCE_RESULT', options.companyId, `out#${id}`, data),
      );
    } else if (roll < 0.8) {
      const id = random.pick(outboundIds);
      const level = random.pick(LEVELS);
      const data = {
        taskResult: [{ companyId, sceneInstanceId: id, resultName: '客户意向等级', resultValue: level[0] }],
      };
      out.push(
        generatedCallback(
          envelope,
          'manualIntent',
          'CALL_INSTANCE_RESULT',
          options.companyId,
          `out#${id}`,
          data,
        ),
      );
    } else if (roll < 0.93) {
      const id = nextId++;
      const start = options.around - random.int(0, 6 * 3600) * 1000;
      const data = {
        sceneInstance: {
          inboundInstanceId: id,
          companyId,
          callJobId: random.pick(jobIds),
          customerId: id + 3,
          customerTelephone: phone(random),
          customerName: '未知呼入客户',
          status: 2,
          finishStatus: 0,
          duration: random.int(5, 90),
          chatRound: 2,
          startTime: beijing(start),
          endTime: beijing(start + 30_000),
          calleePhone: '057126881788',
          properties: '{}',
          hangUp: 1,
          transferStatus: random.pick([0, 1, 2]),
        },
        taskResult: [],
        phoneLog: {
          phoneLogs: [
            {
              sceneInstanceLogId: id * 100,
              speaker: 'AI',
              content: '您好，这里是客服中心。',
              startTime: 0,
              endTime: 0,
            },
            {
              sceneInstanceLogId: id * 100 + 1,
              speaker: 'ME',
              content: '我想咨询一下。',
              startTime: 2000,
              endTime: 3500,
            },
          ],
        },
        sign: null,
        dateTime: new Date(start).toUTCString(),
      };
      out.push(
        generatedCallback(
          envelope,
          'inbound',
          'INBOUND_CALL_INSTANCE_RESULT',
          options.companyId,
          `in#${id}`,
          data,
        ),
      );
    } else {
      const jobId = random.pick(jobIds);
      const data = {
        callJobId: jobId,
        companyId,
        jobName: `模拟任务${jobId}`,
        jobType: 2,
        startDate: beijing(options.around).slice(0, 10),
        endDate: beijing(options.around).slice(0, 10),
        workingStartTime: '09:00:00',
        workingEndTime: '20:00:00',
        status: random.pick([1, 2, 4, 5]),
        callType: 1,
        userId: 241,
        userName: '模拟用户',
      };
      out.push(
        generatedCallback(envelope, 'job', 'JOB_INFO_RESULT', options.companyId, `job#${jobId}`, data),
      );
    }
  }
  return out;
};
