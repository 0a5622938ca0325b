/** CALL_INSTANCE_RESULT (with `sceneInstance`) and INBOUND_CALL_INSTANCE_RESULT → CallRecord. */
import { CALL_STATUS, FINISH_STATUS, HANG_UP, TRANSFER_STATUS } from './enums.js';
import { compact, type Owner, type ReadContext } from './read-context.js';
import {
  type CommonSceneInstance,
  type InboundCallData,
  inboundCallData,
  inboundSceneInstance,
  type OutboundCallData,
  outboundCallData,
  outboundSceneInstance,
  phoneLog as phoneLogSchema,
  type TaskResultItem,
  taskResultItem,
} from './schemas.js';
import { aiLevelOf, isIntentResult, labelsOf, manualLevelOnRecord, readTaskResult } from './task-results.js';
import { readTranscript } from './transcript.js';
import type { CallRecord, Intent, TaskResult } from './types.js';
import type { Path } from './warnings.js';

type Direction = CallRecord['direction'];

/** `taskResult[]` of a call (either platform): each object read; an element that is not one kept raw. */
export const readResults = (
  ctx: ReadContext,
  items: readonly (TaskResultItem | { readonly unreadableItem: unknown })[] | null | undefined,
  path: Path,
  owner: Owner,
): TaskResult[] => {
  const results: TaskResult[] = [];
  (items ?? []).forEach((item, index) => {
    const at = [...path, index];
    if ('unreadableItem' in item) {
      ctx.take(
        {
          value: null,
          raw: item.unreadableItem,
          drift: { code: 'unreadable', message: 'taskResult entry is not an object; kept as sent' },
        },
        at,
      );
      return;
    }
    ctx.keepExtras(taskResultItem, item, at);
    results.push(readTaskResult(ctx, item, at, owner));
  });
  return results;
};

/** The call's intent levels from its results: the AI's, a manual one carried on the record, and the effective one. */
export const intentOf = (results: readonly TaskResult[]): Intent => {
  const intentResult = results.find(isIntentResult);
  if (!intentResult) return {};
  const ai = aiLevelOf(intentResult);
  const manual = manualLevelOnRecord(intentResult);
  return compact({
    ai,
    manual,
    effective: manual ? { ...manual, source: 'manual' as const } : { ...ai, source: 'ai' as const },
  });
};

type CallData = OutboundCallData | InboundCallData;
type Specific = Omit<
  CallRecord,
  'kind' | 'platform' | 'direction' | 'intent' | 'labels' | 'results' | 'transcript' | 'warnings'
>;

