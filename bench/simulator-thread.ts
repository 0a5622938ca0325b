/**
 * The simulator on its own thread, for the end-to-end measure: 百应 is another machine, so its
 * load generator should not share the event loop of the stack it measures (the raw baseline's
 * sends are themselves what it measures, and stay on the main thread).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { runSimulation, type SimulationOptions } from '../local/simulator/simulate.js';

export interface ThreadSummary {
  readonly ackedPerSecond: number;
  readonly acked: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
}

/** Runs one simulation on a fresh thread and returns what the measure reads. */
export const simulateOnThread = (options: SimulationOptions): Promise<ThreadSummary> =>
  new Promise((resolve, reject) => {
    // A thread does not inherit the TypeScript loader of `--import tsx`: it registers it first.
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(import.meta.url)});`;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(entry)}`), {
      workerData: options,
    });
    worker.once('message', (summary: ThreadSummary) => resolve(summary));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`simulator thread exited with ${code}`));
    });
  });

if (!isMainThread && parentPort) {
  const summary = await runSimulation(workerData as SimulationOptions);
  parentPort.postMessage({
    ackedPerSecond: summary.ackedPerSecond,
    acked: summary.acked,
    latencyMs: { p50: summary.latencyMs.p50, p99: summary.latencyMs.p99 },
  } satisfies ThreadSummary);
}
