/**
 * The tolerant reader: a raw callback body in, normalized records (or a typed error) out.
 * It never throws, whatever the input: the consumer quarantines what it cannot read.
 */
import * as v from 'valibot';
import { checkEnvelope, type EnvelopeInfo } from './envelope.js';
import { type ContractError, contractError, describeValue } from './errors.js';
import { parseJson } from './json.js';
import { parseLossless } from './lossless.js';
import { normalizeInbound, normalizeOutbound } from './normalize-call.js';
import { normalizeJob } from './normalize-job.js';
import { normalizeManualIntent } from './normalize-manual-intent.js';
import { normalizeOpenCall, normalizeOpenJob } from './normalize-open.js';
import { openCallData, openJobData } from './open-schemas.js';
import { ReadContext } from './read-context.js';
import { inboundCallData, jobData, manualIntentData, outboundCallData } from './schemas.js';
import { liftProtoKeys, RESERVED_KEYS, shapeCallData, shapeOpenCallData } from './shapes.js';
import type { NormalizedRecord, Platform } from './types.js';
import { type Path, Warnings } from './warnings.js';

export const DATA_TYPES = {
  call: 'CALL_INSTANCE_RESULT',
  inbound: 'INBOUND_CALL_INSTANCE_RESULT',
  job: 'JOB_INFO_RESULT',
} as const;

/** The types the open platform documents (no manual-change or inbound type is documented). */
export const OPEN_DATA_TYPES = [DATA_TYPES.call, DATA_TYPES.job] as const;

export type ReadResult =
  | {
      readonly ok: true;
      readonly dataType: string;
      readonly platform: Platform;
      readonly code: string | null;
      readonly records: readonly NormalizedRecord[];
      readonly warnings: Warnings['list'];
    }
  | { readonly ok: false; readonly error: ContractError; readonly warnings: Warnings['list'] };

const INNER: Path = ['data', 'data'];

const ID_EXPECTED = 'an id (a non-negative integer, or a string of digits)';
const EXPECTED_BY_KEY: Readonly<Record<string, string>> = {
  callInstanceId: ID_EXPECTED,
  inboundInstanceId: ID_EXPECTED,
  sceneInstanceId: ID_EXPECTED,
  callJobId: `${ID_EXPECTED}, or a list of ids`,
  sceneInstance: 'an object',
  callInstance: 'an object',
  taskResult: 'a non-empty list of objects',
};

/** A record schema failed: name the path of the first issue, relative to the whole body. */
const recordError = (issues: readonly v.BaseIssue<unknown>[], value: unknown): ContractError => {
  const issue = issues[0] as v.BaseIssue<unknown>;
  const keys = (issue.path ?? []).map((item) => item.key as string | number);
  const last = [...keys].reverse().find((key) => typeof key === 'string') as string | undefined;
  const expected = (last && EXPECTED_BY_KEY[last]) ?? issue.expected ?? issue.message;
  const found = keys.reduce<unknown>(
    (at, key) =>
      at !== null && typeof at === 'object' ? (at as Record<string | number, unknown>)[key] : undefined,
    value,
  );
  return contractError('INVALID_RECORD', [...INNER, ...keys], expected, describeValue(found));
};

type Outcome = { records: NormalizedRecord[] } | { error: ContractError };

const parseWith =
  (data: Record<string, unknown>) =>
  <TSchema extends v.GenericSchema>(
    schema: TSchema,
    read: (output: v.InferOutput<TSchema>) => NormalizedRecord[],
  ): Outcome => {
    const result = v.safeParse(schema, data);
    return result.success ? { records: read(result.output) } : { error: recordError(result.issues, data) };
  };

const unknownType = (path: Path, known: readonly string[], dataType: string): Outcome => ({
  error: contractError('UNKNOWN_DATA_TYPE', path, known.join(', '), describeValue(dataType)),
});

