/**
 * The manual intent change: CALL_INSTANCE_RESULT with only `taskResult[]`. One callback may
 * name several calls; each call gets its own record so the store can merge it on its own key.
 */
import { compact, type ReadContext } from './read-context.js';
import { type ManualIntentData, manualIntentData, taskResultItem } from './schemas.js';
import { isIntentResult, levelOf, readTaskResult } from './task-results.js';
import type { ManualIntentRecord, TaskResult } from './types.js';

export const normalizeManualIntent = (ctx: ReadContext, data: ManualIntentData): ManualIntentRecord[] => {
  ctx.keepExtras(manualIntentData, data, []);
  ctx.take(data.sign, ['sign']);
  ctx.take(data.dateTime, ['dateTime']);
  const byCall = new Map<string, { companyId?: string; results: TaskResult[] }>();
  data.taskResult.forEach((item, index) => {
    const path = ['taskResult', index];
    ctx.keepExtras(taskResultItem, item, path);
    const callId = ctx.take(item.sceneInstanceId, [...path, 'sceneInstanceId']) as string;
    const entry = byCall.get(callId) ?? { results: [] };
    entry.companyId ??= ctx.take(item.companyId, [...path, 'companyId']);
    entry.results.push(readTaskResult(ctx, item, path));
    byCall.set(callId, entry);
  });
  const shared = ctx.finish();
  return [...byCall].map(([callId, { companyId, results }]) => {
    const intentResult = results.find(isIntentResult);
    if (!intentResult) {
      ctx.warnings.add(
        ctx.at(['taskResult']),
        'no-intent',
        `change for call ${callId} holds no ${'客户意向等级'} result`,
      );
    }
    // In a manual change the new level is `resultValue`; `artificialResultValue` when 百应 sends it too.
    const value = intentResult?.manualValue ?? intentResult?.value;
    return compact({
      kind: 'manualIntent' as const,
      callId,
      companyId,
      intent: compact({
        level: levelOf(intentResult?.alias, value),
        value,
        description: intentResult?.valueNew,
      }),
      results,
      ...shared,
    });
  });
};
