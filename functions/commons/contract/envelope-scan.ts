/**
 * Ingest's fast reading of a body: is it JSON that `JSON.parse` accepts as it is, and a plain
 * 百应 envelope, and which type does it name? Answered in one pass over the text, without
 * building the parsed value.
 *
 * Why not JSON.parse: between two SDK calls (as in a warm Lambda) parsing a 3 KB callback costs
 * several times what it does in a tight loop (about 20 µs against 5): every key and short value
 * is looked up in V8's string table and every object walks its map transitions, all of it cold.
 * Ingest only needs a yes and a type name; this scan costs about half of that there (bench/README).
 *
 * This is a fast path, never the judge. It answers only for compact JSON (nothing between tokens,
 * as 百应's Java senders and JSON.stringify write it) in plain text (no control characters, no
 * surrogates (so no emoji), no U+FFFE or U+FFFF) holding a plain envelope whose fields it can read
 * without decoding escapes. Anything else (invalid JSON, a BOM, spaced or pretty-printed bodies,
 * escaped or repeated envelope keys, `data.data` sent as a string, a blank type) returns
 * undefined, and the caller reads the body with `readEnvelope`, which decides and names what is
 * wrong. Tested side by side with JSON.parse + readEnvelope: it never accepts what they refuse,
 * and reads the same type.
 */
import { SQS_ESCAPED_CLASS } from '../sqs-safe-json.js';

/**
 * Any of these anywhere means: not for the fast path. Control characters are legal JSON only as
 * whitespace; the rest (surrogates, U+FFFE, U+FFFF) are what SQS refuses in a message, rare in a
 * delivery, and checking for them here saves the enqueuer a second pass over the body.
 */
const NOT_PLAIN = new RegExp(`[\\u0000-\\u001f${SQS_ESCAPED_CLASS}]`);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OBJECT = 1;
const ARRAY = 2;

/** What the key just read names, at the two levels the envelope is read from (bit positions). */
const OTHER = 0;
const CODE = 1;
const DATA = 2;
const DATA_TYPE = 3;
const CALLBACK_TYPE = 4;
const INNER_DATA = 5;
type Field =
  | typeof OTHER
  | typeof CODE
  | typeof DATA
  | typeof DATA_TYPE
  | typeof CALLBACK_TYPE
  | typeof INNER_DATA;

/** Open containers; deeper bodies than this go to JSON.parse, which has no such limit. */
const MAX_DEPTH = 1024;
const containers = new Uint8Array(MAX_DEPTH);

const isDigit = (code: number) => code >= 0x30 && code <= 0x39;
const isHex = (code: number) => isDigit(code) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x66);

/** The index after the closing quote of a string holding escapes (opening quote at `at`), or -1. */
const endOfEscapedString = (text: string, at: number): number => {
  const length = text.length;
  let i = at + 1;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) return i + 1;
    if (code !== BACKSLASH) {
      i++;
      continue;
    }
    const escaped = text.charCodeAt(i + 1);
    if (escaped === 0x75) {
      // \uXXXX
      if (
        !(
          isHex(text.charCodeAt(i + 2)) &&
          isHex(text.charCodeAt(i + 3)) &&
          isHex(text.charCodeAt(i + 4)) &&
          isHex(text.charCodeAt(i + 5))
        )
      ) {
        return -1;
      }
      i += 6;
    } else if (
      // \" \\ \/ \b \f \n \r \t
      escaped === QUOTE ||
      escaped === BACKSLASH ||
      escaped === 0x2f ||
      escaped === 0x62 ||
      escaped === 0x66 ||
      escaped === 0x6e ||
      escaped === 0x72 ||
      escaped === 0x74
    ) {
      i += 2;
    } else {
      return -1;
    }
  }
  return -1;
};

