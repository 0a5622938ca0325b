/**
 * Hostile input through ingest and consume (DynamoDB Local + SQS emulator): random bytes, wrong
 * encodings, mutated vendor examples, poison keys and values in every parsed field, 1e309, ids
 * with leading zeros.
 * No crash; every body is stored, quarantined or rejected with a clear error — and a rejected
 * body is still kept in quarantine. Prints the count of each.
 */

import { paginateScan } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { hostileRequest } from '../support/arbitraries.js';
import { apiEvent, drainQueue, useLocalEnv, wireConsume, wireIngest } from '../support/local-env.js';

const RUNS = process.env.RELIABILITY === 'full' ? 3000 : 400;

const env = useLocalEnv({ prefix: 'hostile' });

test(`${RUNS} hostile bodies: each stored, quarantined or rejected with a clear error`, async () => {
  const ingest = wireIngest(env);
  const consume = wireConsume(env);
  const replies: Record<number, number> = {};
  const errors = new Set<string>();
  const samples = fc.sample(hostileRequest, { numRuns: RUNS, seed: 20261126 });
  for (const [index, request] of samples.entries()) {
    const event = apiEvent('', { contentType: request.contentType, requestId: `hostile-${index}` });
    event.body = request.body.toString('base64');
    event.isBase64Encoded = true;
    const reply = await ingest.handler(event);
    replies[reply.statusCode] = (replies[reply.statusCode] ?? 0) + 1;
    if (reply.statusCode !== 200) {
      const parsed = JSON.parse(reply.body) as { error: string; message: string };
      expect(parsed.message.length).toBeGreaterThan(10);
      errors.add(parsed.error);
    } else {
      expect(reply.body).toBe('success');
    }
  }
  // Nothing but accept (200) or a clear refusal (400): never a 5xx, never a crash.
  expect(Object.keys(replies).sort()).toEqual(expect.arrayContaining(['200', '400']));
  expect((replies[200] ?? 0) + (replies[400] ?? 0)).toBe(RUNS);

  for (const event of await drainQueue(env)) {
    const response = await consume.handler(event as SQSEvent);
    const failures = consume.logger.lines.filter((line) => line.level === 'error');
    expect([response.batchItemFailures, failures]).toEqual([[], []]);
  }
  const batches = consume.logger.lines
    .filter((line) => line.message === 'batch stored')
    .map((line) => line.extra as { stored: number; items: string[] });
  const stored = batches.reduce((sum, batch) => sum + batch.stored, 0);
  const quarantinedRejected = consume.counter.total('CallbacksQuarantined', { Reason: 'REJECTED_BY_INGEST' });
  const quarantinedByContract = consume.counter.total('CallbacksQuarantined') - quarantinedRejected;
  expect(consume.counter.total('CallbacksQuarantined', { Reason: 'READER_FAILURE' })).toBe(0);
  // Every accepted body was stored or quarantined; every rejected one was kept in quarantine.
  expect(stored + quarantinedByContract).toBe(replies[200]);
  const notKept = ingest.logger.lines
    .filter((line) => line.level === 'error')
    .map((line) => String((line.extra as { error?: unknown } | undefined)?.error));
  expect([quarantinedRejected, notKept.slice(0, 3)]).toEqual([replies[400], []]);
  expect(stored).toBeGreaterThan(0);
  // Exactly one delivery per stored body on each item it names: sum the items' delivery counts.
  // Each stored message lists the items it changed once: their count is the deliveries expected.
  const itemKeys = batches.reduce((sum, batch) => sum + batch.items.length, 0);
  let deliveries = 0;
  for (const table of [env.resources.callsTable, env.resources.jobsTable]) {
    for await (const page of paginateScan({ client: env.doc }, { TableName: table })) {
      for (const item of page.Items ?? []) deliveries += Number(item.deliveries ?? 0);
    }
  }
  expect(deliveries).toBe(itemKeys);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  const logs = `${ingest.logger.text()}\n${consume.logger.text()}`;
  // A mobile number on its own, not digits inside a UUID or a longer id.
  expect(logs).not.toMatch(/(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])/);
  // Field paths may be named in error messages; a raw body would show its JSON keys quoted.
  expect(logs).not.toMatch(/\\?"sceneInstance\\?":|\\?"phoneLogs\\?":|oss-cn-hangzhou/);
  console.log(
    `hostile input: ${RUNS} bodies → stored ${stored}, quarantined ${quarantinedByContract} (unreadable as 百应 records), ` +
      `rejected ${replies[400] ?? 0} with 400 (${[...errors].sort().join(', ')}; all kept in quarantine)`,
  );
});
