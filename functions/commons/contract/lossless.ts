/**
 * Exact JSON: numbers a JS number cannot hold (64-bit ids above 2^53, 1e309) keep their digits.
 * Used by the consumer, which stores ids; ingest never loads it (it only routes the body).
 */
import { isSafeNumber, LosslessNumber, parse } from 'lossless-json';

export { LosslessNumber };

export type JsonValue = null | boolean | number | string | LosslessNumber | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

const parseNumber = (text: string): number | LosslessNumber =>
  isSafeNumber(text) ? Number(text) : new LosslessNumber(text);

export const parseLossless = (text: string): JsonValue => parse(text, null, parseNumber) as JsonValue;

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

/** Parses JSON held inside a string field; throws on text that is not JSON (the codec catches it). */
export const parseEmbeddedJson = (text: string): unknown => toPlain(parseLossless(text));
