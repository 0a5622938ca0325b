/** JOB_INFO_RESULT → one JobRecord per job id (the doc types `callJobId` as a list). */
import { JOB_CALLER_TYPE, JOB_STATUS, JOB_TYPE } from './enums.js';
import { compact, type ReadContext } from './read-context.js';
import { type JobData, jobData } from './schemas.js';
import type { JobRecord } from './types.js';

export const normalizeJob = (ctx: ReadContext, data: JobData): JobRecord[] => {
  ctx.keepExtras(jobData, data, []);
  const ids = ctx.take(data.callJobId, ['callJobId']) ?? [];
  const job = compact({
    ...ctx.takeFields(data, [], {
      companyId: 'companyId',
      jobName: 'jobName',
      startDate: 'startDate',
      endDate: 'endDate',
      workingStartTime: 'workingStartTime',
      workingEndTime: 'workingEndTime',
      breakStartTime: 'breakStartTime',
      breakEndTime: 'breakEndTime',
      robotDefId: 'robotDefId',
      sceneDefId: 'sceneDefId',
      sceneRecordId: 'sceneRecordId',
      remark: 'remark',
      smsType: 'smsType',
      smsTemplateId: 'smsTemplateId',
      userId: 'userId',
      userName: 'userName',
      createdAt: 'gmtCreate',
      modifiedAt: 'gmtModified',
      signedAt: 'dateTime',
    }),
    signed: ctx.signed(data.sign, ['sign']),
    jobType: ctx.coded(JOB_TYPE, data.jobType, ['jobType']),
    status: ctx.coded(JOB_STATUS, data.status, ['status']),
    callerType: ctx.coded(JOB_CALLER_TYPE, data.callType, ['callType']),
    smsCondition: ctx.embedded(data.smsCondition, ['smsCondition']),
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
