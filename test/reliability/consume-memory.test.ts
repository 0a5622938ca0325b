/**
 * Consume's memory under a batch of claimed bodies: 25 calls of about 1.2 MB each (the SQS event
 * source's batch size), each through the S3 claim check, in one invocation. Peak memory is
 * sampled while the batch is consumed and must stay well under the function's 1024 MB.
 */
import type { SQSEvent } from 'aws-lambda';
import { QUEUE } from '../../functions/commons/definitions.js';
import { drainQueue, getCall, useLocalEnv, wireConsume, wireIngest } from '../support/local-env.js';
import { apiEvent } from '../support/recorders.js';
import { variantOf } from '../support/vendor.js';

const env = useLocalEnv({ prefix: 'memory' });

const FUNCTION_MEMORY_MB = 1024;

const bigCall = (callId: number) =>
  variantOf('outbound', (inner) => {
    const scene = inner.sceneInstance as Record<string, unknown>;
    scene.callInstanceId = callId;
    scene.properties = JSON.stringify({ notes: '备'.repeat(100_000) });
    (inner.phoneLog as Record<string, unknown>).phoneLogs = Array.from({ length: 600 }, (_, i) => ({
      sceneInstanceLogId: 9_000_000 + i,
      speaker: i % 2 === 0 ? 'AI' : 'ME',
      content: `${i}:${'话'.repeat(500)}`,
      startTime: i * 1000,
      endTime: i * 1000 + 900,
    }));
  });

test(`a batch of ${QUEUE.batchSize} claimed 1.2 MB calls is consumed well under ${FUNCTION_MEMORY_MB} MB`, async () => {
  const ingest = wireIngest(env, { maxMessageBytes: 256 * 1024 });
  const ids = Array.from({ length: QUEUE.batchSize }, (_, i) => 6_600_000 + i);
  for (const id of ids) {
    const body = bigCall(id);
    expect(Buffer.byteLength(body)).toBeGreaterThan(1_200_000);
    expect((await ingest.handler(apiEvent(body))).body).toBe('success');
  }
  const records = (await drainQueue(env)).flatMap((event) => event.Records);
  expect(records).toHaveLength(QUEUE.batchSize);

  const consume = wireConsume(env);
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  let response: Awaited<ReturnType<typeof consume.handler>>;
  try {
    response = await consume.handler({ Records: records } as SQSEvent);
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  expect(response.batchItemFailures).toEqual([]);
  for (const id of [ids[0], ids.at(-1)]) {
    expect(await getCall(env, `out#${id}`)).toMatchObject({ state: 'RECORDED' });
  }
  const grewMb = (peak - before) / 1024 / 1024;
  console.log(
    `consume memory: ${QUEUE.batchSize} × 1.2 MB claimed calls → peak +${grewMb.toFixed(0)} MB over ${(before / 1024 / 1024).toFixed(0)} MB (function: ${FUNCTION_MEMORY_MB} MB)`,
  );
  // The whole test process (jest, emulator clients) already holds `before`; the batch adds the rest.
  expect(grewMb).toBeLessThan(FUNCTION_MEMORY_MB / 3);
});