/** Reads what both directions share and merges in the direction's own fields. */
const callRecord = (
  ctx: ReadContext,
  direction: Direction,
  data: CallData,
  s: CommonSceneInstance,
  specific: Specific,
): CallRecord => {
  const at = (key: string) => ['sceneInstance', key];
  ctx.keepExtras(direction === 'outbound' ? outboundCallData : inboundCallData, data, []);
  ctx.keepExtras(direction === 'outbound' ? outboundSceneInstance : inboundSceneInstance, s, [
    'sceneInstance',
  ]);
  if (data.phoneLog) ctx.keepExtras(phoneLogSchema, data.phoneLog, ['phoneLog']);
  const owner: Owner = {
    callId: specific.callId,
    companyId: ctx.take(s.companyId, at('companyId')),
    callJobId: ctx.take(s.callJobId, at('callJobId')),
    robotDefId: ctx.take(s.robotDefId, at('robotDefId')),
  };
  const results = readResults(ctx, data.taskResult, ['taskResult'], owner);
  const recording = ctx.take(s.luyinOssUrl, at('luyinOssUrl'));
  const transcriptRecording = ctx.take(data.phoneLog?.luyinOssUrl, ['phoneLog', 'luyinOssUrl']);
  const record = compact({
    kind: 'call' as const,
    platform: 'classic' as const,
    direction,
    ...specific,
    companyId: owner.companyId,
    callJobId: owner.callJobId,
    customerId: ctx.take(s.customerId, at('customerId')),
    customerTelephone: ctx.take(s.customerTelephone, at('customerTelephone')),
    customerName: ctx.take(s.customerName, at('customerName')),
    status: ctx.coded(CALL_STATUS, s.status, at('status')),
    finishStatus: ctx.coded(FINISH_STATUS, s.finishStatus, at('finishStatus')),
    hangUp: ctx.coded(HANG_UP, s.hangUp, at('hangUp')),
    durationSeconds: ctx.take(s.duration, at('duration')),
    chatRound: ctx.take(s.chatRound, at('chatRound')),
    startTime: ctx.take(s.startTime, at('startTime')),
    endTime: ctx.take(s.endTime, at('endTime')),
    recordingUrl: recording ?? transcriptRecording,
    transcriptRecordingUrl:
      recording !== undefined && transcriptRecording !== recording ? transcriptRecording : undefined,
    customerRecordingUrl: ctx.take(s.userLuyinOssUrl, at('userLuyinOssUrl')),
    properties: ctx.embedded(s.properties, at('properties')),
    propertiesMap: ctx.take(s.propertiesMap, at('propertiesMap')),
    userProperties: ctx.embedded(s.userProperties, at('userProperties')),
    robotDefId: owner.robotDefId,
    sceneDefId: ctx.take(s.sceneDefId, at('sceneDefId')),
    sceneRecordId: ctx.take(s.sceneRecordId, at('sceneRecordId')),
    read: ctx.take(s.readStatus, at('readStatus')),
    callbacked: ctx.take(s.callbacked, at('callbacked')),
    voipCallerAccount:
      ctx.take(s.voipCallerAccount, at('voipCallerAccount')) ??
      ctx.take(data.voipCallerAccount, ['voipCallerAccount']),
    customerStatus: ctx.take(s.customerStatus, at('customerStatus')),
    corpName: ctx.embedded(s.corpName, at('corpName')),
    jobFinished: ctx.take(data.jobFinished, ['jobFinished']),
    createdAt: ctx.take(s.gmtCreate, at('gmtCreate')),
    modifiedAt: ctx.take(s.gmtModified, at('gmtModified')),
    intent: intentOf(results),
    labels: labelsOf(results),
    results,
    transcript: readTranscript(ctx, data.phoneLog?.phoneLogs, ['phoneLog', 'phoneLogs'], owner),
    sign: ctx.take(data.sign, ['sign']),
    signedAt: ctx.take(data.dateTime, ['dateTime']),
  });
  return { ...record, ...ctx.finish() };
};

export const normalizeOutbound = (ctx: ReadContext, data: OutboundCallData): CallRecord => {
  const s = data.sceneInstance;
  const at = (key: string) => ['sceneInstance', key];
  return callRecord(ctx, 'outbound', data, s, {
    callId: ctx.take(s.callInstanceId, at('callInstanceId')) as string,
    jobName: ctx.take(s.jobName, at('jobName')),
    callUserId: ctx.take(s.callUserId, at('callUserId')),
    callerPhone: ctx.take(s.callerPhone, at('callerPhone')),
    scriptName: ctx.take(s.handlePerson, at('handlePerson')),
    callType: ctx.take(s.callType, at('callType')),
    callIndex: ctx.take(s.callIndex, at('callIndex')),
    industry: ctx.take(s.industry, at('industry')),
    trackResult: ctx.take(s.trackResult, at('trackResult')),
    bugType: ctx.take(s.bugType, at('bugType')),
    // 百应's "no second call" sentinel reads as absent (fields.ts).
    secondaryCallTime: ctx.take(s.secondaryCallTime, at('secondaryCallTime')),
    secondaryCallTimes: ctx.take(s.secondaryCallTimes, at('secondaryCallTimes')),
    costFen: ctx.take(s.cost, at('cost')),
    csStaffId: ctx.take(s.csStaffId, at('csStaffId')),
  });
};

export const normalizeInbound = (ctx: ReadContext, data: InboundCallData): CallRecord => {
  const s = data.sceneInstance;
  const at = (key: string) => ['sceneInstance', key];
  return callRecord(ctx, 'inbound', data, s, {
    callId: ctx.take(s.inboundInstanceId, at('inboundInstanceId')) as string,
    calleePhone: ctx.take(s.calleePhone, at('calleePhone')),
    transferStatus: ctx.coded(TRANSFER_STATUS, s.transferStatus, at('transferStatus')),
    transferInfo: ctx.take(s.transferInfo, at('transferInfo')),
    userLevel: ctx.take(s.userLevel, at('userLevel')),
  });
};
