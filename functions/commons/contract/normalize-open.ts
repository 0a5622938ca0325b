/**
 * Open-platform callbacks → the same records as the classic platform: CALL_INSTANCE_RESULT with
 * `callInstance` → an outbound CallRecord (`platform: "open"`), JOB_INFO_RESULT with
 * `callJobStatus` → a JobRecord. The open platform's own facts are kept under clear names.
 */
import { CALL_STATUS, FINISH_STATUS, HANG_UP, OPEN_JOB_STATUS } from './enums.js';
import { CALL_FIELDS, intentOf, readResults } from './normalize-call.js';
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

/** A list the open platform may leave out: absent stays absent, a present list is read entry by entry. */
const readOptionalList = <TItem extends object, TOut>(
  ctx: ReadContext,
  items: readonly (TItem | { readonly unreadableItem: unknown })[] | null | undefined,
  path: Path,
  read: (item: TItem, at: Path) => TOut,
): TOut[] | undefined =>
  items === null || items === undefined ? undefined : ctx.readList(items, path, read);

const readAttempt =
  (ctx: ReadContext) =>
  (item: CallRepeatItem, at: Path): CallAttempt => {
    ctx.keepExtras(callRepeatItem, item, at);
    return compact({
      ...ctx.takeFields(item, at, {
        repeatIndex: 'repeatIndex',
        startTime: 'startTime',
        endTime: 'endTime',
        callerPhone: 'callerPhone',
        userPhoneId: 'userPhoneId',
        sipErrorCode: 'sipErrorCode',
      }),
      finishStatus: ctx.coded(FINISH_STATUS, item.finishStatus, [...at, 'finishStatus']),
    });
  };

const readLine =
  (ctx: ReadContext) =>
  (item: JobPhoneInfoItem, at: Path): PhoneLine => {
    ctx.keepExtras(jobPhoneInfoItem, item, at);
    return compact(
      ctx.takeFields(item, at, {
        lineName: 'lineName',
        callerAccountId: 'callerAccountId',
        userPhoneId: 'userPhoneId',
      }),
    );
  };

export const normalizeOpenCall = (ctx: ReadContext, data: OpenCallData): CallRecord => {
  ctx.keepExtras(openCallData, data, []);
  ctx.keepExtras(callInstance, data.callInstance, ['callInstance']);
  const c = data.callInstance;
  const at = (key: string) => ['callInstance', key];
  const ids = ctx.takeFields(c, ['callInstance'], {
    callId: 'callInstanceId',
    companyId: 'companyId',
    callJobId: 'callJobId',
    robotDefId: 'robotDefId',
  });
  if (ids.companyId === undefined) {
    ctx.warnings.add(
      ctx.at(at('companyId')),
      'missing-company',
      `no companyId; filed under the placeholder company "${UNKNOWN_COMPANY}"`,
    );
  }
  const owner: Owner = { ...ids, companyId: ids.companyId ?? UNKNOWN_COMPANY };
  const results = readResults(ctx, data.taskResult, ['taskResult'], owner);
  const record = compact({
    kind: 'call' as const,
    platform: 'open' as const,
    direction: 'outbound' as const,
    callId: owner.callId as string,
    companyId: owner.companyId,
    callJobId: owner.callJobId,
    robotDefId: owner.robotDefId,
    ...ctx.takeFields(c, ['callInstance'], {
      ...CALL_FIELDS,
      recordingUrl: 'luyinOssUrl',
      properties: 'properties',
      robotDefName: 'robotDefName',
      calledTimes: 'calledTimes',
      perceptionResult: 'perceptionResult',
      collectProperties: 'collectProperties',
      transferred: 'transferred',
      lineIn: 'lineIn',
      takeover: 'takeover',
    }),
    status: ctx.coded(CALL_STATUS, c.callInstanceStatus, at('callInstanceStatus')),
    finishStatus: ctx.coded(FINISH_STATUS, c.finishStatus, at('finishStatus')),
    hangUp: ctx.coded(HANG_UP, c.hangUp, at('hangUp')),
    callRepeat: readOptionalList(ctx, data.callRepeat, ['callRepeat'], readAttempt(ctx)),
    jobPhoneInfos: readOptionalList(ctx, data.jobPhoneInfos, ['jobPhoneInfos'], readLine(ctx)),
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
    ...ctx.takeFields(data, [], { companyId: 'companyId', jobName: 'jobName' }),
    status: ctx.coded(OPEN_JOB_STATUS, data.callJobStatus, ['callJobStatus']),
    modifiedAt: updateTime ?? endTime,
    endTime,
  });
  return [{ ...job, ...ctx.finish() }];
};
