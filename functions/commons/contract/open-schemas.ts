/**
 * valibot schemas of 百应's open platform (open.byai.com) callbacks: envelope
 * `{code, data:{callbackType, data}}`, with `callInstance` where the classic platform has
 * `sceneInstance`. Known second-hand only (shared/docs/byai-open-platform.md), so every field is
 * optional but the call id, each is read with the same tolerant codecs as the classic contract,
 * and unknown fields are kept.
 */
import * as v from 'valibot';
import { field, flag, id, int, jsonValueOrText, text, wallClock } from './fields.js';
import { parseEmbeddedJson } from './lossless.js';
import { listOf, phoneLogItem, taskResultItem } from './schemas.js';

/** An object (the documented form) or a JSON string holding one (drift; `properties` is seen both ways). */
const objectOrJsonText = jsonValueOrText(parseEmbeddedJson);

export const callInstance = v.looseObject({
  callInstanceId: id,
  callJobId: field(id),
  companyId: field(id),
  callInstanceStatus: field(int),
  finishStatus: field(int),
  customerTelephone: field(text),
  customerName: field(text),
  robotDefId: field(id),
  robotDefName: field(text),
  startTime: field(wallClock),
  endTime: field(wallClock),
  duration: field(int),
  luyinOssUrl: field(text),
  userLuyinOssUrl: field(text),
  calledTimes: field(int),
  chatRound: field(int),
  hangUp: field(int),
  perceptionResult: field(text),
  collectProperties: field(objectOrJsonText),
  properties: field(objectOrJsonText),
  transferred: field(flag('boolean')),
  lineIn: field(flag('boolean')),
  takeover: field(flag('boolean')),
  gmtCreate: field(wallClock),
  gmtModified: field(wallClock),
});

export const callRepeatItem = v.looseObject({
  repeatIndex: field(int),
  finishStatus: field(int),
  startTime: field(wallClock),
  endTime: field(wallClock),
  callerPhone: field(text),
  userPhoneId: field(id),
  sipErrorCode: field(text),
});
export type CallRepeatItem = v.InferOutput<typeof callRepeatItem>;

export const jobPhoneInfoItem = v.looseObject({
  lineName: field(text),
  callerAccountId: field(id),
  userPhoneId: field(id),
});
export type JobPhoneInfoItem = v.InferOutput<typeof jobPhoneInfoItem>;

/** CALL_INSTANCE_RESULT on the open platform. */
export const openCallData = v.looseObject({
  callInstance,
  phoneLogs: listOf(phoneLogItem),
  taskResult: listOf(taskResultItem),
  callRepeat: listOf(callRepeatItem),
  jobPhoneInfos: listOf(jobPhoneInfoItem),
});
export type OpenCallData = v.InferOutput<typeof openCallData>;

/** JOB_INFO_RESULT on the open platform. */
export const openJobData = v.looseObject({
  callJobId: id,
  companyId: field(id),
  callJobStatus: field(int),
  updateTime: field(wallClock),
  endTime: field(wallClock),
  jobName: field(text),
});
export type OpenJobData = v.InferOutput<typeof openJobData>;
