/**
 * The 百应 envelope, on its own so that the ingest handler can check a body without pulling in
 * the record schemas or the normalizer (it stays small and starts fast).
 */
import * as v from 'valibot';
import { type ContractError, contractError, describeValue } from './errors.js';
import { parseJson } from './json.js';
import type { Platform } from './types.js';
import { Warnings } from './warnings.js';

/** lossless-json's number class, recognised by its marker so this module never loads the library. */
interface ExactNumber {
  readonly isLosslessNumber: true;
  readonly value: string;
}
const isExactNumber = (value: unknown): value is ExactNumber =>
  value !== null && typeof value === 'object' && (value as Partial<ExactNumber>).isLosslessNumber === true;

/** A JSON object: not null, not an array, not a parsed number. */
const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !isExactNumber(value);

const plainObject = v.custom<Record<string, unknown>>(isObject);
const present = (value: unknown): boolean => value !== undefined && value !== null;
/** A type name; `null` is read as absent (some senders write the other platform's name as null). */
const typeName = v.nullish(
  v.pipe(v.string('a type name string'), v.trim(), v.nonEmpty('a non-empty type name')),
);

/**
 * The one definition of the 百应 envelope, for ingest and consume alike:
 * `{code, data:{dataType | callbackType, data}, resultMsg, errorStackTrace}`. `code` arrives as 200
 * or "200" (or not at all); the inner `data` must be an object, or (drift) a string holding one —
 * never an array. Whatever ingest acknowledges as an envelope, consume reads as one.
 */
export const envelope = v.pipe(
  plainObject,
  v.looseObject({
    code: v.nullish(v.union([v.number(), v.string(), v.custom<ExactNumber>(isExactNumber)])),
    data: v.pipe(
      plainObject,
      v.looseObject({
        // The classic platform names the type `dataType`, the open platform `callbackType`.
        dataType: typeName,
        callbackType: typeName,
        // An object, or (drift) a string holding one: checkEnvelope parses it with the caller's parser.
        data: v.union([plainObject, v.string()]),
      }),
      v.forward(
        v.check(
          (data) => present(data.dataType ?? data.callbackType),
          'a non-empty dataType or callbackType string',
        ),
        ['dataType'],
      ),
    ),
    resultMsg: v.optional(v.unknown()),
    errorStackTrace: v.optional(v.unknown()),
  }),
);

export type Envelope = v.InferOutput<typeof envelope>;

export interface EnvelopeInfo {
  /**
   * The type name, trimmed: the platform's own field first (`dataType` on the classic platform,
   * `callbackType` on the open one), the other when it is the only one. It may be one this version
   * does not know.
   */
  readonly dataType: string;
  /** Which platform sent the data, as its content shows (see `platformOf`). */
  readonly platform: Platform;
  /** `code` as text ("200" whether sent as number or string); null when absent. */
  readonly code: string | null;
  /** The inner `data` object. */
  readonly data: Record<string, unknown>;
}

export type EnvelopeResult =
  | { readonly ok: true; readonly envelope: EnvelopeInfo; readonly warnings: Warnings }
  | { readonly ok: false; readonly error: ContractError; readonly warnings: Warnings };

/** What each envelope path must hold, in the words an error message uses. */
const EXPECTED_AT: Readonly<Record<string, string>> = {
  '': 'a 百应 envelope object {code, data: {dataType, data}}',
  code: '200 or "200"',
  data: 'an object {dataType, data}',
  'data.dataType': 'a non-empty dataType (or callbackType) string',
  'data.callbackType': 'a non-empty callbackType (or dataType) string',
  'data.data': 'an object (or a string holding one)',
};

/**
 * The platform the body's content shows: a classic call (`sceneInstance`) or job status (`status`)
 * is classic, an open-platform call (`callInstance`) or job status (`callJobStatus`) is open,
 * whichever type field names it; otherwise the type field decides (`callbackType`: open).
 */
const platformOf = (
  names: { readonly callbackType?: string | null | undefined },
  inner: Record<string, unknown>,
): Platform => {
  const classic = present(inner.sceneInstance) || (present(inner.status) && !present(inner.callJobStatus));
  const open = present(inner.callInstance) || (present(inner.callJobStatus) && !present(inner.status));
  if (classic !== open) return classic ? 'classic' : 'open';
  return present(names.callbackType) ? 'open' : 'classic';
};

