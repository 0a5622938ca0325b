/**
 * Generated callbacks of 百应's open platform (open.byai.com), shaped like its documented
 * example: calls with `callInstance` (answered or not, some redialled) and job status changes.
 * The open platform documents no manual-change or inbound callback.
 */
import type { Random } from './random.js';
import { beijing, type Generated, generatedCallback, phone, recordingUrl } from './values.js';

const LEVELS = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
const LINES = ['华东主线路', '杭州线路A'];

/** The open envelope; `callbackType` comes after `data`, as in the documented example. */
const envelope = (callbackType: string, data: unknown) =>
  JSON.stringify({ code: 200, data: { data, callbackType }, resultMsg: '成功' });

export interface OpenGenerateOptions {
  readonly count: number;
  readonly companyId: string;
  readonly idBase: number;
  readonly around: number;
  readonly recordingBase?: string;
}

export const generateOpenCallbacks = (random: Random, options: OpenGenerateOptions): Generated[] => {
  const out: Generated[] = [];
  const companyId = Number(options.companyId);
  const jobBase = Math.floor(options.idBase / 1000);
  const jobIds = [jobBase + 1, jobBase + 2];
  let nextId = options.idBase;
  while (out.length < options.count) {
    if (random.next() < 0.88) {
      const id = nextId++;
      const answered = random.chance(0.6);
      const start = options.around - random.int(0, 6 * 3600) * 1000;
      const end = start + random.int(10, 200) * 1000;
      const turns = answered ? random.int(2, 10) : 0;
      const redials = random.chance(0.2) ? [1, 2] : [];
      const jobId = random.pick(jobIds);
      const data = {
        jobPhoneInfos: [{ lineName: random.pick(LINES), callerAccountId: 12345, userPhoneId: 45678 }],
        callInstance: {
          callJobId: jobId,
          callInstanceId: id,
          companyId,
          callInstanceStatus: 2,
          finishStatus: answered ? 0 : random.pick([1, 2, 6, 8, 12, 25]),
          customerTelephone: phone(random),
          customerName: random.pick(['张先生', '李女士', '']),
          robotDefId: 286485,
          robotDefName: '百天邀约',
          // Epoch millis or wall clock: both are seen.
          startTime: random.chance(0.5) ? start : beijing(start),
          endTime: random.chance(0.5) ? end : beijing(end),
          duration: answered ? Math.round((end - start) / 1000) : 0,
          calledTimes: redials.length + 1,
          chatRound: turns,
          hangUp: random.int(0, 1),
          perceptionResult: answered ? '有感知' : '无感知',
          collectProperties: answered ? { 意向: random.pick(LEVELS) } : {},
          properties: random.chance(0.5)
            ? { orderNo: `OPEN-${id}` }
            : JSON.stringify({ orderNo: `OPEN-${id}`, callStartTime: beijing(start - 6000) }),
          transferred: false,
          lineIn: answered,
          takeover: false,
          luyinOssUrl: recordingUrl(options.recordingBase, id, 'full', 'mp3', 'open'),
          userLuyinOssUrl: recordingUrl(options.recordingBase, id, 'user', 'mp3', 'open'),
        },
        phoneLogs: Array.from({ length: turns }, (_, turn) => ({
          speaker: turn % 2 === 0 ? 'AI' : 'ME',
          content: turn % 2 === 0 ? '您好，这里是百天邀约。' : '嗯，你说。',
          startTime: turn * 3000,
          endTime: turn * 3000 + 2500,
          decisionName: '开场白',
        })),
        taskResult: answered
          ? [{ resultName: '客户意向等级', resultValue: `${random.pick(LEVELS)}级`, resultDesc: '模拟' }]
          : [],
        callRepeat: redials.map((repeatIndex) => ({
          repeatIndex,
          finishStatus: repeatIndex === redials.length ? 0 : 8,
          startTime: beijing(start - (3 - repeatIndex) * 600_000),
          endTime: beijing(start - (3 - repeatIndex) * 600_000 + 30_000),
          callerPhone: random.pick(LINES),
          userPhoneId: 45678,
        })),
      };
      out.push(
        generatedCallback(envelope, 'outbound', 'CALL_INSTANCE_RESULT', options.companyId, `out#${id}`, data),
      );
    } else {
      const jobId = random.pick(jobIds);
      const data = {
        companyId,
        callJobId: jobId,
        callJobStatus: random.pick([1, 2, 4]),
        updateTime: random.chance(0.5) ? options.around : beijing(options.around),
      };
      out.push(
        generatedCallback(envelope, 'job', 'JOB_INFO_RESULT', options.companyId, `job#${jobId}`, data),
      );
    }
  }
  return out;
};
