/** Small helpers for benchmarks: timing, medians, and ratio lines printed the same way everywhere. */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0
    ? ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
    : (sorted[middle] as number);
};

/** Runs `task` `rounds` times and returns the median wall time in ms. */
export const timeMedian = async (rounds: number, task: () => Promise<void> | void): Promise<number> => {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await task();
    times.push(performance.now() - started);
  }
  return median(times);
};

export interface Figure {
  readonly name: string;
  readonly ours: number;
  readonly baseline: number;
  readonly unit: string;
  /** `max`: ours/baseline must stay at or below target; `min`: at or above. */
  /** `max`: ours/baseline must stay at or below `ratio`; `min`: at or above; `report`: no target. */
  readonly target: { readonly kind: 'max' | 'min' | 'report'; readonly ratio: number };
}

export const ratioLine = (figure: Figure): string => {
  const ratio = figure.ours / figure.baseline;
  const head = `${figure.name.padEnd(44)} ours ${figure.ours.toFixed(2)} ${figure.unit} vs baseline ${figure.baseline.toFixed(2)} ${figure.unit} → ${ratio.toFixed(2)}×`;
  if (figure.target.kind === 'report') return `${head} (reported, no target)`;
  const met = figure.target.kind === 'max' ? ratio <= figure.target.ratio : ratio >= figure.target.ratio;
  const sign = figure.target.kind === 'max' ? '≤' : '≥';
  return `${head} (target ${sign} ${figure.target.ratio}×) ${met ? 'MET' : 'MISSED'}`;
};
