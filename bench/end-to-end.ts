/**
 * Measure 4 — end to end: callbacks per second through the local stack (simulator → real ingest →
 * emulated SQS → real consume → DynamoDB Local), against the raw rate of SQS SendMessage to the
 * same emulator at the same concurrency, in the same run.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/emulators.js';
import { freePort } from '../local/ports.js';
import { runSimulation } from '../local/simulator/simulate.js';
import { startLocalStack } from '../local/stack.js';
import type { Figure } from './stats.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 2000);
const CONCURRENCY = 32;

export const runEndToEnd = async (): Promise<{ figure: Figure; p50: number; p99: number }> => {
  const stack = await startLocalStack({ port: await freePort() });
  try {
    const summary = await runSimulation({
      url: stack.url,
      count: COUNT,
      concurrency: CONCURRENCY,
      seed: 77,
      duplicates: 0,
      shuffle: false,
      drop: 0,
      timeScale: 0.01,
    });
    const sqs = new SQSClient({
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: stack.emulators.awsEndpoint,
    });
    const body = JSON.stringify({ v: 1, body: 'x'.repeat(3000) });
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < COUNT)
          await sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.dlqUrl, MessageBody: body }));
      }),
    );
    const rawPerSecond = (COUNT / (performance.now() - started)) * 1000;
    sqs.destroy();
    return {
      figure: {
        name: `end to end, acked callbacks (${COUNT})`,
        ours: summary.ackedPerSecond,
        baseline: rawPerSecond,
        unit: '/s',
        target: { kind: 'report', ratio: 0 },
      },
      p50: summary.latencyMs.p50,
      p99: summary.latencyMs.p99,
    };
  } finally {
    await stack.stop();
  }
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ratioLine } = await import('./stats.js');
  const result = await runEndToEnd();
  console.log(ratioLine(result.figure));
  console.log(`ack latency p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms`);
}
