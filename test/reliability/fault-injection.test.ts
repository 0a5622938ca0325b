/**
 * Fault injection on the local stack (real handlers, DynamoDB Local, SQS emulator): DynamoDB
 * stopped and restarted mid-run, SQS refusing sends for a while, the consumer throwing for chosen
 * records. In each, 百应's simulated retries end with every acknowledged callback stored exactly
 * once. Prints `sent / acked / stored / lost` per scenario.
 *
 * `npm run test:reliability` runs it at full size; `npm test` runs a smaller pass.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readCallback } from '../../functions/commons/contract/index.js';
import { decodeQueueMessage } from '../../functions/commons/queue-message.js';
import { documentClient } from '../../functions/commons/store/document-client.js';
import { itemKeyOf } from '../../functions/commons/store/keys.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/emulators.js';
import { freePort } from '../../local/ports.js';
import { runSimulation, type SimulationSummary } from '../../local/simulator/simulate.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import { ChaosProxy } from '../support/chaos-proxy.js';
import { LogAudit } from '../support/log-audit.js';
import { parkedKeys, waitScale, waitUntilStored } from '../support/stored.js';

const FULL = process.env.RELIABILITY === 'full';
const COUNT = FULL ? 1000 : 150;

let stack: LocalStack;
let proxy: ChaosProxy;
let doc: DynamoDBDocumentClient;
let sqs: SQSClient;
const audit = new LogAudit();
const phones: string[] = [];
const figures: string[] = [];
/** Message ids that must fail their first two receives (the consumer "throws" for them). */
const flaky = { ids: new Set<string>(), receives: new Map<string, number>(), failures: 0 };

const wrapConsume =
  (consume: (event: SQSEvent) => Promise<SQSBatchResponse>) =>
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const chosen = event.Records.filter((record) => {
      const body = decodeQueueMessage(record.body)?.body ?? '';
      return [...flaky.ids].some((id) => body.includes(id));
    });
    const failing = chosen.filter((record) => {
      const seen = (flaky.receives.get(record.messageId) ?? 0) + 1;
      flaky.receives.set(record.messageId, seen);
      return seen <= 2;
    });
    flaky.failures += failing.length;
    const rest = event.Records.filter((record) => !failing.includes(record));
    const response = rest.length > 0 ? await consume({ Records: rest }) : { batchItemFailures: [] };
    return {
      batchItemFailures: [
        ...response.batchItemFailures,
        ...failing.map((record) => ({ itemIdentifier: record.messageId })),
      ],
    };
  };

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  const awsPort = await freePort();
  proxy = new ChaosProxy(awsPort);
  audit.start();
  stack = await startLocalStack({
    port: await freePort(),
    awsPort,
    // DynamoDB Local keeps its data on disk, so stopping and restarting it loses nothing.
    persistDir: mkdtempSync(join(tmpdir(), 'ddb-')),
    // Short, so redeliveries after the faults come fast, but long enough that the DynamoDB outage
    // cannot use up a message's receives: with 5 receives a message is parked after 4 timeouts,
    // and the outage (stop ~0.4 s, 2.5 s down, a restart with its data on disk of ~3 s idle and
    // ~5.6 s with both cores busy) reached the 8 s that 2 s timeouts allowed on a loaded CI run.
    // 4 s allows 16 s. Scaled on a busy machine, where a slow consumer would otherwise see
    // messages redelivered (and parked in the DLQ) mid-batch.
    visibilityTimeoutSeconds: Math.ceil(4 * waitScale()),
    ingestSqsEndpoint: await proxy.start(),
    wrapConsume,
    consumers: 3,
  });
  const base = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  doc = documentClient(new DynamoDBClient({ ...base, endpoint: stack.emulators.dynamoEndpoint }));
  sqs = new SQSClient({ ...base, endpoint: stack.emulators.awsEndpoint });
});

