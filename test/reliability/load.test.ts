/**
 * Load through the local stack: 10,000 callbacks (1,000 inside `npm test`) at a fixed
 * concurrency. Reports throughput and ack latency; asserts nothing is lost or duplicated and no
 * log line leaks a phone number or a body.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '../../functions/commons/store/document-client.js';

import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/emulators.js';
import { freePort } from '../../local/ports.js';
import { runSimulation } from '../../local/simulator/simulate.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import { LogAudit } from '../support/log-audit.js';
import { waitScale, waitUntilStored } from '../support/stored.js';

const COUNT = process.env.RELIABILITY === 'full' ? 10_000 : 1_000;
const CONCURRENCY = 32;

let stack: LocalStack;
const audit = new LogAudit();
beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  audit.start();
  stack = await startLocalStack({ port: await freePort(), consumers: 4 });
});
afterAll(async () => {
  await stack?.stop();
  audit.stop();
});

test(`${COUNT} callbacks at concurrency ${CONCURRENCY}: nothing lost or duplicated`, async () => {
  const summary = await runSimulation({
    url: stack.url,
    count: COUNT,
    concurrency: CONCURRENCY,
    seed: 2026,
    duplicates: 0,
    shuffle: true,
    drop: 0,
    timeScale: 0.01,
    companyId: '900',
  });
  const doc = documentClient(
    new DynamoDBClient({
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: stack.emulators.dynamoEndpoint,
    }),
  );
  const started = Date.now();
  const result = await waitUntilStored(doc, stack.resources, summary.ackedByKey, 180_000 * waitScale());
  const drainedMs = Date.now() - started;
  doc.destroy();
  audit.stop();
  console.log(
    `load: ${COUNT} callbacks at concurrency ${CONCURRENCY} → ${summary.ackedPerSecond.toFixed(0)} acked/s, ` +
      `ack latency p50 ${summary.latencyMs.p50.toFixed(1)} ms, p99 ${summary.latencyMs.p99.toFixed(1)} ms; ` +
      `all stored ${drainedMs} ms after the last ack; lost ${result.lost.length}, duplicated ${result.unacknowledgedStored}`,
  );
  expect(summary.givenUp).toBe(0);
  expect(summary.acked).toBe(COUNT);
  expect(result.lost).toEqual([]);
  expect(result.unacknowledgedStored).toBe(0);
  expect(audit.leakedPhones(summary.phones)).toEqual([]);
  expect(audit.leakedBodies()).toEqual([]);
});