/** Checks an already parsed value against the envelope; names the first failing path. */
export const checkEnvelope = (
  parsed: unknown,
  warnings: Warnings,
  parseEmbedded: (text: string) => unknown = JSON.parse,
): EnvelopeResult => {
  const value = unwrapDoubleEncoded(parsed, warnings, parseEmbedded);
  const result = v.safeParse(envelope, value);
  if (!result.success) {
    const path = result.issues[0].path?.map((item) => String(item.key)) ?? [];
    const received = describeValue(
      path.reduce<unknown>((at, key) => (isObject(at) ? at[key] : undefined), value),
    );
    const expected = EXPECTED_AT[path.join('.')] ?? result.issues[0].message;
    return { ok: false, error: contractError('NOT_ENVELOPE', path, expected, received), warnings };
  }
  const { code, data } = result.output;
  let inner: Record<string, unknown>;
  if (typeof data.data === 'string') {
    const embedded = parseObject(data.data, parseEmbedded);
    if (!embedded) {
      return {
        ok: false,
        error: contractError(
          'NOT_ENVELOPE',
          ['data', 'data'],
          EXPECTED_AT['data.data'] as string,
          describeValue(data.data),
        ),
        warnings,
      };
    }
    inner = embedded;
    warnings.add(['data', 'data'], 'json-as-string', 'inner data sent as a JSON string');
  } else {
    // The object as parsed, not valibot's copy of it: the copy would drop a `__proto__` key.
    inner = ((value as Record<string, unknown>).data as Record<string, unknown>).data as Record<
      string,
      unknown
    >;
  }
  const codeText = !present(code) ? null : isExactNumber(code) ? code.value : String(code).trim();
  if (codeText === null) warnings.add(['code'], 'missing', 'envelope has no code');
  else if (codeText !== '200')
    warnings.add(['code'], 'unexpected-code', `envelope code is ${codeText}, not 200`);
  else if (typeof code === 'string') warnings.add(['code'], 'number-as-string', 'code sent as a string');
  const platform = platformOf(data, inner);
  const [own, other] =
    platform === 'open' ? [data.callbackType, data.dataType] : [data.dataType, data.callbackType];
  const dataType = (own ?? other) as string;
  if (present(own) && present(other) && own !== other) {
    const [used, ignored] = platform === 'open' ? ['callbackType', 'dataType'] : ['dataType', 'callbackType'];
    warnings.add(['data', ignored], 'type-conflict', `${ignored} differs from ${used}; ${used} was used`);
  }
  return { ok: true, envelope: { dataType, platform, code: codeText, data: inner }, warnings };
};

/**
 * Some senders configured for text/plain encode the envelope twice: the body is a JSON string
 * whose content is the envelope. Read through it, with a warning.
 */
const unwrapDoubleEncoded = (
  value: unknown,
  warnings: Warnings,
  parse: (text: string) => unknown,
): unknown => {
  if (typeof value !== 'string' || !value.trimStart().startsWith('{')) return value;
  const inner = parseObject(value, parse);
  if (!inner) return value;
  warnings.add([], 'double-encoded', 'body is a JSON string holding the envelope');
  return inner;
};

const parseObject = (text: string, parse: (text: string) => unknown): Record<string, unknown> | undefined => {
  try {
    const parsed = parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Parses a raw body with the platform parser and checks its envelope: what ingest needs, as it
 * forwards the body untouched (number precision does not matter here). Never throws.
 *
 * No nesting limit here: V8's JSON.parse does not recurse and the envelope check looks two levels
 * deep, so a hostile depth cannot hurt ingest; consume applies the limit when it reads the body
 * (and quarantines it).
 */
export const readEnvelope = (body: string): EnvelopeResult => {
  const warnings = new Warnings();
  const parsed = parseJson(body, warnings, { parse: JSON.parse, checkDepth: false });
  if (!parsed.ok) return { ok: false, error: parsed.error, warnings };
  return checkEnvelope(parsed.value, warnings);
};
