import { isSafeNumber, LosslessNumber, parse } from 'lossless-json';
import { maskDigitsIn } from '../mask.js';
import { type ContractError, contractError } from './errors.js';
import type { Warnings } from './warnings.js';

export { LosslessNumber };

export type JsonValue = null | boolean | number | string | LosslessNumber | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * Numbers that a JS number cannot hold exactly (64-bit ids above 2^53, 1e309) stay as
 * LosslessNumber carrying their original digits; everything else becomes a plain number.
 */
const parseNumber = (text: string): number | LosslessNumber =>
  isSafeNumber(text) ? Number(text) : new LosslessNumber(text);

const parseLossless = (text: string): JsonValue => parse(text, null, parseNumber) as JsonValue;

/**
 * Removes a comma that directly precedes `}` or `]` outside string literals: the vendor's own
 * JOB_INFO_RESULT example has one, so bodies built from it will too.
 */
export const removeTrailingCommas = (text: string): string => {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    if (ch === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j] as string)) j++;
      if (text[j] === '}' || text[j] === ']') continue;
    }
    out += ch;
  }
  return out;
};

/** 百应 bodies nest about 6 levels; anything past this is hostile and would recurse deeply later. */
export const MAX_DEPTH = 64;

/** Deepest `{`/`[` nesting outside string literals, found without parsing (no recursion). */
export const nestingDepth = (text: string): number => {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (code === 0x7d || code === 0x5d) depth--;
  }
  return deepest;
};

export type JsonResult = { ok: true; value: JsonValue } | { ok: false; error: ContractError };

export interface ParseOptions {
  /**
   * Keep every digit of numbers a JS number cannot hold (the consumer, which stores ids).
   * The ingest handler only routes the body and forwards it unchanged, so it uses the faster
   * platform parser.
   */
  readonly exactNumbers: boolean;
}

const tryParse = (text: string, exactNumbers: boolean): { value: JsonValue } | { error: unknown } => {
  try {
    return { value: exactNumbers ? parseLossless(text) : (JSON.parse(text) as JsonValue) };
  } catch (error) {
    return { error };
  }
};

/** The parser's reason, without the slice of the body V8 quotes, and with digit runs masked. */
const reasonOf = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error);
  return maskDigitsIn(message.replace(/,\s*".*" is not valid JSON$/s, ''));
};

/**
 * Parses a callback body. Never throws. Tolerated repairs (a BOM, trailing commas) are recorded
 * as warnings. Duplicate keys, which the lossless parser refuses, fall back to the platform
 * parser (last key wins, as in 百应's own Java stack) with a warning.
 */
export const parseJson = (text: string, warnings: Warnings, options: ParseOptions): JsonResult => {
  let body = text;
  if (body.charCodeAt(0) === 0xfeff) {
    body = body.slice(1);
    warnings.add([], 'bom', 'body starts with a byte-order mark');
  }
  if (body.trim() === '') {
    return { ok: false, error: contractError('NOT_JSON', [], 'a JSON body', 'an empty body') };
  }
  const depth = nestingDepth(body);
  if (depth > MAX_DEPTH) {
    return {
      ok: false,
      error: contractError(
        'NOT_JSON',
        [],
        `JSON nested at most ${MAX_DEPTH} levels deep`,
        `nesting ${depth} levels deep`,
      ),
    };
  }
  const first = tryParse(body, options.exactNumbers);
  if ('value' in first) return { ok: true, value: first.value };
  const repaired = removeTrailingCommas(body);
  if (repaired !== body) {
    const second = tryParse(repaired, options.exactNumbers);
    if ('value' in second) {
      warnings.add([], 'trailing-comma', 'body has a trailing comma before } or ]; parsed without it');
      return { ok: true, value: second.value };
    }
  }
  if (options.exactNumbers) {
    const lenient = tryParse(repaired, false);
    if ('value' in lenient) {
      warnings.add(
        [],
        'lenient-parse',
        `exact parser refused the body (${reasonOf(first.error)}); parsed leniently`,
      );
      return { ok: true, value: lenient.value };
    }
  }
  return {
    ok: false,
    error: contractError('NOT_JSON', [], 'a JSON body', `text that is not JSON (${reasonOf(first.error)})`),
  };
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

/** Parses JSON held inside a string field; throws on text that is not JSON (the codec catches it). */
export const parseEmbeddedJson = (text: string): unknown => toPlain(parseLossless(text));
