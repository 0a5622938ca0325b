/**
 * Open-platform callbacks → the same records as the classic platform: CALL_INSTANCE_RESULT with
 * `callInstance` → an outbound CallRecord (`platform: "open"`), JOB_INFO_RESULT with
 * `callJobStatus` → a JobRecord. The open platform's own facts are kept under clear names.
 */
import { CALL_STATUS, FINISH_STATUS, HANG_UP, OPEN_JOB_STATUS } from './enums.js';
import { intentOf, readResults } from './normalize-call.js';
import {
  type CallRepeatItem,
  callInstance,
  callRepeatItem,
  type JobPhoneInfoItem,
  jobPhoneInfoItem,
  type OpenCallData,
  type OpenJobData,
  openCallData,
  openJobData,
} from './open-schemas.js';
import { compact, type Owner, type ReadContext } from './read-context.js';
import { labelsOf } from './task-results.js';
import { readTranscript } from './transcript.js';
import type { CallAttempt, CallRecord, JobRecord, PhoneLine } from './types.js';
import type { Path } from './warnings.js';

/**
 * The company an open-platform call is filed under when it names none (the integrator's notes
 * list `companyId` in one table and not in another). Listed with `--company unknown`.
 */
export const UNKNOWN_COMPANY = 'unknown';

/** Reads each object of a list with `read`; an element that is not an object is kept raw. */
const readEach = <TItem extends object, TOut>(
  ctx: ReadContext,
  items: readonly (TItem | { readonly unreadableItem: unknown })[] | null | undefined,
  path: Path,
  read: (item: TItem, at: Path) => TOut,
): TOut[] | undefined => {
  if (items === null || items === undefined) return undefined;
  const out: TOut[] = [];
  items.forEach((item, index) => {
    const at = [...path, index];
    if ('unreadableItem' in item) {
      ctx.take(
        {
          value: null,
          raw: item.unreadableItem,
          drift: { code: 'unreadable', message: 'entry is not an object; kept as sent' },
        },
        at,
      );
      return;
    }
    out.push(read(item as TItem, at));
  });
  return out;
};

const readAttempt =
  (ctx: ReadContext) =>
  (item: CallRepeatItem, at: Path): CallAttempt => {
    ctx.keepExtras(callRepeatItem, item, at);
    const key = (name: string) => [...at, name];
    return compact({
      repeatIndex: ctx.take(item.repeatIndex, key('repeatIndex')),
      finishStatus: ctx.coded(FINISH_STATUS, item.finishStatus, key('finishStatus')),
      startTime: ctx.take(item.startTime, key('startTime')),
      endTime: ctx.take(item.endTime, key('endTime')),
      callerPhone: ctx.take(item.callerPhone, key('callerPhone')),
      userPhoneId: ctx.take(item.userPhoneId, key('userPhoneId')),
      sipErrorCode: ctx.take(item.sipErrorCode, key('sipErrorCode')),
    });
  };

const readLine =
  (ctx: ReadContext) =>
  (item: JobPhoneInfoItem, at: Path): PhoneLine => {
    ctx.keepExtras(jobPhoneInfoItem, item, at);
    return compact({
      lineName: ctx.take(item.lineName, [...at, 'lineName']),
      callerAccountId: ctx.take(item.callerAccountId, [...at, 'callerAccountId']),
      userPhoneId: ctx.take(item.userPhoneId, [...at, 'userPhoneId']),
    });
  };

