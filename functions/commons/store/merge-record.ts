/** One normalized record merged into its table: calls and manual changes into `calls`, jobs into `jobs`. */
import type { NormalizedRecord } from '../contract/types.js';
import { type CallsTarget, mergeCall, mergeManualIntent } from './call-store.js';
import type { Delivery } from './delivery.js';
import { mergeJob } from './job-store.js';
import type { MergeOutcome } from './merge.js';

export const mergeRecord = (
  calls: CallsTarget,
  jobsTable: string,
  record: NormalizedRecord,
  delivery: Delivery,
): Promise<MergeOutcome> => {
  switch (record.kind) {
    case 'call':
      return mergeCall(calls, record, delivery);
    case 'manualIntent':
      return mergeManualIntent(calls, record, delivery);
    case 'job':
      return mergeJob(calls.doc, jobsTable, record, delivery, calls.policy);
  }
};
