/**
 * Calls too large for one DynamoDB item (400 KB): a long transcript, megabytes of `properties`.
 * The item keeps every small field of the record (and all index attributes); the largest parts
 * move to one gzip JSON object under `records/`, named by the SHA-256 of its content, so a retry
 * or a replay writes the same object again instead of a new one. The object is written before
 * the conditional item write: a lost race leaves at most an orphan object, never a pointer to
 * nothing. Readers put the record back together with `reassembleCall`.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { BUCKET_PREFIXES } from '../definitions.js';
import type { ObjectStore } from '../object-store.js';
import type { CallItem, OverflowPointer, StoredCallRecord } from './items.js';

export type { OverflowPointer };

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * Bytes of record kept inline at most. DynamoDB's limit is 400 KB for the whole item; the rest
 * leaves room for bookkeeping, the manual change and index attributes.
 */
export const INLINE_RECORD_BYTES = 300_000;

type Record_ = Record<string, unknown>;

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/** Fields that identify and index a call never move: a reader must find the item by them. */
const PINNED = new Set(['kind', 'direction', 'callId', 'companyId', 'callJobId', 'startTime', 'endTime']);

export interface SplitRecord {
  /** The record as the item keeps it. */
  readonly inline: Record_;
  /** The moved fields, or undefined when the record fits. */
  readonly moved?: Record_;
}

/** Moves the largest fields out until what stays fits `budget` bytes. */
export const splitRecord = (record: Record_, budget = INLINE_RECORD_BYTES): SplitRecord => {
  if (jsonBytes(record) <= budget) return { inline: record };
  const sizes = Object.keys(record)
    .filter((key) => !PINNED.has(key))
    .map((key) => ({ key, bytes: jsonBytes(record[key]) }))
    .sort((a, b) => b.bytes - a.bytes);
  const inline: Record_ = { ...record };
  const moved: Record_ = {};
  let size = jsonBytes(record);
  for (const { key, bytes } of sizes) {
    if (size <= budget) break;
    moved[key] = record[key];
    delete inline[key];
    size -= bytes;
  }
  return { inline, moved };
};

export const overflowKey = (callKey: string, sha256: string): string =>
  `${BUCKET_PREFIXES.records}${callKey.replace('#', '/')}/${sha256}.json.gz`;

/** Writes the moved fields and returns the pointer the item keeps. */
export const writeOverflow = async (
  objects: ObjectStore,
  callKey: string,
  moved: Record_,
): Promise<OverflowPointer> => {
  const text = JSON.stringify(moved);
  const sha256 = createHash('sha256').update(text).digest('hex');
  const body = await gzipAsync(Buffer.from(text, 'utf8'));
  const key = overflowKey(callKey, sha256);
  await objects.put(key, body, 'application/gzip');
  return { key, bytes: body.byteLength, sha256, fields: Object.keys(moved) };
};

export class OverflowIntegrityError extends Error {
  override readonly name = 'OverflowIntegrityError';
}

/**
 * A calls-table item with its `record` whole again: the fields kept in S3 are read back,
 * checked against the pointer's SHA-256 and put in place. Items without overflow are returned
 * as they are.
 */
export const reassembleCall = async (item: CallItem, objects: ObjectStore): Promise<CallItem> => {
  const pointer = item.recordOverflow;
  if (pointer === undefined || item.record === undefined) return item;
  const text = Buffer.from(await gunzipAsync(await objects.get(pointer.key))).toString('utf8');
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (sha256 !== pointer.sha256) {
    throw new OverflowIntegrityError(`${pointer.key} does not match its SHA-256 ${pointer.sha256}`);
  }
  const moved = JSON.parse(text) as Partial<StoredCallRecord>;
  const { recordOverflow: _pointer, ...rest } = item;
  return { ...rest, record: { ...item.record, ...moved }, recordOverflowKey: pointer.key };
};