/** The index after a JSON number starting at `at`, or -1 when the grammar is broken. */
const endOfNumber = (text: string, at: number): number => {
  let i = at;
  let code = text.charCodeAt(i);
  if (code === 0x2d) code = text.charCodeAt(++i);
  if (code === 0x30) code = text.charCodeAt(++i);
  else if (code >= 0x31 && code <= 0x39) {
    do code = text.charCodeAt(++i);
    while (isDigit(code));
  } else return -1;
  if (code === 0x2e) {
    code = text.charCodeAt(++i);
    if (!isDigit(code)) return -1;
    do code = text.charCodeAt(++i);
    while (isDigit(code));
  }
  if (code === 0x65 || code === 0x45) {
    code = text.charCodeAt(++i);
    if (code === 0x2b || code === 0x2d) code = text.charCodeAt(++i);
    if (!isDigit(code)) return -1;
    do code = text.charCodeAt(++i);
    while (isDigit(code));
  }
  return i;
};

/**
 * The length of `true`, `false` or `null` starting at `at` (whose character is `first`), or 0.
 * Compared character by character: a builtin call per literal cost more between SDK calls.
 */
const literalLength = (text: string, at: number, first: number): number => {
  const c1 = text.charCodeAt(at + 1);
  const c2 = text.charCodeAt(at + 2);
  const c3 = text.charCodeAt(at + 3);
  if (first === 0x74) return c1 === 0x72 && c2 === 0x75 && c3 === 0x65 ? 4 : 0; // true
  if (first === 0x6e) return c1 === 0x75 && c2 === 0x6c && c3 === 0x6c ? 4 : 0; // null
  if (first === 0x66)
    return c1 === 0x61 && c2 === 0x6c && c3 === 0x73 && text.charCodeAt(at + 4) === 0x65 ? 5 : 0; // false
  return 0;
};

const fieldOf = (text: string, start: number, end: number, inEnvelopeData: boolean): Field => {
  const length = end - start;
  if (!inEnvelopeData) {
    if (length === 4 && text.startsWith('code', start)) return CODE;
    if (length === 4 && text.startsWith('data', start)) return DATA;
    return OTHER;
  }
  if (length === 8 && text.startsWith('dataType', start)) return DATA_TYPE;
  if (length === 12 && text.startsWith('callbackType', start)) return CALLBACK_TYPE;
  if (length === 4 && text.startsWith('data', start)) return INNER_DATA;
  return OTHER;
};

/**
 * Type names read before, each kept as a string of its own. A sender uses a handful of types, so
 * the scan hands back the same string object for the same name: the metadata cache (meta-json.ts)
 * then matches it by identity, where a fresh slice of the body had to be compared character by
 * character in a runtime call (its costliest line in a profile between SDK calls, bench/README).
 * None of them is a slice of a body: V8 makes a slice of 13 or more characters point into its
 * source, so a kept slice would keep the whole body alive. Bounded: a sender naming ever new
 * types only misses the cache.
 */
const knownTypes: string[] = [];
const MAX_KNOWN_TYPES = 16;

/** A copy of `name` that does not point into the body it was sliced from (which it would keep alive). */
const detached = (name: string): string => ` ${name}`.slice(1);

/** The trimmed type name, or undefined when absent; null when present but blank (the schema refuses it). */
const typeName = (text: string, span: readonly [number, number] | undefined): string | undefined | null => {
  if (!span) return undefined;
  const [start, end] = span;
  const length = end - start;
  for (let i = 0; i < knownTypes.length; i++) {
    const known = knownTypes[i] as string;
    if (known.length === length && text.startsWith(known, start)) return known;
  }
  const name = text.slice(start, end).trim();
  if (name === '') return null;
  // Never the slice itself: the metadata cache keeps type names from one request to the next.
  const kept = detached(name);
  // Only names without spaces around them are remembered: a known name then needs no trimming.
  if (name.length === length && knownTypes.length < MAX_KNOWN_TYPES) knownTypes.push(kept);
  return kept;
};

/**
 * The envelope's type (`data.callbackType`, the open platform's, or else `data.dataType`, trimmed,
 * as readEnvelope gives it) when `text` is compact JSON in plain text holding a plain envelope;
 * undefined when the caller must read it with `readEnvelope` (see the module comment). A text it
 * answers for holds none of the characters an SQS message refuses (see sqs-safe-json.ts), so the
 * caller need not look for them again. Never throws.
 */
