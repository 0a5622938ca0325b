/**
 * Quarantine: a body the contract cannot read is stored whole, with its error, under
 * `quarantine/`, counted by a metric (alarmed on) and never dropped. One object per message,
 * keyed by the delivery so a retried message overwrites rather than duplicates.
 */
import { charsetOf } from '../charset.js';
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
  /** `base64` when the body's bytes were not text in their declared charset (see `meta.contentType`). */
  readonly bodyEncoding?: 'base64';
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
  const encoding = entry.meta?.bodyEncoding;
  const kept = encoding ? { ...entry, bodyEncoding: encoding } : entry;
  await store.put(key, JSON.stringify(kept), 'application/json; charset=utf-8');
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

/** Charsets tried, in order, for a base64 body that did not decode as declared. */
const FALLBACK_CHARSETS = ['gb18030', 'big5'];

/**
 * A quarantined base64 body shown as text where some charset reads it without errors: the
 * declared one first, then the ones Chinese senders use. Undefined when none does.
 */
export const decodeQuarantinedBody = (
  entry: QuarantineEntry,
): { text: string; charset: string } | undefined => {
  if (entry.bodyEncoding !== 'base64') return undefined;
  const bytes = Buffer.from(entry.body, 'base64');
  const tried = new Set([charsetOf(entry.meta?.contentType), 'utf-8', ...FALLBACK_CHARSETS]);
  for (const charset of tried) {
    try {
      return { text: new TextDecoder(charset, { fatal: true }).decode(bytes), charset };
    } catch {
      // Not this charset (or one ICU does not know): try the next.
    }
  }
  return undefined;
};
