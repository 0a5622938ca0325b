/**
 * The manual intent change: CALL_INSTANCE_RESULT with only `taskResult[]`. One callback may
 * name several calls; each call gets its own record so the store can merge it on its own key.
 * A change need not touch the intent level (it may only set a label): `intent` is then absent
 * and the store leaves the call's level alone.
 */
import { compact, type ReadContext } from './read-context.js';
import { type ManualIntentData, manualIntentData, taskResultItem } from './schemas.js';
import { isIntentResult, levelOf, readTaskResult } from './task-results.js';
import type { ManualIntentRecord, TaskResult } from './types.js';

export const normalizeManualIntent = (ctx: ReadContext, data: ManualIntentData): ManualIntentRecord[] => {
  ctx.keepExtras(manualIntentData, data, []);
  const signed = ctx.signed(data.sign, ['sign']);
  const signedAt = ctx.take(data.dateTime, ['dateTime']);
  const byCall = new Map<string, { companyId?: string | undefined; results: TaskResult[] }>();
  data.taskResult.forEach((item, index) => {
    const path = ['taskResult', index];
    ctx.keepExtras(taskResultItem, item, path);
    // Read here without a warning: readTaskResult takes (and notes) both ids.
    const callId = item.sceneInstanceId.value;
    const entry = byCall.get(callId) ?? { results: [] };
    entry.companyId ??= item.companyId?.value ?? undefined;
    entry.results.push(readTaskResult(ctx, item, path, { callId, companyId: entry.companyId }));
    byCall.set(callId, entry);
  });
  const shared = ctx.finish();
  return [...byCall].map(([callId, { companyId, results }]) => {
    const intentResult = results.find(isIntentResult);
    // In a manual change the new level is `resultValue`; `artificialResultValue` when 百应 sends it too.
    const value = intentResult?.manualValue ?? intentResult?.value;
    return compact({
      kind: 'manualIntent' as const,
      callId,
      companyId,
      intent: intentResult
        ? compact({ level: levelOf(intentResult.alias, value), value, description: intentResult.valueNew })
        : undefined,
      results,
      signed,
      signedAt,
      ...shared,
    });
  });
};
