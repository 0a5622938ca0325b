/**
 * One scheduled run of the reconcilers: the classic OpenAPI's (`queryUnCallBack`) for the
 * companies the secret lists under `companyIds`, and the open platform's (`calldone`) for those
 * under `open.companyIds`, side by side within the same deadline. The run takes its turn first
 * (run-state.ts), so each platform starts with another company than the run before. A platform
 * that fails does not stop the other; its error is raised once both are done.
 */
import type { ByrobotSecret } from '../byrobot/secret.js';
import { type ReconcileDeps, type ReconcileSummary, runReconcile } from './reconcile.js';
import { type OpenReconcileDeps, type OpenReconcileSummary, runOpenReconcile } from './reconcile-open.js';
import { takeTurn } from './run-state.js';

export type PlatformChoice = 'classic' | 'open' | 'both';

export interface ReconcilersOptions {
  /** The companies to reconcile, per platform (the secret's, or a CLI's `--company`). */
  readonly companies: Pick<ByrobotSecret, 'companyIds'> & { readonly openCompanyIds: readonly string[] };
  /** @default both */
  readonly platform?: PlatformChoice;
  readonly lookBackDays: number;
  readonly windowAt?: number;
  readonly remainingMs: () => number;
  readonly reserveMs?: number;
}

export interface ReconcilersSummary {
  readonly turn: number;
  readonly classic?: ReconcileSummary;
  readonly open?: OpenReconcileSummary;
}

export const runReconcilers = async (
  deps: { readonly classic: ReconcileDeps; readonly open?: OpenReconcileDeps },
  options: ReconcilersOptions,
): Promise<ReconcilersSummary> => {
  const platform = options.platform ?? 'both';
  const turn = await takeTurn(deps.classic.doc, deps.classic.callsTable);
  const common = {
    turn,
    remainingMs: options.remainingMs,
    ...(options.reserveMs !== undefined ? { reserveMs: options.reserveMs } : {}),
    ...(options.windowAt !== undefined ? { windowAt: options.windowAt } : {}),
  };
  const classicWanted = platform !== 'open' && options.companies.companyIds.length > 0;
  const openWanted = platform !== 'classic' && options.companies.openCompanyIds.length > 0 && deps.open;
  const [classic, open] = await Promise.allSettled([
    classicWanted
      ? runReconcile(deps.classic, {
          ...common,
          companyIds: options.companies.companyIds,
          lookBackDays: options.lookBackDays,
        })
      : undefined,
    openWanted && deps.open
      ? runOpenReconcile(deps.open, {
          ...common,
          companyIds: options.companies.openCompanyIds,
          lookBackHours: options.lookBackDays * 24,
        })
      : undefined,
  ]);
  for (const outcome of [classic, open]) if (outcome.status === 'rejected') throw outcome.reason;
  return {
    turn,
    ...(classic.status === 'fulfilled' && classic.value ? { classic: classic.value } : {}),
    ...(open.status === 'fulfilled' && open.value ? { open: open.value } : {}),
  };
};
