/**
 * Replay: re-drive archived raw bodies through the pipeline by putting them back on the queue
 * with their original receive metadata. Because a delivery's id comes from its request id,
 * replaying is idempotent: records are re-derived, deliveries are not counted twice.
 */

import { BUCKET_PREFIXES } from '../definitions.js';
import type { Enqueuer } from '../ingest/enqueue.js';
import { type ObjectStore, readArchive } from './archive.js';

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
