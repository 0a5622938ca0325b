/**
 * The 百应 envelope, on its own so that the ingest handler can check a body without pulling in
 * the record schemas or the normalizer (it stays small and starts fast).
 */
import * as v from 'valibot';
import { type ContractError, contractError, describeValue } from './errors.js';
import { type JsonValue, LosslessNumber, parseEmbeddedJson, parseJson } from './json.js';
import { Warnings } from './warnings.js';

/**
 * The envelope `{code, data:{dataType, data}, resultMsg, errorStackTrace}`. `code` arrives as
 * 200 or "200"; the inner `data` is checked to be an object here and read by the record schemas.
 */
const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof LosslessNumber);

const plainObject = v.custom<Record<string, unknown>>((value) => isObject(value));

export const envelope = v.pipe(
  plainObject,
  v.looseObject({
    code: v.optional(v.union([v.number(), v.string(), v.instance(LosslessNumber)])),
    data: v.pipe(
      plainObject,
      v.looseObject({
        dataType: v.pipe(v.string('a dataType string'), v.trim(), v.nonEmpty('a non-empty dataType')),
        data: v.union([
          v.record(v.string(), v.unknown()),
          v.pipe(
            v.string(),
            v.rawTransform(({ dataset, addIssue, NEVER }) => {
              try {
                const parsed = parseEmbeddedJson(dataset.value);
                if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
                  return { embeddedJson: parsed as Record<string, unknown> };
                }
              } catch {
                // reported below
              }
              addIssue({ message: 'an object (or a string holding one)' });
              return NEVER;
            }),
          ),
        ]),
      }),
    ),
    resultMsg: v.optional(v.unknown()),
    errorStackTrace: v.optional(v.unknown()),
  }),
);

export type Envelope = v.InferOutput<typeof envelope>;

export interface EnvelopeInfo {
  /** `data.dataType`, trimmed; may be one this version does not know. */
  readonly dataType: string;
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
  'data.dataType': 'a non-empty dataType string',
  'data.data': 'an object (or a string holding one)',
};

/** Checks an already parsed value against the envelope; names the first failing path. */
export const checkEnvelope = (parsed: unknown, warnings: Warnings): EnvelopeResult => {
  const value = unwrapDoubleEncoded(parsed, warnings);
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
  if ('embeddedJson' in data.data && isObject(data.data.embeddedJson)) {
    inner = data.data.embeddedJson;
    warnings.add(['data', 'data'], 'json-as-string', 'inner data sent as a JSON string');
  } else {
    inner = data.data;
  }
  const codeText =
    code === undefined ? null : code instanceof LosslessNumber ? code.value : String(code).trim();
  if (codeText === null) warnings.add(['code'], 'missing', 'envelope has no code');
  else if (codeText !== '200')
    warnings.add(['code'], 'unexpected-code', `envelope code is ${codeText}, not 200`);
  else if (typeof code === 'string') warnings.add(['code'], 'number-as-string', 'code sent as a string');
  return { ok: true, envelope: { dataType: data.dataType, code: codeText, data: inner }, warnings };
};

/**
 * Some senders configured for text/plain encode the envelope twice: the body is a JSON string
 * whose content is the envelope. Read through it, with a warning.
 */
const unwrapDoubleEncoded = (value: unknown, warnings: Warnings): unknown => {
  if (typeof value !== 'string' || !value.trimStart().startsWith('{')) return value;
  try {
    const inner = parseEmbeddedJson(value);
    warnings.add([], 'double-encoded', 'body is a JSON string holding the envelope');
    return inner;
  } catch {
    return value;
  }
};

/** Parses a raw body and checks its envelope. Never throws. */
export const readEnvelope = (body: string, options: { exactNumbers: boolean }): EnvelopeResult => {
  const warnings = new Warnings();
  const parsed = parseJson(body, warnings, options);
  if (!parsed.ok) return { ok: false, error: parsed.error, warnings };
  return checkEnvelope(parsed.value as JsonValue, warnings);
};
