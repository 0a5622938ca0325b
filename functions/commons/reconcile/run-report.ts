/**
 * What both reconcilers share about a run: a run that nears its deadline stops cleanly (the next
 * run continues), any other failure of a whole run is counted and thrown; and the figures each
 * run reports per platform, the alarmed one being what 百应 lists that we do not hold yet.
 */
import type { Counter } from '../telemetry.js';

/** The run is out of time: it ends early, not failed. */
export class OutOfTime extends Error {
  override readonly name = 'OutOfTime';
}

export type ReconciledPlatform = 'classic' | 'open';

/** Runs a run's work; resolves whether it stopped early for lack of time. */
export const untilOutOfTime = async (
  counter: Counter,
  platform: ReconciledPlatform,
  work: () => Promise<void>,
): Promise<boolean> => {
  try {
    await work();
    return false;
  } catch (error) {
    if (error instanceof OutOfTime) return true;
    counter.count('ReconcileFailures', { Platform: platform });
    throw error;
  }
};

export interface RunFigures {
  readonly listed: number;
  readonly alreadyPresent: number;
  readonly recovered: number;
  readonly failed: number;
}

/** The run's figures as metrics, with the platform's own (`extra`). */
export const countRun = (
  counter: Counter,
  platform: ReconciledPlatform,
  figures: RunFigures,
  extra: Readonly<Record<string, number>>,
): void => {
  const dimensions = { Platform: platform };
  counter.count('MissesListed', dimensions, figures.listed);
  // What 百应 lists but we do not hold yet: the alarmed figure (misses already stored are normal).
  counter.count('MissesToRecover', dimensions, figures.listed - figures.alreadyPresent);
  counter.count('Recovered', dimensions, figures.recovered);
  counter.count('AlreadyPresent', dimensions, figures.alreadyPresent);
  for (const [name, value] of Object.entries(extra)) counter.count(name, dimensions, value);
  if (figures.failed > 0) counter.count('ReconcileFailures', dimensions, figures.failed);
};
