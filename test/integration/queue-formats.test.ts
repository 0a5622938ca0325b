/**
 * Consume reads every message format an earlier version may have left in the queue or its DLQ
 * (SQS keeps messages 14 days, and a redrive brings them back): each fixture was written by the
 * previous version's own ingest or reconciler code, and consume stores (or quarantines) it as
 * that version's consume did.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readQuarantine } from '../../functions/commons/consume/quarantine.js';
import { s3ObjectStore } from '../../functions/commons/consume/s3-object-store.js';
import { deliveryIdOf } from '../../functions/commons/store/delivery.js';
import { toSqsRecord } from '../../local/sqs-driver.js';
import { getCall, getJob, useLocalEnv, wireConsume } from '../support/local-env.js';
import { queueMessageFixtures } from '../support/vendor.js';

const env = useLocalEnv({ prefix: 'formats' });
const fixtures = queueMessageFixtures();

/** Where each fixture's data must end up: the item it merges into, or the quarantine. */
const expected: Record<
  string,
  { item: () => Promise<Record<string, unknown> | undefined> } | { quarantined: string }
> = {
  'v2 verbatim (compact JSON, envelope scan)': { item: () => getCall(env, 'out#1') },
  'v2 verbatim (pretty-printed vendor example)': { item: () => getCall(env, 'in#1091') },
  'v1 inline (trailing comma: not JSON as sent)': { item: () => getJob(env, '535') },
  'v1 inline (astral characters escaped for SQS)': { item: () => getCall(env, 'out#1') },
  'v1 inline rejected (not JSON)': { quarantined: 'REJECTED_BY_INGEST' },
  'v1 inline rejected, base64 (not text in its charset)': { quarantined: 'REJECTED_BY_INGEST' },
  'v1 claim (body in S3)': { item: () => getCall(env, 'out#1') },
  'v1 inline from the reconciler': { item: () => getCall(env, 'out#1') },
};

test('every fixture has an expectation', () => {
  expect(Object.keys(expected).sort()).toEqual(Object.keys(fixtures).sort());
});

test.each(Object.entries(fixtures))('%s', async (name, fixture) => {
  for (const [key, body] of Object.entries(fixture.claims ?? {})) {
    await env.clients.s3.send(new PutObjectCommand({ Bucket: env.resources.bucket, Key: key, Body: body }));
  }
  const requestId = (JSON.parse(fixture.message) as { meta: { requestId: string } }).meta.requestId;
  const consume = wireConsume(env);
  const record = toSqsRecord(
    { MessageId: `m-${requestId}`, ReceiptHandle: 'r', Body: fixture.message, Attributes: {} },
    'arn:aws:sqs:us-east-1:000000000000:formats',
  );
  expect(await consume.handler({ Records: [record] })).toEqual({ batchItemFailures: [] });
  const outcome = expected[name];
  if (outcome && 'item' in outcome) {
    const item = await outcome.item();
    expect([...((item?.deliveryIds as Set<string> | undefined) ?? [])]).toContain(deliveryIdOf(requestId));
    expect(consume.counter.total('CallbacksQuarantined')).toBe(0);
  } else {
    const kept = await readQuarantine(s3ObjectStore(env.clients.s3, env.resources.bucket), ['quarantine/']);
    const entry = kept.find((candidate) => candidate.meta?.requestId === requestId);
    expect(entry?.reason.code).toBe(outcome?.quarantined);
  }
});
