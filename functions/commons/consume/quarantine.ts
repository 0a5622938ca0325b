/**
 * Quarantine: a body the contract cannot read is stored whole, with its error, under
 * `quarantine/`, counted by a metric (alarmed on) and never dropped. One object per message,
 * keyed by the delivery so a retried message overwrites rather than duplicates.
 */
import { charsetOf } from '../charset.js';
import { BUCKET_PREFIXES, FOREIGN_PREFIX } from '../definitions.js';
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

/** `quarantine/[foreign/]<yyyy>/<MM>/<dd>/<request id>.json`, by the day the body was received. */
export const quarantineKey = (
  entry: Pick<QuarantineEntry, 'quarantinedAt' | 'messageId' | 'meta' | 'reason'>,
): string => {
  const day = (entry.meta?.receivedAt ?? entry.quarantinedAt).slice(0, 10).replaceAll('-', '/');
  const id = (entry.meta?.requestId ?? entry.messageId).replace(/[^\w-]/g, '_');
  const prefix = entry.reason.code === 'FOREIGN_COMPANY' ? FOREIGN_PREFIX : BUCKET_PREFIXES.quarantine;
  return `${prefix}${day}/${id}.json`;
};

/** The prefixes holding one received day's quarantine (`yyyy-MM-dd`), or all of it. */
export const quarantinePrefixes = (day?: string): string[] =>
  day === undefined
    ? [BUCKET_PREFIXES.quarantine]
    : [BUCKET_PREFIXES.quarantine, FOREIGN_PREFIX].map((prefix) => `${prefix}${day.replaceAll('-', '/')}/`);

export const writeQuarantine = async (store: ObjectStore, entry: QuarantineEntry): Promise<string> => {
  const key = quarantineKey(entry);
  const encoding = entry.meta?.bodyEncoding;
  const kept = encoding ? { ...entry, bodyEncoding: encoding } : entry;
  await store.put(key, JSON.stringify(kept), 'application/json; charset=utf-8');
  return key;
};

/** Every quarantined entry under the prefixes, with its key, oldest key first (for operators and the CLIs). */
export const readQuarantine = async (
  store: ObjectStore,
  prefixes: readonly string[],
): Promise<(QuarantineEntry & { readonly key: string })[]> => {
  const keys = (await Promise.all(prefixes.map((prefix) => store.list(prefix)))).flat().sort();
  const entries: (QuarantineEntry & { key: string })[] = [];
  for (const key of keys) {
    const entry = JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as QuarantineEntry;
    entries.push({ ...entry, key });
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
