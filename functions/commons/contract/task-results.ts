/**
 * `taskResult[]`: the call's analysis results — intent level, labels, focus points. Shared by
 * full call records and manual intent changes.
 */
import type { Label } from './fields.js';
import { parseEmbeddedJson } from './lossless.js';
import { compact, type Owner, type ReadContext } from './read-context.js';
import type { TaskResultItem } from './schemas.js';
import type { IntentLevel, TaskResult } from './types.js';
import type { Path } from './warnings.js';

/** 百应's result name for the intent level. */
export const INTENT_RESULT_NAME = '客户意向等级';
/** 百应's result name for customer labels. */
export const LABEL_RESULT_NAME = '客户标签';

const LEVEL = /^\s*([A-Z])(?:级|\b|$)/;

/** The letter grade from the alias (`C`) or the leading letter of the value (`C级(很少)`, `B`). */
export const levelOf = (alias: string | undefined, value: string | undefined): string | undefined => {
  const fromAlias = alias?.trim();
  if (fromAlias && /^[A-Z]$/.test(fromAlias)) return fromAlias;
  const match = value === undefined ? null : LEVEL.exec(value);
  return match?.[1];
};

/**
 * Parses `resultValue` when it holds JSON (label ids like `"[1]"`); plain text stays text.
 * Exactly: a 64-bit label id keeps every digit (as a string).
 */
const parseValue = (value: string | undefined): unknown => {
  if (value === undefined || !/^\s*[[{]/.test(value)) return undefined;
  try {
    return parseEmbeddedJson(value).value;
  } catch {
    return undefined;
  }
};

export const readTaskResult = (
  ctx: ReadContext,
  item: TaskResultItem,
  path: Path,
  owner: Owner,
): TaskResult => {
  // Ids that repeat the call's own are implied by the item; one that differs is kept and noted.
  ctx.keepIdsIfDiffer(
    item,
    path,
    { sceneInstanceId: 'callId', companyId: 'companyId', callJobId: 'callJobId' },
    owner,
  );
  const fields = ctx.takeFields(item, path, {
    resultId: 'sceneInstanceResultId',
    name: 'resultName',
    value: 'resultValue',
    manualValue: 'artificialResultValue',
    manualChanged: 'artificialChanged',
    description: 'resultDesc',
    analyzeType: 'analyzeType',
    alias: 'resultValueAlias',
    labels: 'resultLabels',
    valueNew: 'resultValueNew',
    createdAt: 'gmtCreate',
    modifiedAt: 'gmtModified',
  });
  return compact({
    ...fields,
    valueParsed: parseValue(fields.value),
    labels: fields.labels && fields.labels.length > 0 ? fields.labels : undefined,
    extra: ctx.embedded(item.extra, [...path, 'extra']),
  });
};

export const isIntentResult = (result: TaskResult): boolean => result.name?.trim() === INTENT_RESULT_NAME;

/** The AI's intent level from an intent result. */
export const aiLevelOf = (result: TaskResult): IntentLevel =>
  compact({ level: levelOf(result.alias, result.value), value: result.value, description: result.valueNew });

/** A manual level carried on a call record (`artificialChanged` true with an `artificialResultValue`). */
export const manualLevelOnRecord = (result: TaskResult): IntentLevel | undefined =>
  result.manualChanged === true && result.manualValue !== undefined
    ? compact({ level: levelOf(undefined, result.manualValue), value: result.manualValue })
    : undefined;

/**
 * The call's labels: `resultLabels` of the label result, plus any label id listed in its
 * `resultValue` (`"[7,8,9]"`) that has no name there, so no label is lost.
 */
export const labelsOf = (results: readonly TaskResult[]): Label[] => {
  const out: Label[] = [];
  const seen = new Set<string>();
  for (const result of results) {
    if (result.name?.trim() !== LABEL_RESULT_NAME) continue;
    for (const label of result.labels ?? []) {
      if (seen.has(label.key)) continue;
      seen.add(label.key);
      out.push(label);
    }
    const ids = Array.isArray(result.valueParsed) ? result.valueParsed : [];
    for (const key of ids) {
      const text = String(key);
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ key: text, value: null });
    }
  }
  return out;
};
