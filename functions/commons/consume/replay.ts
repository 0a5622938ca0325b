/**
 * Replay: re-drive archived raw bodies through the pipeline by putting them back on the queue
 * with their original receive metadata. Because a delivery's id comes from its request id,
 * replaying is idempotent: records are re-derived, deliveries are not counted twice.
 */

import { BUCKET_PREFIXES } from '../definitions.js';
import type { Enqueuer } from '../ingest/enqueue.js';
import { type ObjectStore, readArchive } from './archive.js';
import { readQuarantine } from './quarantine.js';

export interface ReplaySummary {
  readonly objects: number;
  readonly bodies: number;
}

/** `day` as yyyy-MM-dd (UTC, as archive keys are) narrows the replay to that day's objects. */
export const archivePrefix = (day?: string): string =>
  day ? `${BUCKET_PREFIXES.archive}${day.replaceAll('-', '/')}/` : BUCKET_PREFIXES.archive;

export const replayArchive = async (options: {
  readonly objects: ObjectStore;
  readonly enqueue: Enqueuer;
  readonly prefix: string;
  readonly onProgress?: (summary: ReplaySummary) => void;
}): Promise<ReplaySummary> => {
  let objects = 0;
  let bodies = 0;
  for (const key of await options.objects.list(options.prefix)) {
    for (const line of await readArchive(options.objects, key)) {
      await options.enqueue(line.meta, line.body);
      bodies++;
    }
    objects++;
    options.onProgress?.({ objects, bodies });
  }
  return { objects, bodies };
};

export interface QuarantineReplaySummary {
  /** Entries put back on the queue (and removed from the quarantine: consume keeps them again if they still fail). */
  readonly replayed: number;
  /** Entries left where they are: not one of our messages, or bytes that are not text. */
  readonly skipped: number;
}

/**
 * Re-drives quarantined bodies (after adding a company to `companyIds`, or after a reader fix):
 * each goes back on the queue with its receive metadata, so it merges as the delivery it was.
 * An ingest refusal is read afresh. Only entries with `reason` when given.
 */
export const replayQuarantine = async (options: {
  readonly objects: ObjectStore;
  readonly enqueue: Enqueuer;
  readonly prefixes: readonly string[];
  readonly reason?: string;
}): Promise<QuarantineReplaySummary> => {
  let replayed = 0;
  let skipped = 0;
  for (const entry of await readQuarantine(options.objects, options.prefixes)) {
    if (options.reason !== undefined && entry.reason.code !== options.reason) continue;
    if (!entry.meta || entry.bodyEncoding === 'base64' || entry.meta.bodyEncoding === 'base64') {
      skipped++;
      continue;
    }
    const { rejected: _rejected, ...meta } = entry.meta;
    await options.enqueue(meta, entry.body);
    await options.objects.delete(entry.key);
    replayed++;
  }
  return { replayed, skipped };
};
