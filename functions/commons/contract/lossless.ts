/**
 * Exact JSON: numbers a JS number cannot hold (64-bit ids above 2^53, 1e309) keep their digits,
 * a repeated key keeps its last value (and is reported), and keys such as `__proto__` stay own
 * data properties. Used by the consumer, which stores ids; ingest never loads it (it only
 * routes the body).
 */
import { LosslessNumber } from 'lossless-json';
import { parseExact } from './exact-json.js';

export { LosslessNumber };

export type JsonValue = null | boolean | number | string | LosslessNumber | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Parses a whole body exactly; `onDuplicates` hears the paths of keys sent more than once. */
export const parseLossless = (text: string, onDuplicates?: (paths: readonly string[]) => void): JsonValue => {
  const { value, notes } = parseExact(text);
  if (notes.duplicateKeys.length > 0) onDuplicates?.(notes.duplicateKeys);
  return value as JsonValue;
};

/**
 * Turns a parsed value into plain data for storage: numbers too large for a JS number keep
 * their exact digits as strings. Keys such as `__proto__` stay own data properties.
 */
export const toPlain = (value: unknown): unknown => {
  if (value instanceof LosslessNumber) return value.value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      Object.defineProperty(out, key, {
        value: toPlain(inner),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
};

export interface EmbeddedParse {
  readonly value: unknown;
  /** Paths (inside the embedded text) of keys sent more than once; the last one was kept. */
  readonly duplicateKeys: readonly string[];
}

/** Parses JSON held inside a string field; throws on text that is not JSON (the codec catches it). */
export const parseEmbeddedJson = (text: string): EmbeddedParse => {
  const { value, notes } = parseExact(text);
  return { value: toPlain(value), duplicateKeys: notes.duplicateKeys };
};
