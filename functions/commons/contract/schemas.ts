/**
 * valibot schemas of the four callbacks 百应 sends and of their envelope. Each field uses a
 * tolerant codec from fields.ts; only what identifies a record (its id) is required, so one odd
 * field never costs us a call record. Unknown fields pass through (`looseObject`) and are kept.
 */
import * as v from 'valibot';
import {
  date,
  field,
  flag,
  gmtDateTime,
  id,
  idList,
  int,
  jsonText,
  jsonValueOrText,
  labels,
  msOffset,
  text,
  timeOfDay,
  wallClock,
} from './fields.js';
import { parseEmbeddedJson } from './lossless.js';

const embedded = jsonText(parseEmbeddedJson);

/** A JSON object or array held as a value (propertiesMap); a JSON string is accepted as drift. */
const jsonValue = jsonValueOrText(parseEmbeddedJson);

/** Fields shared by outbound and inbound call records (`sceneInstance`). */
const callEntries = {
  companyId: field(id),
  callJobId: field(id),
  customerId: field(id),
  customerTelephone: field(text),
  customerName: field(text),
  status: field(int),
  finishStatus: field(int),
  duration: field(int),
  chatRound: field(int),
  startTime: field(wallClock),
  endTime: field(wallClock),
  luyinOssUrl: field(text),
  userLuyinOssUrl: field(text),
  properties: field(embedded),
  readStatus: field(flag('int')),
  robotDefId: field(id),
  sceneDefId: field(id),
  sceneRecordId: field(id),
  hangUp: field(int),
  callbacked: field(flag('int')),
  gmtCreate: field(wallClock),
  gmtModified: field(wallClock),
  // Beyond the doc, seen in real traffic and other integrators' code:
  voipCallerAccount: field(text),
  customerStatus: field(int),
  userProperties: field(embedded),
  propertiesMap: field(jsonValue),
  corpName: field(embedded),
};

/** The fields both directions share; the normalizer reads them once for both. */
export const commonSceneInstance = v.looseObject(callEntries);

export const outboundSceneInstance = v.looseObject({
  callInstanceId: id,
  ...callEntries,
  callUserId: field(id),
  callerPhone: field(text),
  handlePerson: field(text),
  callType: field(int),
  callIndex: field(int),
  jobName: field(text),
  industry: field(text),
  trackResult: field(text),
  bugType: field(text),
  secondaryCallTime: field(wallClock),
  secondaryCallTimes: field(int),
  cost: field(int),
  csStaffId: field(id),
});

export const inboundSceneInstance = v.looseObject({
  inboundInstanceId: id,
  ...callEntries,
  calleePhone: field(text),
  transferStatus: field(int),
  transferInfo: field(text),
  userLevel: field(text),
});

const taskResultEntries = {
  sceneInstanceResultId: field(id),
  companyId: field(id),
  callJobId: field(id),
  sceneInstanceId: field(id),
  resultName: field(text),
  resultValue: field(text),
  artificialResultValue: field(text),
  artificialChanged: field(flag('boolean')),
  resultDesc: field(text),
  analyzeType: field(text),
  resultValueAlias: field(text),
  resultLabels: field(labels),
  resultValueNew: field(text),
  extra: field(embedded),
  gmtCreate: field(wallClock),
  gmtModified: field(wallClock),
};

export const taskResultItem = v.looseObject(taskResultEntries);

export const phoneLogItem = v.looseObject({
  sceneInstanceLogId: field(id),
  sceneInstanceId: field(id),
  companyId: field(id),
  robotDefId: field(id),
  decisionId: field(id),
  speaker: field(text),
  content: field(text),
  userMean: field(text),
  userMeanDetail: field(embedded),
  aiUnknown: field(flag('boolean')),
  answerStatus: field(int),
  studyStatus: field(int),
  startTime: field(msOffset),
  endTime: field(msOffset),
  knowledgeBaseId: field(id),
  correctionContent: field(text),
  decisionName: field(text),
  gmtCreate: field(wallClock),
  gmtModified: field(wallClock),
});

/** An element of a list that is not even an object is kept raw rather than failing the record. */
export const listOf = <TItem extends v.GenericSchema>(item: TItem) =>
  v.optional(
    v.nullable(
      v.array(
        v.union([
          item,
          v.pipe(
            v.unknown(),
            v.transform((raw) => ({ unreadableItem: raw }) as const),
          ),
        ]),
      ),
    ),
  );

export const phoneLog = v.looseObject({
  phoneLogs: listOf(phoneLogItem),
  luyinOssUrl: field(text),
});

const callTail = {
  taskResult: listOf(taskResultItem),
  phoneLog: v.optional(v.nullable(phoneLog)),
  jobFinished: field(flag('boolean')),
  sign: field(text),
  dateTime: field(gmtDateTime),
  voipCallerAccount: field(text),
};

/** CALL_INSTANCE_RESULT carrying a whole outbound call. */
export const outboundCallData = v.looseObject({ sceneInstance: outboundSceneInstance, ...callTail });

/** INBOUND_CALL_INSTANCE_RESULT. */
export const inboundCallData = v.looseObject({ sceneInstance: inboundSceneInstance, ...callTail });

/**
 * CALL_INSTANCE_RESULT sent after a manual intent change in the CRM: only `taskResult[]`, each
 * naming its call through `sceneInstanceId`.
 */
export const manualIntentData = v.looseObject({
  taskResult: v.pipe(
    v.array(v.looseObject({ ...taskResultEntries, sceneInstanceId: id })),
    v.minLength(1, 'at least one taskResult'),
  ),
  sign: field(text),
  dateTime: field(gmtDateTime),
});

/** JOB_INFO_RESULT. */
export const jobData = v.looseObject({
  callJobId: idList,
  companyId: field(id),
  jobName: field(text),
  jobType: field(int),
  startDate: field(date),
  endDate: field(date),
  workingStartTime: field(timeOfDay),
  workingEndTime: field(timeOfDay),
  breakStartTime: field(timeOfDay),
  breakEndTime: field(timeOfDay),
  status: field(int),
  callType: field(int),
  robotDefId: field(id),
  sceneDefId: field(id),
  sceneRecordId: field(id),
  remark: field(text),
  smsType: field(int),
  smsCondition: field(embedded),
  smsTemplateId: field(text),
  userId: field(id),
  userName: field(text),
  gmtCreate: field(wallClock),
  gmtModified: field(wallClock),
  sign: field(text),
  dateTime: field(gmtDateTime),
});

export type CommonSceneInstance = v.InferOutput<typeof commonSceneInstance>;
export type OutboundCallData = v.InferOutput<typeof outboundCallData>;
export type InboundCallData = v.InferOutput<typeof inboundCallData>;
export type ManualIntentData = v.InferOutput<typeof manualIntentData>;
export type JobData = v.InferOutput<typeof jobData>;
export type TaskResultItem = v.InferOutput<typeof taskResultItem>;
export type PhoneLogItem = v.InferOutput<typeof phoneLogItem>;
