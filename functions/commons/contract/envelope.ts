/**
 * The 百应 envelope, on its own so that the ingest handler can check a body without pulling in
 * the record schemas or the normalizer (it stays small and starts fast).
 */
import * as v from 'valibot';
import { type ContractError, contractError, describeValue } from './errors.js';
import { parseJson } from './json.js';
import type { Platform } from './types.js';
import { Warnings } from './warnings.js';

/**
 * The envelope `{code, data:{dataType, data}, resultMsg, errorStackTrace}`. `code` arrives as
 * 200 or "200"; the inner `data` is checked to be an object here and read by the record schemas.
 */
/** lossless-json's number class, recognised by its marker so this module never loads the library. */
interface ExactNumber {
  readonly isLosslessNumber: true;
  readonly value: string;
}
const isExactNumber = (value: unknown): value is ExactNumber =>
  value !== null && typeof value === 'object' && (value as Partial<ExactNumber>).isLosslessNumber === true;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !isExactNumber(value);

const plainObject = v.custom<Record<string, unknown>>((value) => isObject(value));
const typeName = v.pipe(v.string('a type name string'), v.trim(), v.nonEmpty('a non-empty type name'));

export const envelope = v.pipe(
  plainObject,
  v.looseObject({
    code: v.optional(v.union([v.number(), v.string(), v.custom<ExactNumber>(isExactNumber)])),
    data: v.pipe(
      plainObject,
      v.looseObject({
        // The classic platform names the type `dataType`, the open platform `callbackType`.
        dataType: v.optional(typeName),
        callbackType: v.optional(typeName),
        // An object, or (drift) a string holding one: checkEnvelope parses it with the caller's parser.
        data: v.union([v.record(v.string(), v.unknown()), v.string()]),
      }),
      v.forward(
        v.check(
          (data) => data.dataType !== undefined || data.callbackType !== undefined,
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
  /** `data.dataType` (classic) or `data.callbackType` (open platform), trimmed; may be one this version does not know. */
  readonly dataType: string;
  /**
   * Which platform's envelope: `open` when it names `callbackType`, or names only `dataType` but
   * carries the open platform's `callInstance` (a legacy alias some senders use); else `classic`.
   */
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

type EnvelopeFields = Pick<Envelope, 'code'> & {
  readonly data: Pick<Envelope['data'], 'dataType' | 'callbackType' | 'data'>;
};

const typeNameOf = (value: unknown): string | undefined | false => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return false;
  const trimmed = value.trim();
  return trimmed === '' ? false : trimmed;
};

/**
 * The envelope's fields when the value is plainly one (what nearly every delivery is), read
 * without the schema: ingest checks every body, and the schema's copy of the object costs more
 * than the check. Anything else returns undefined and goes through the schema, which decides
 * and names the failing path; this never accepts what the schema refuses (tested side by side).
 */
export const plainEnvelope = (value: unknown): { success: true; output: EnvelopeFields } | undefined => {
  if (!isObject(value)) return undefined;
  const { code, data } = value;
  if (
    !(
      code === undefined ||
      (typeof code === 'number' && !Number.isNaN(code)) ||
      typeof code === 'string' ||
      isExactNumber(code)
    )
  ) {
    return undefined;
  }
  if (!isObject(data)) return undefined;
  const dataType = typeNameOf(data.dataType);
  const callbackType = typeNameOf(data.callbackType);
  if (dataType === false || callbackType === false || (dataType ?? callbackType) === undefined)
    return undefined;
  const inner = data.data;
  if (!(typeof inner === 'string' || isObject(inner))) return undefined;
  return { success: true, output: { code, data: { dataType, callbackType, data: inner } } };
};

/** Checks an already parsed value against the envelope; names the first failing path. */
export const checkEnvelope = (
  parsed: unknown,
  warnings: Warnings,
  parseEmbedded: (text: string) => unknown = JSON.parse,
): EnvelopeResult => {
  const value = unwrapDoubleEncoded(parsed, warnings, parseEmbedded);
  const result = plainEnvelope(value) ?? v.safeParse(envelope, value);
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
  const codeText = code === undefined ? null : isExactNumber(code) ? code.value : String(code).trim();
  if (codeText === null) warnings.add(['code'], 'missing', 'envelope has no code');
  else if (codeText !== '200')
    warnings.add(['code'], 'unexpected-code', `envelope code is ${codeText}, not 200`);
  else if (typeof code === 'string') warnings.add(['code'], 'number-as-string', 'code sent as a string');
  const dataType = (data.callbackType ?? data.dataType) as string;
  if (data.callbackType !== undefined && data.dataType !== undefined && data.callbackType !== data.dataType) {
    warnings.add(
      ['data', 'dataType'],
      'type-conflict',
      'dataType differs from callbackType; callbackType was used',
    );
  }
  const platform: Platform =
    data.callbackType !== undefined || (inner.callInstance !== undefined && inner.sceneInstance === undefined)
      ? 'open'
      : 'classic';
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
 * Parses a raw body with the platform parser and checks its envelope (what ingest needs: it
 * forwards the body untouched, so number precision does not matter here). Never throws.
 *
 * No nesting limit here: V8's JSON.parse is iterative and the envelope check looks two levels
 * deep, so a hostile depth cannot hurt ingest; consume applies the limit when it reads the
 * body (and quarantines it). Scanning every body for depth was a third of ingest's own work.
 */
export const readEnvelope = (
  body: string,
): (EnvelopeResult & { ok: false }) | (EnvelopeResult & { ok: true; parsesAsJson: boolean }) => {
  const warnings = new Warnings();
  const parsed = parseJson(body, warnings, { parse: JSON.parse, checkDepth: false });
  if (!parsed.ok) return { ok: false, error: parsed.error, warnings };
  const checked = checkEnvelope(parsed.value, warnings);
  // Whether JSON.parse read the body exactly as sent: only then may it travel unescaped.
  if (!checked.ok) return checked;
  return { ok: true, envelope: checked.envelope, warnings, parsesAsJson: parsed.asIs };
};
