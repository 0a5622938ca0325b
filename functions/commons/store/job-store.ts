/**
 * Merging job-status callbacks into the `jobs` table: the newest status wins, and `history`
 * keeps each distinct status once (per 百应 modification time when 百应 sends one) with the
 * earliest time we received it. Jobs are few, so the merge reads before it writes.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '../contract/types.js';
import { TTL_ATTRIBUTE } from '../definitions.js';
import { type DataPolicy, expiresAtOf } from '../personal/policy.js';
import { type Delivery, versionOf } from './delivery.js';
import type { HistoryEntry } from './items.js';
import { jobKey } from './keys.js';
import { type Item, type MergeOutcome, mergeDelivery } from './merge.js';
import { assertFits, storable } from './storable.js';
import type { Update } from './update.js';

const historyKey = (job: JobRecord): string | undefined =>
  job.status === undefined
    ? undefined
    : job.modifiedAt
      ? `${job.status.code}@${job.modifiedAt}`
      : String(job.status.code);

/**
 * 百应's own time of a job status: `gmtModified` (open platform: `updateTime`/`endTime`, read into
 * the same field), else the signed `dateTime`. It orders statuses; history is keyed by
 * `gmtModified` only, because a signed `dateTime` may differ on every retry of the same status.
 */
export const jobVendorTime = (job: JobRecord): string | undefined => job.modifiedAt ?? job.signedAt;

export const mergeJob = (
  doc: DynamoDBDocumentClient,
  table: string,
  job: JobRecord,
  delivery: Delivery,
  policy?: DataPolicy,
): Promise<MergeOutcome> => {
  const version = versionOf(delivery, jobVendorTime(job));
  const stored = storable(job) as Item;
  assertFits(`job ${job.callJobId}`, stored);
  // A job lives as long after its newest status as a call after its own time.
  const expiresAt = expiresAtOf(policy, jobVendorTime(job) ?? delivery.receivedAt);
  const apply = (update: Update, old: Item | undefined): void => {
    const kept = old?.[TTL_ATTRIBUTE];
    if (expiresAt !== undefined && (typeof kept !== 'number' || expiresAt > kept))
      update.set(TTL_ATTRIBUTE, expiresAt);
    const history = { ...((old?.history as Record<string, HistoryEntry> | undefined) ?? {}) };
    const key = historyKey(job);
    if (key !== undefined && job.status) {
      const seen = history[key];
      if (seen === undefined || delivery.receivedAt < seen.firstReceivedAt) {
        history[key] = {
          code: job.status.code,
          name: job.status.name,
          ...(job.modifiedAt ? { modifiedAt: job.modifiedAt } : {}),
          firstReceivedAt: delivery.receivedAt,
        };
        update.set('history', history);
      }
    }
    const current = old?.statusVersion;
    if (typeof current === 'string' && current >= version) return;
    update
      .set('job', stored)
      .set('statusVersion', version)
      .set('callJobId', job.callJobId)
      .set('platform', job.platform);
    if (job.status) update.set('status', job.status);
    if (job.companyId) update.set('companyId', job.companyId);
    if (delivery.archive) update.set('jobArchive', delivery.archive);
  };
  return mergeDelivery(doc, { table, key: { pk: jobKey(job.callJobId) }, delivery, apply, readFirst: true });
};
