/**
 * Quarantine: a body the contract cannot read is stored whole, with its error, under
 * `quarantine/`, counted by a metric (alarmed on) and never dropped. One object per message,
 * keyed by the delivery so a retried message overwrites rather than duplicates.
 */
import { BUCKET_PREFIXES } from '../definitions.js';
import type { ReceiveMeta } from '../queue-message.js';
import type { ObjectStore } from './archive.js';

export interface QuarantineReason {
  readonly code: string;
  readonly message: string;
  readonly path?: string;
}

export interface QuarantineEntry {
  readonly quarantinedAt: string;
  readonly messageId: string;
  readonly reason: QuarantineReason;
  readonly meta?: ReceiveMeta;
  /** The body exactly as received (or the SQS message body when it was not ours). */
  readonly body: string;
}

export const quarantineKey = (
  entry: Pick<QuarantineEntry, 'quarantinedAt' | 'messageId' | 'meta'>,
): string => {
  const day = (entry.meta?.receivedAt ?? entry.quarantinedAt).slice(0, 10).replaceAll('-', '/');
  const id = (entry.meta?.requestId ?? entry.messageId).replace(/[^\w-]/g, '_');
  return `${BUCKET_PREFIXES.quarantine}${day}/${id}.json`;
};

export const writeQuarantine = async (store: ObjectStore, entry: QuarantineEntry): Promise<string> => {
  const key = quarantineKey(entry);
  await store.put(key, JSON.stringify(entry), 'application/json; charset=utf-8');
  return key;
};

/** Every quarantined entry under `prefix`, oldest key first (for operators and the records CLI). */
export const readQuarantine = async (store: ObjectStore, prefix: string): Promise<QuarantineEntry[]> => {
  const entries: QuarantineEntry[] = [];
  for (const key of (await store.list(prefix)).sort()) {
    entries.push(JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as QuarantineEntry);
  }
  return entries;
};