export const scanEnvelope = (text: string): string | undefined => {
  if (text.charCodeAt(0) !== 0x7b || NOT_PLAIN.test(text)) return undefined;
  const length = text.length;
  // Where the next backslash is: strings before it end at their next quote.
  let nextEscape = text.indexOf('\\');
  if (nextEscape === -1) nextEscape = length;

  let depth = 0;
  let i = 0;
  let expectKey = false;
  let field: Field = OTHER;
  /** The open container at depth 2 is the envelope's `data` object. */
  let inEnvelopeData = false;
  let seen = 0;
  let dataType: [number, number] | undefined;
  let callbackType: [number, number] | undefined;

  for (;;) {
    let ch = text.charCodeAt(i);
    if (ch === QUOTE) {
      const start = i + 1;
      let end = text.indexOf('"', start);
      if (end === -1) return undefined;
      const escaped = nextEscape < end;
      if (escaped) {
        const after = endOfEscapedString(text, i);
        if (after === -1) return undefined;
        end = after - 1;
        nextEscape = text.indexOf('\\', after);
        if (nextEscape === -1) nextEscape = length;
      }
      i = end + 1;
      if (expectKey) {
        expectKey = false;
        // Keys of the envelope and of its data: an escaped key could spell one of ours.
        const watched: boolean = depth === 1 || (depth === 2 && inEnvelopeData);
        if (watched && escaped) return undefined;
        field = watched ? fieldOf(text, start, end, depth === 2) : OTHER;
        if (field !== OTHER) {
          if (seen & (1 << field)) return undefined; // a repeated key: JSON.parse keeps the last one
          seen |= 1 << field;
        }
        if (text.charCodeAt(i) !== 0x3a) return undefined;
        i++;
        continue;
      }
      if (field === DATA_TYPE || field === CALLBACK_TYPE) {
        if (escaped) return undefined;
        if (field === DATA_TYPE) dataType = [start, end];
        else callbackType = [start, end];
      } else if (field !== OTHER && field !== CODE) {
        return undefined; // data or data.data as a string: readEnvelope handles the drift
      }
    } else if (expectKey) {
      return undefined; // a key must be a string (this also refuses `{"a":1,}`)
    } else if (ch === 0x7b || ch === 0x5b) {
      if (field === CODE || (field !== OTHER && ch === 0x5b)) return undefined;
      if (field === DATA_TYPE || field === CALLBACK_TYPE) return undefined;
      if (depth === MAX_DEPTH) return undefined;
      inEnvelopeData = depth === 1 && field === DATA ? true : inEnvelopeData;
      containers[depth++] = ch === 0x7b ? OBJECT : ARRAY;
      field = OTHER;
      i++;
      const close = ch === 0x7b ? 0x7d : 0x5d;
      if (text.charCodeAt(i) !== close) {
        expectKey = ch === 0x7b;
        continue;
      }
      // `{}` or `[]`: the container ends at once.
      depth--;
      if (depth === 1) inEnvelopeData = false;
      i++;
    } else {
      // true, false, null or a number: only `code` may be one of them, and only a number.
      if (field !== OTHER && !(field === CODE && (ch === 0x2d || isDigit(ch)))) return undefined;
      const literal = literalLength(text, i, ch);
      if (literal > 0) i += literal;
      else {
        i = endOfNumber(text, i);
        if (i === -1) return undefined;
      }
    }
    field = OTHER;

    // After a value: close what ends here, then a comma or the end of the text.
    for (;;) {
      if (depth === 0) {
        if (i !== length) return undefined;
        return (seen & (1 << INNER_DATA)) === 0 ? undefined : result(text, dataType, callbackType);
      }
      ch = text.charCodeAt(i);
      const container = containers[depth - 1];
      if (ch === 0x2c) {
        i++;
        expectKey = container === OBJECT;
        break;
      }
      if ((container === OBJECT && ch === 0x7d) || (container === ARRAY && ch === 0x5d)) {
        depth--;
        if (depth === 1) inEnvelopeData = false;
        i++;
        continue;
      }
      return undefined;
    }
  }
};

const result = (
  text: string,
  dataType: readonly [number, number] | undefined,
  callbackType: readonly [number, number] | undefined,
): string | undefined => {
  const classic = typeName(text, dataType);
  const open = typeName(text, callbackType);
  if (classic === null || open === null) return undefined;
  return open ?? classic;
};
