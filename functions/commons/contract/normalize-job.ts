/** JOB_INFO_RESULT → one JobRecord per job id (the doc types `callJobId` as a list). */
import { JOB_CALLER_TYPE, JOB_STATUS, JOB_TYPE } from './enums.js';
import { compact, type ReadContext } from './read-context.js';
import { type JobData, jobData } from './schemas.js';
import type { JobRecord } from './types.js';

export const normalizeJob = (ctx: ReadContext, data: JobData): JobRecord[] => {
  ctx.keepExtras(jobData, data, []);
  const ids = ctx.take(data.callJobId, ['callJobId']) ?? [];
  const job = compact({
    companyId: ctx.take(data.companyId, ['companyId']),
    jobName: ctx.take(data.jobName, ['jobName']),
    jobType: ctx.coded(JOB_TYPE, data.jobType, ['jobType']),
    status: ctx.coded(JOB_STATUS, data.status, ['status']),
    startDate: ctx.take(data.startDate, ['startDate']),
    endDate: ctx.take(data.endDate, ['endDate']),
    workingStartTime: ctx.take(data.workingStartTime, ['workingStartTime']),
    workingEndTime: ctx.take(data.workingEndTime, ['workingEndTime']),
    breakStartTime: ctx.take(data.breakStartTime, ['breakStartTime']),
    breakEndTime: ctx.take(data.breakEndTime, ['breakEndTime']),
    callerType: ctx.coded(JOB_CALLER_TYPE, data.callType, ['callType']),
    robotDefId: ctx.take(data.robotDefId, ['robotDefId']),
    sceneDefId: ctx.take(data.sceneDefId, ['sceneDefId']),
    sceneRecordId: ctx.take(data.sceneRecordId, ['sceneRecordId']),
    remark: ctx.take(data.remark, ['remark']),
    smsType: ctx.take(data.smsType, ['smsType']),
    smsCondition: ctx.embedded(data.smsCondition, ['smsCondition']),
    smsTemplateId: ctx.take(data.smsTemplateId, ['smsTemplateId']),
    userId: ctx.take(data.userId, ['userId']),
    userName: ctx.take(data.userName, ['userName']),
    createdAt: ctx.take(data.gmtCreate, ['gmtCreate']),
    modifiedAt: ctx.take(data.gmtModified, ['gmtModified']),
    sign: ctx.take(data.sign, ['sign']),
    signedAt: ctx.take(data.dateTime, ['dateTime']),
  });
  const shared = ctx.finish();
  return ids.map((callJobId) => ({
    kind: 'job' as const,
    platform: 'classic' as const,
    callJobId,
    ...job,
    ...shared,
  }));
};