export const normalizeOpenCall = (ctx: ReadContext, data: OpenCallData): CallRecord => {
  const c = data.callInstance;
  const at = (key: string) => ['callInstance', key];
  ctx.keepExtras(openCallData, data, []);
  ctx.keepExtras(callInstance, c, ['callInstance']);
  let companyId = ctx.take(c.companyId, at('companyId'));
  if (companyId === undefined) {
    ctx.warnings.add(
      ctx.at(at('companyId')),
      'missing-company',
      `no companyId; filed under the placeholder company "${UNKNOWN_COMPANY}"`,
    );
    companyId = UNKNOWN_COMPANY;
  }
  const owner: Owner = {
    callId: ctx.take(c.callInstanceId, at('callInstanceId')) as string,
    companyId,
    callJobId: ctx.take(c.callJobId, at('callJobId')),
    robotDefId: ctx.take(c.robotDefId, at('robotDefId')),
  };
  const results = readResults(ctx, data.taskResult, ['taskResult'], owner);
  const record = compact({
    kind: 'call' as const,
    platform: 'open' as const,
    direction: 'outbound' as const,
    callId: owner.callId as string,
    companyId: owner.companyId,
    callJobId: owner.callJobId,
    customerTelephone: ctx.take(c.customerTelephone, at('customerTelephone')),
    customerName: ctx.take(c.customerName, at('customerName')),
    status: ctx.coded(CALL_STATUS, c.callInstanceStatus, at('callInstanceStatus')),
    finishStatus: ctx.coded(FINISH_STATUS, c.finishStatus, at('finishStatus')),
    hangUp: ctx.coded(HANG_UP, c.hangUp, at('hangUp')),
    durationSeconds: ctx.take(c.duration, at('duration')),
    chatRound: ctx.take(c.chatRound, at('chatRound')),
    startTime: ctx.take(c.startTime, at('startTime')),
    endTime: ctx.take(c.endTime, at('endTime')),
    recordingUrl: ctx.take(c.luyinOssUrl, at('luyinOssUrl')),
    customerRecordingUrl: ctx.take(c.userLuyinOssUrl, at('userLuyinOssUrl')),
    properties: ctx.take(c.properties, at('properties')),
    robotDefId: owner.robotDefId,
    robotDefName: ctx.take(c.robotDefName, at('robotDefName')),
    calledTimes: ctx.take(c.calledTimes, at('calledTimes')),
    perceptionResult: ctx.take(c.perceptionResult, at('perceptionResult')),
    collectProperties: ctx.take(c.collectProperties, at('collectProperties')),
    transferred: ctx.take(c.transferred, at('transferred')),
    lineIn: ctx.take(c.lineIn, at('lineIn')),
    takeover: ctx.take(c.takeover, at('takeover')),
    callRepeat: readEach(ctx, data.callRepeat, ['callRepeat'], readAttempt(ctx)),
    jobPhoneInfos: readEach(ctx, data.jobPhoneInfos, ['jobPhoneInfos'], readLine(ctx)),
    createdAt: ctx.take(c.gmtCreate, at('gmtCreate')),
    modifiedAt: ctx.take(c.gmtModified, at('gmtModified')),
    intent: intentOf(results),
    labels: labelsOf(results),
    results,
    transcript: readTranscript(ctx, data.phoneLogs, ['phoneLogs'], owner),
  });
  return { ...record, ...ctx.finish() };
};

/**
 * JOB_INFO_RESULT on the open platform. No official status table is published: the code is
 * kept, and only what is certain is named (see OPEN_JOB_STATUS). `updateTime` (else `endTime`)
 * is 百应's time of the change and orders statuses like the classic `gmtModified`.
 */
export const normalizeOpenJob = (ctx: ReadContext, data: OpenJobData): JobRecord[] => {
  ctx.keepExtras(openJobData, data, []);
  const updateTime = ctx.take(data.updateTime, ['updateTime']);
  const endTime = ctx.take(data.endTime, ['endTime']);
  const job = compact({
    kind: 'job' as const,
    platform: 'open' as const,
    callJobId: ctx.take(data.callJobId, ['callJobId']) as string,
    companyId: ctx.take(data.companyId, ['companyId']),
    jobName: ctx.take(data.jobName, ['jobName']),
    status: ctx.coded(OPEN_JOB_STATUS, data.callJobStatus, ['callJobStatus']),
    modifiedAt: updateTime ?? endTime,
    endTime,
  });
  return [{ ...job, ...ctx.finish() }];
};
