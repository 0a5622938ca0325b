/**
 * Measure 4 — end to end: callbacks per second through the local stack (simulator → real ingest →
 * emulated SQS → real consume → DynamoDB Local), against the raw rate of SQS SendMessage to the
 * same emulator at the same concurrency, in alternating rounds of the same run. The simulator
 * (百应's side: generating bodies, its HTTP client) runs on its own thread, as 百应 runs on its own
 * machines; the stack and the raw sends share the main thread.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/emulators.js';
import { freePort } from '../local/ports.js';
import { startLocalStack } from '../local/stack.js';
import { simulateOnThread } from './simulator-thread.js';
import { alternate, type Figure, median } from './stats.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 600);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CONCURRENCY = 32;

export const runEndToEnd = async (): Promise<{ figure: Figure; p50: number; p99: number }> => {
  const stack = await startLocalStack({ port: await freePort() });
  const sqs = new SQSClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: stack.emulators.awsEndpoint,
  });
  try {
    const latencies = { p50: [] as number[], p99: [] as number[] };
    let seed = 77;
    const ours = async () => {
      const summary = await simulateOnThread({
        url: stack.url,
        count: COUNT,
        concurrency: CONCURRENCY,
        seed: seed++,
        duplicates: 0,
        shuffle: false,
        drop: 0,
        timeScale: 0.01,
      });
      latencies.p50.push(summary.latencyMs.p50);
      latencies.p99.push(summary.latencyMs.p99);
      return summary.ackedPerSecond;
    };
    const body = JSON.stringify({ v: 1, body: 'x'.repeat(3000) });
    const raw = async () => {
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next++ < COUNT)
            await sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.dlqUrl, MessageBody: body }));
        }),
      );
      return (COUNT / (performance.now() - started)) * 1000;
    };
    const rounds = await alternate(ROUNDS, ours, raw);
    return {
      figure: {
        name: `end to end, acked callbacks (${COUNT})`,
        ...rounds,
        unit: '/s',
        target: { kind: 'min', ratio: 0.5 },
      },
      p50: median(latencies.p50),
      p99: median(latencies.p99),
    };
  } finally {
    sqs.destroy();
    await stack.stop();
  }
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ratioLine } = await import('./stats.js');
  const result = await runEndToEnd();
  console.log(ratioLine(result.figure));
  console.log(
    `ack latency p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms (median of rounds)`,
  );
}
