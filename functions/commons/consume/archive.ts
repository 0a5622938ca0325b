/**
 * The raw archive: one gzip JSON-lines object per consumed batch (an S3 PUT per callback would
 * cost more than the rest of the pipeline together). Each line is one received body with how it
 * was received, so any record can be re-derived by replaying the lines through consume.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { BUCKET_PREFIXES } from '../definitions.js';
import type { ObjectStore } from '../object-store.js';
import type { ReceiveMeta } from '../queue-message.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface ArchiveLine {
  readonly messageId: string;
  readonly meta: ReceiveMeta;
  readonly body: string;
}

export type { ObjectStore };

/** `archive/yyyy/MM/dd/HH/<batch id>.jsonl.gz`, by the UTC time the batch was consumed. */
export const archiveKey = (consumedAt: Date, batchId: string): string => {
  const iso = consumedAt.toISOString();
  return `${BUCKET_PREFIXES.archive}${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}/${batchId}.jsonl.gz`;
};

/** Writes the batch and returns each line's pointer (`<key>#<line number from 1>`). */
export const writeArchive = async (
  store: ObjectStore,
  key: string,
  lines: readonly ArchiveLine[],
): Promise<string[]> => {
  const text = lines.map((line) => JSON.stringify(line)).join('\n');
  await store.put(key, await gzipAsync(Buffer.from(`${text}\n`, 'utf8')), 'application/gzip');
  return lines.map((_, index) => `${key}#${index + 1}`);
};

export const readArchive = async (store: ObjectStore, key: string): Promise<ArchiveLine[]> => {
  const text = (await gunzipAsync(await store.get(key))).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ArchiveLine);
};
