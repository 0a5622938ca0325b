/**
 * The local SQS driver against the SQS emulator: it hands the handler batches of the deployed
 * size gathered from several receives (SQS returns at most 10 per receive), deletes what
 * succeeded in chunks of 10, and leaves reported failures on the queue.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { startSqsDriver } from '../../local/sqs-driver.js';
import { queueDepth, useLocalEnv } from '../support/local-env.js';

const env = useLocalEnv({ prefix: 'driver', visibilityTimeoutSeconds: 30 });

const sendMessages = async (count: number) => {
  for (let start = 0; start < count; start += 10) {
    await env.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: env.resources.queueUrl,
        Entries: Array.from({ length: Math.min(10, count - start) }, (_, i) => ({
          Id: String(i),
          MessageBody: `m-${start + i}`,
        })),
      }),
    );
  }
};

const until = async (check: () => boolean | Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

test('60 waiting messages arrive in batches of at most 25, at least one full; all succeeded ones are deleted, the failed one stays', async () => {
  await sendMessages(60);
  const batches: string[][] = [];
  const driver = startSqsDriver({
    sqs: env.clients.sqs,
    queueUrl: env.resources.queueUrl,
    batchSize: 25,
    batchingWindowMs: 1000,
    concurrency: 1,
    handler: async (event: SQSEvent) => {
      batches.push(event.Records.map((record) => record.body));
      const failed = event.Records.filter((record) => record.body === 'm-7');
      return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
    },
  });
  try {
    await until(() => batches.flat().length >= 60, 15_000);
  } finally {
    await driver.stop();
  }
  expect(new Set(batches.flat()).size).toBe(60);
  expect(Math.max(...batches.map((batch) => batch.length))).toBe(25);
  expect(batches.every((batch) => batch.length <= 25)).toBe(true);
  // 59 deletes went out in chunks of 10 (DeleteMessageBatch's limit); m-7 is in flight, not gone.
  expect(await queueDepth(env, env.resources.queueUrl)).toBe(1);
});

test('a quiet queue is not waited on: one message is handed over at once, alone', async () => {
  const batches: number[] = [];
  const driver = startSqsDriver({
    sqs: env.clients.sqs,
    queueUrl: env.resources.queueUrl,
    batchSize: 25,
    batchingWindowMs: 5000,
    concurrency: 1,
    waitSeconds: 1,
    handler: async (event: SQSEvent) => {
      batches.push(event.Records.length);
      return { batchItemFailures: [] };
    },
  });
  try {
    // Whatever the first test left in flight is not visible for 30 s.
    const sent = Date.now();
    await sendMessages(1);
    await until(() => batches.length > 0, 4000);
    expect(Date.now() - sent).toBeLessThan(4000);
  } finally {
    await driver.stop();
  }
  expect(batches).toEqual([1]);
});
