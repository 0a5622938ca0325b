/**
 * What happens after the first attempt: a message that keeps failing ends in the DLQ; archived
 * bodies can be replayed to re-derive every record without counting deliveries twice.
 */

import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { readArchive } from '../../functions/commons/consume/archive.js';
import { archivePrefix, replayArchive } from '../../functions/commons/consume/replay.js';
import { s3ObjectStore } from '../../functions/commons/consume/s3-object-store.js';
import { decodeQueueMessage } from '../../functions/commons/queue-message.js';
import { startSqsDriver } from '../../local/sqs-driver.js';
import {
  apiEvent,
  drainQueue,
  getCall,
  getJob,
  localEnqueuer,
  queueDepth,
  useLocalEnv,
  wireConsume,
  wireIngest,
} from '../support/local-env.js';
import { variantOf, vendorBody } from '../support/vendor.js';

const env = useLocalEnv({ prefix: 'redrive', visibilityTimeoutSeconds: 1 });

const waitFor = async (check: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
};

test('a message that keeps failing moves to the DLQ after maxReceiveCount receives; its neighbours are stored', async () => {
  const ingest = wireIngest(env);
  const poison = variantOf('outbound', (inner) => {
    (inner.sceneInstance as Record<string, unknown>).callInstanceId = 666;
  });
  await ingest.handler(apiEvent(poison));
  await ingest.handler(apiEvent(vendorBody('inbound')));
  // The store throws for call 666 on every attempt (a bug, or data DynamoDB refuses).
  const failing = Object.create(env.doc) as typeof env.doc;
  failing.send = ((command: { input?: { Key?: { pk?: string } } }) =>
    command.input?.Key?.pk === 'out#666'
      ? Promise.reject(new Error('boom'))
      : env.doc.send(command as never)) as typeof env.doc.send;
  const consume = wireConsume(env, { doc: failing });
  const driver = startSqsDriver({
    sqs: env.clients.sqs,
    queueUrl: env.resources.queueUrl,
    handler: consume.handler,
    concurrency: 1,
  });
  try {
    await waitFor(async () => (await queueDepth(env, env.resources.dlqUrl)) === 1, 20_000);
    await waitFor(async () => (await queueDepth(env, env.resources.queueUrl)) === 0, 5_000);
  } finally {
    await driver.stop();
  }
  expect(driver.stats.failures).toBe(5);
  expect(await getCall(env, 'in#1091')).toMatchObject({ deliveries: 1 });
  expect(await getCall(env, 'out#666')).toBeUndefined();
  const [dead] = await drainQueue(env, env.resources.dlqUrl);
  expect(decodeQueueMessage(dead?.Records[0]?.body ?? '')?.body).toBe(poison);
});

test('archived bodies replay into the same records, without counting deliveries twice', async () => {
  const ingest = wireIngest(env);
  const consume = wireConsume(env);
  const bodies = [
    variantOf('outbound', (inner) => {
      (inner.sceneInstance as Record<string, unknown>).callInstanceId = 5001;
    }),
    vendorBody('job'),
  ];
  for (const body of bodies) await ingest.handler(apiEvent(body));
  for (const event of await drainQueue(env)) await consume.handler(event as SQSEvent);
  const before = await getCall(env, 'out#5001');
  const pointer = before?.recordArchive as string;
  const [key, line] = pointer.split('#') as [string, string];
  const objects = s3ObjectStore(env.clients.s3, env.resources.bucket);
  const archived = await readArchive(objects, key);
  expect(archived[Number(line) - 1]?.body).toBe(bodies[0]);

  // Lose the item, then replay today's archive.
  await env.doc.send(new DeleteCommand({ TableName: env.resources.callsTable, Key: { pk: 'out#5001' } }));
  const enqueue = localEnqueuer(env);
  const summary = await replayArchive({
    objects,
    enqueue,
    prefix: archivePrefix(new Date().toISOString().slice(0, 10)),
  });
  expect(summary.bodies).toBeGreaterThanOrEqual(2);
  for (const event of await drainQueue(env))
    expect((await consume.handler(event as SQSEvent)).batchItemFailures).toEqual([]);
  const after = await getCall(env, 'out#5001');
  expect(after?.record).toEqual(before?.record);
  expect(after?.deliveries).toBe(1);
  // A replay over records that still exist changes nothing.
  expect((await getJob(env, '535'))?.deliveries).toBe(1);
});
