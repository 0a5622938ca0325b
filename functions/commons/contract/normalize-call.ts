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

/** Fields both platforms' call objects (`sceneInstance`, `callInstance`) name alike: record field → source field. */
export const CALL_FIELDS = {
  customerTelephone: 'customerTelephone',
  customerName: 'customerName',
  durationSeconds: 'duration',
  chatRound: 'chatRound',
  startTime: 'startTime',
  endTime: 'endTime',
  customerRecordingUrl: 'userLuyinOssUrl',
  createdAt: 'gmtCreate',
  modifiedAt: 'gmtModified',
} as const;

/** `taskResult[]` of a call (either platform): each object read; an element that is not one kept raw. */
export const readResults = (
  ctx: ReadContext,
  items: readonly (TaskResultItem | { readonly unreadableItem: unknown })[] | null | undefined,
  path: Path,
  owner: Owner,
): TaskResult[] =>
  ctx.readList(items, path, (item, at) => {
    ctx.keepExtras(taskResultItem, item, at);
    return readTaskResult(ctx, item, at, owner);
  });

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
/** What each direction adds: fields of the record, each possibly not sent (compact drops those). */
type Specific = { readonly callId: string } & {
  readonly [K in Exclude<
    keyof CallRecord,
    'kind' | 'platform' | 'direction' | 'intent' | 'labels' | 'results' | 'transcript' | 'warnings' | 'callId'
  >]?: CallRecord[K] | undefined;
};

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
    robotDefId: owner.robotDefId,
    ...ctx.takeFields(s, ['sceneInstance'], {
      ...CALL_FIELDS,
      customerId: 'customerId',
      propertiesMap: 'propertiesMap',
      sceneDefId: 'sceneDefId',
      sceneRecordId: 'sceneRecordId',
      read: 'readStatus',
      callbacked: 'callbacked',
      customerStatus: 'customerStatus',
    }),
    ...ctx.takeFields(data, [], { jobFinished: 'jobFinished', signedAt: 'dateTime' }),
    signed: ctx.signed(data.sign, ['sign']),
    status: ctx.coded(CALL_STATUS, s.status, at('status')),
    finishStatus: ctx.coded(FINISH_STATUS, s.finishStatus, at('finishStatus')),
    hangUp: ctx.coded(HANG_UP, s.hangUp, at('hangUp')),
    recordingUrl: recording ?? transcriptRecording,
    transcriptRecordingUrl:
      recording !== undefined && transcriptRecording !== recording ? transcriptRecording : undefined,
    properties: ctx.embedded(s.properties, at('properties')),
    userProperties: ctx.embedded(s.userProperties, at('userProperties')),
    corpName: ctx.embedded(s.corpName, at('corpName')),
    voipCallerAccount:
      ctx.take(s.voipCallerAccount, at('voipCallerAccount')) ??
      ctx.take(data.voipCallerAccount, ['voipCallerAccount']),
    intent: intentOf(results),
    labels: labelsOf(results),
    results,
    transcript: readTranscript(ctx, data.phoneLog?.phoneLogs, ['phoneLog', 'phoneLogs'], owner),
  });
  return { ...record, ...ctx.finish() };
};

export const normalizeOutbound = (ctx: ReadContext, data: OutboundCallData): CallRecord => {
  const s = data.sceneInstance;
  const at = (key: string) => ['sceneInstance', key];
  return callRecord(ctx, 'outbound', data, s, {
    callId: ctx.take(s.callInstanceId, at('callInstanceId')) as string,
    // 百应's "no second call" sentinel reads as absent (fields.ts).
    ...ctx.takeFields(s, ['sceneInstance'], {
      jobName: 'jobName',
      callUserId: 'callUserId',
      callerPhone: 'callerPhone',
      scriptName: 'handlePerson',
      callType: 'callType',
      callIndex: 'callIndex',
      industry: 'industry',
      trackResult: 'trackResult',
      bugType: 'bugType',
      secondaryCallTime: 'secondaryCallTime',
      secondaryCallTimes: 'secondaryCallTimes',
      costFen: 'cost',
      csStaffId: 'csStaffId',
    }),
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
