/**
 * Small helpers for benchmarks: medians, alternating rounds, and ratio lines printed the same way
 * everywhere. Every figure keeps its per-round values, so a line shows the spread behind its median.
 */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0
    ? ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
    : (sorted[middle] as number);
};

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export const spreadOf = (values: readonly number[]): Spread => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
});

export interface Figure {
  readonly name: string;
  /** One value per measured round (one value for a figure that does not vary, e.g. a size). */
  readonly ours: readonly number[];
  readonly baseline: readonly number[];
  readonly unit: string;
  /** `max`: ours/baseline must stay at or below `ratio`; `min`: at or above; `report`: no target. */
  readonly target: { readonly kind: 'max' | 'min' | 'report'; readonly ratio: number };
}

/**
 * The ratio of each round (ours and the baseline of the same round, measured back to back),
 * summarised by its median and range. Figures with unpaired values compare medians.
 */
export const ratioOf = (figure: Figure): Spread => {
  if (figure.ours.length === figure.baseline.length && figure.ours.length > 1) {
    return spreadOf(figure.ours.map((ours, i) => ours / (figure.baseline[i] as number)));
  }
  const single = median(figure.ours) / median(figure.baseline);
  return { median: single, min: single, max: single };
};

export const isMet = (figure: Figure): boolean | undefined => {
  const { median: ratio } = ratioOf(figure);
  if (figure.target.kind === 'report') return undefined;
  return figure.target.kind === 'max' ? ratio <= figure.target.ratio : ratio >= figure.target.ratio;
};

const shown = (values: readonly number[], unit: string): string => {
  const { median: middle, min, max } = spreadOf(values);
  return values.length > 1
    ? `${middle.toFixed(2)} ${unit} [${min.toFixed(2)}–${max.toFixed(2)}]`
    : `${middle.toFixed(2)} ${unit}`;
};

/** `name  ours M unit [min–max] vs baseline M unit [min–max], n rounds, ratio min–max → R× (target ≤ T×) MET`. */
export const ratioLine = (figure: Figure): string => {
  const ratio = ratioOf(figure);
  const rounds = Math.max(figure.ours.length, figure.baseline.length);
  const range = rounds > 1 ? `, ${rounds} rounds, ratio ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}` : '';
  // Three decimals where two would round onto the target and hide which side of it the ratio is.
  const digits =
    figure.target.kind !== 'report' && ratio.median.toFixed(2) === figure.target.ratio.toFixed(2) ? 3 : 2;
  const head = `${figure.name.padEnd(44)} ours ${shown(figure.ours, figure.unit)} vs baseline ${shown(figure.baseline, figure.unit)}${range} → ${ratio.median.toFixed(digits)}×`;
  if (figure.target.kind === 'report') return `${head} (reported, no target)`;
  const sign = figure.target.kind === 'max' ? '≤' : '≥';
  return `${head} (target ${sign} ${figure.target.ratio}×) ${isMet(figure) ? 'MET' : 'MISSED'}`;
};

/**
 * Runs ours and the baseline in alternating rounds (ours first in even rounds, the baseline first
 * in odd ones, so neither always runs on a warmer machine), after `warmUp` unmeasured rounds of
 * both. Each call returns the round's figure (e.g. µs per request, or items per second).
 */
/** Collects garbage between measured runs when node runs with --expose-gc (npm run bench does), so one side's garbage is not billed to the other. */
const settle = () => (globalThis as { gc?: () => void }).gc?.();

export const alternate = async (
  rounds: number,
  ours: () => Promise<number> | number,
  baseline: () => Promise<number> | number,
  warmUp = 1,
): Promise<{ ours: number[]; baseline: number[] }> => {
  for (let i = 0; i < warmUp; i++) {
    await ours();
    await baseline();
  }
  const result = { ours: [] as number[], baseline: [] as number[] };
  const measure = async (side: () => Promise<number> | number, into: number[]) => {
    settle();
    into.push(await side());
  };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      await measure(ours, result.ours);
      await measure(baseline, result.baseline);
    } else {
      await measure(baseline, result.baseline);
      await measure(ours, result.ours);
    }
  }
  return result;
};

/**
 * Like `alternate`, but inside each round the two sides take turns in small blocks (a few
 * milliseconds each, the first side swapping from block to block), so a change in the machine's
 * pace during a round slows both sides alike instead of one. `ours(round, block)` and
 * `baseline(round, block)` run block `block` of round `round` (warm-up rounds counted) over the
 * same items; each round's figure is µs per item over `itemsPerRound` items. Use it where a
 * round lasts long next to how fast the machine's pace drifts.
 */
export const interleave = async (
  rounds: number,
  blocksPerRound: number,
  itemsPerRound: number,
  ours: (round: number, block: number) => Promise<void>,
  baseline: (round: number, block: number) => Promise<void>,
  warmUp = 1,
): Promise<{ ours: number[]; baseline: number[] }> => {
  const result = { ours: [] as number[], baseline: [] as number[] };
  for (let round = 0; round < warmUp + rounds; round++) {
    settle();
    let oursMs = 0;
    let baselineMs = 0;
    for (let block = 0; block < blocksPerRound; block++) {
      const oursFirst = (block + round) % 2 === 0;
      for (const side of oursFirst ? ['ours', 'baseline'] : ['baseline', 'ours']) {
        const started = performance.now();
        await (side === 'ours' ? ours(round, block) : baseline(round, block));
        const elapsed = performance.now() - started;
        if (side === 'ours') oursMs += elapsed;
        else baselineMs += elapsed;
      }
    }
    if (round < warmUp) continue;
    result.ours.push((oursMs / itemsPerRound) * 1000);
    result.baseline.push((baselineMs / itemsPerRound) * 1000);
  }
  return result;
};