afterAll(async () => {
  await stack?.stop();
  await proxy?.stop();
  audit.stop();
  doc?.destroy();
  sqs?.destroy();
  console.log(['fault injection (requests sent / deliveries acked / stored / lost):', ...figures].join('\n'));
});

const simulate = (seed: number, companyId: string): Promise<SimulationSummary> =>
  runSimulation({
    url: stack.url,
    count: COUNT,
    concurrency: 16,
    seed,
    duplicates: 0.2,
    shuffle: true,
    drop: 0,
    // 百应's 10 s / 30 s / 1 min … retries become 0.5 s / 1.5 s / 3 s …
    timeScale: 0.05,
    companyId,
  });

const settle = async (name: string, summary: SimulationSummary) => {
  phones.push(...summary.phones);
  const result = await waitUntilStored(doc, stack.resources, summary.ackedByKey, 60_000 * waitScale());
  // A delivery parked in the DLQ is not lost (a redrive stores it): counted apart. Only this
  // scenario's (the DLQ is shared), so one scenario's parked messages do not fail the next.
  const parked = new Set(
    [...(await parkedKeys(sqs, stack.resources.dlqUrl, keysOfBody))].filter((key) =>
      summary.ackedByKey.has(key),
    ),
  );
  const lost = result.lost.filter((miss) => !parked.has(miss.key));
  figures.push(
    `  ${name.padEnd(32)} ${summary.sent} / ${summary.acked} / ${result.stored} / ${lost.length}` +
      (parked.size > 0 ? `  (${parked.size} parked in the DLQ, not lost)` : '') +
      (result.unacknowledgedStored > 0
        ? `  (+${result.unacknowledgedStored} stored whose ack was lost in the outage)`
        : ''),
  );
  expect(summary.givenUp).toBe(0);
  expect(result.acked).toBe(summary.acked);
  expect(lost).toEqual([]);
  // With waits scaled to the machine, nothing should need a redrive either.
  expect([...parked]).toEqual([]);
};

/** The item keys a queued message's body names (for the DLQ count). */
const keysOfBody = (sqsBody: string): string[] => {
  const read = readCallback(decodeQueueMessage(sqsBody)?.body ?? '');
  return read.ok ? read.records.map(itemKeyOf) : [];
};

test('DynamoDB Local stopped mid-run and restarted: every acknowledged callback stored exactly once', async () => {
  const failuresBefore = stack.consumer.failures + stack.consumer.handlerErrors;
  const run = simulate(11, '501');
  await new Promise((resolve) => setTimeout(resolve, 300));
  await stack.emulators.stopDynamo();
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  await stack.emulators.restartDynamo();
  await settle('DynamoDB stopped 2.5 s', await run);
  // The outage was felt: the consumer reported failures and SQS redelivered them.
  expect(stack.consumer.failures + stack.consumer.handlerErrors).toBeGreaterThan(failuresBefore);
});

test('SQS refusing sends for a while: ingest answers 503, 百应 retries, nothing is lost', async () => {
  const run = simulate(12, '502');
  await new Promise((resolve) => setTimeout(resolve, 200));
  proxy.refuse();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  proxy.accept();
  const summary = await run;
  expect(proxy.refused).toBeGreaterThan(0);
  expect(summary.retried).toBeGreaterThan(0);
  await settle('SQS refusing sends 2 s', summary);
});

test('the consumer throwing for chosen records: they are redriven and stored once', async () => {
  // Every callback of company 503 fails its first two receives (the SQS body holds the raw body as a JSON string).
  flaky.ids.add('"companyId":503');
  const run = simulate(13, '503');
  const summary = await run;
  await settle('consumer throwing (2 receives)', summary);
  expect(flaky.failures).toBeGreaterThan(0);
  flaky.ids.clear();
});

test('across all of the above, no log line holds a full phone number or a raw body', () => {
  expect(phones.length).toBeGreaterThan(COUNT);
  expect(audit.lines.length).toBeGreaterThan(COUNT);
  expect(audit.leakedPhones(phones)).toEqual([]);
  expect(audit.leakedBodies()).toEqual([]);
});