/** The classic OpenAPI's callbacks (`dataType`, `sceneInstance`). */
const normalizeClassic = (dataType: string, raw: Record<string, unknown>, ctx: ReadContext): Outcome => {
  const isCall = dataType === DATA_TYPES.call || dataType === DATA_TYPES.inbound;
  // Nested parts in another shape are coerced (or kept raw) before the schemas read them.
  const data = isCall ? shapeCallData(ctx, raw) : raw;
  const parse = parseWith(data);
  switch (dataType) {
    case DATA_TYPES.call: {
      if (data.sceneInstance !== undefined && data.sceneInstance !== null) {
        return parse(outboundCallData, (output) => [normalizeOutbound(ctx, output)]);
      }
      if (data.taskResult === undefined || data.taskResult === null) {
        return {
          error: contractError(
            'INVALID_RECORD',
            INNER,
            'sceneInstance (a call record) or taskResult (a manual intent change)',
            'neither',
          ),
        };
      }
      return parse(manualIntentData, (output) => normalizeManualIntent(ctx, output));
    }
    case DATA_TYPES.inbound:
      return parse(inboundCallData, (output) => [normalizeInbound(ctx, output)]);
    case DATA_TYPES.job:
      return parse(jobData, (output) => normalizeJob(ctx, output));
    default:
      return unknownType(['data', 'dataType'], Object.values(DATA_TYPES), dataType);
  }
};

/** The open platform's callbacks (`callbackType`, `callInstance`); only two types are documented. */
const normalizeOpen = (dataType: string, raw: Record<string, unknown>, ctx: ReadContext): Outcome => {
  switch (dataType) {
    case DATA_TYPES.call:
      return parseWith(shapeOpenCallData(ctx, raw))(openCallData, (output) => [
        normalizeOpenCall(ctx, output),
      ]);
    case DATA_TYPES.job:
      return parseWith(raw)(openJobData, (output) => normalizeOpenJob(ctx, output));
    default:
      return unknownType(['data', 'callbackType'], OPEN_DATA_TYPES, dataType);
  }
};

const normalize = (envelope: EnvelopeInfo, ctx: ReadContext, mayHoldReserved: boolean): Outcome => {
  // Keys the schemas' copies would lose are set aside first (rare: only when the text has one).
  const data = mayHoldReserved
    ? (liftProtoKeys(ctx, envelope.data) as Record<string, unknown>)
    : envelope.data;
  return envelope.platform === 'open'
    ? normalizeOpen(envelope.dataType, data, ctx)
    : normalizeClassic(envelope.dataType, data, ctx);
};

/** Reads one callback body (the raw HTTP body text). Never throws. */
export const readCallback = (body: string): ReadResult => {
  const warnings = new Warnings();
  try {
    const parse = (text: string) =>
      parseLossless(text, (paths) => {
        for (const path of paths)
          warnings.add(path.split('.'), 'duplicate-key', 'key sent more than once; the last value was kept');
      });
    const parsed = parseJson(body, warnings, { parse });
    if (!parsed.ok) return { ok: false, error: parsed.error, warnings: warnings.list };
    const checked = checkEnvelope(parsed.value, warnings, parse);
    if (!checked.ok) return { ok: false, error: checked.error, warnings: warnings.list };
    const mayHoldReserved = RESERVED_KEYS.some((key) => body.includes(key));
    const outcome = normalize(checked.envelope, new ReadContext(warnings, INNER), mayHoldReserved);
    if ('error' in outcome) return { ok: false, error: outcome.error, warnings: warnings.list };
    return {
      ok: true,
      dataType: checked.envelope.dataType,
      platform: checked.envelope.platform,
      code: checked.envelope.code,
      records: outcome.records,
      warnings: warnings.list,
    };
  } catch (error) {
    const reason = error instanceof Error ? error.name : typeof error;
    return {
      ok: false,
      error: contractError(
        'READER_FAILURE',
        [],
        'a body the reader can process',
        `an internal failure (${reason})`,
      ),
      warnings: warnings.list,
    };
  }
};
