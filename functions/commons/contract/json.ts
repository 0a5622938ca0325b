/**
 * Reading a body as JSON, whatever parser is used: the tolerated repairs (BOM, trailing commas),
 * a nesting limit checked before parsing, and errors that never quote the body.
 */
import { describeError } from '../errors.js';
import { maskDigitsIn } from '../mask.js';
import { type ContractError, contractError } from './errors.js';
import type { Warnings } from './warnings.js';

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

export type JsonResult = { ok: true; value: unknown } | { ok: false; error: ContractError };

export interface ParseOptions {
  /** The parser: `JSON.parse` for ingest, which only routes the body; the exact one for consume. */
  readonly parse: (text: string) => unknown;
  /**
   * Refuse bodies nested deeper than MAX_DEPTH before parsing (default true). Only callers that
   * walk the parsed value recursively need it; JSON.parse itself does not recurse.
   */
  readonly checkDepth?: boolean;
}

const tryParse = (
  text: string,
  parse: (text: string) => unknown,
): { value: unknown } | { error: unknown } => {
  try {
    return { value: parse(text) };
  } catch (error) {
    return { error };
  }
};

/** The parser's reason, without the slice of the body V8 quotes, and with digit runs masked. */
const reasonOf = (error: unknown): string => {
  const message = error instanceof Error ? error.message : describeError(error);
  return maskDigitsIn(message.replace(/,\s*".*" is not valid JSON$/s, ''));
};

/**
 * Parses a callback body. Never throws. Tolerated repairs (a BOM, trailing commas) are recorded
 * as warnings; the parser reports duplicate keys itself.
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
  const depth = options.checkDepth === false ? 0 : nestingDepth(body);
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
  const first = tryParse(body, options.parse);
  if ('value' in first) return { ok: true, value: first.value };
  const repaired = removeTrailingCommas(body);
  if (repaired !== body) {
    const second = tryParse(repaired, options.parse);
    if ('value' in second) {
      warnings.add([], 'trailing-comma', 'body has a trailing comma before } or ]; parsed without it');
      return { ok: true, value: second.value };
    }
  }
  return {
    ok: false,
    error: contractError('NOT_JSON', [], 'a JSON body', `text that is not JSON (${reasonOf(first.error)})`),
  };
};
