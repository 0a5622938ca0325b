/**
 * Ingest → SQS → consume → DynamoDB on the real emulators (DynamoDB Local, fauxqs).
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { s3ObjectStore } from '../../functions/commons/consume/s3-object-store.js';
import { readCallback } from '../../functions/commons/contract/index.js';
import { decodeQueueMessage } from '../../functions/commons/queue-message.js';
import { DEFAULT_INDEX_SHARDS, shardOf } from '../../functions/commons/store/shards.js';
import {
  apiEvent,
  deliverThrough,
  drainQueue,
  getCall,
  getJob,
  useLocalEnv,
  wireConsume,
  wireIngest,
} from '../support/local-env.js';
import { variantOf, vendorBody } from '../support/vendor.js';

const env = useLocalEnv({ prefix: 'pipeline' });

const deliver = (bodies: Parameters<typeof deliverThrough>[1]) => deliverThrough(env, bodies);

describe('each vendor-doc example flows through and reads back normalized', () => {
  test('outbound call, manual change, inbound call and job status', async () => {
    const { replies, responses } = await deliver([
      { body: vendorBody('outbound') },
      { body: vendorBody('manualIntent') },
      { body: vendorBody('inbound') },
      { body: vendorBody('job'), route: '/callbacks/job' },
    ]);
    expect(replies.map((reply) => [reply.statusCode, reply.body])).toEqual(Array(4).fill([200, 'success']));
    expect(responses.flatMap((response) => response.batchItemFailures)).toEqual([]);

    const outbound = await getCall(env, 'out#1');
    const expected = readCallback(vendorBody('outbound'));
    if (!expected.ok) throw new Error('fixture must read');
    const { intent: expectedIntent, ...expectedRecord } = expected
      .records[0] as import('../../functions/commons/contract/types.js').CallRecord;
    expect(outbound).toMatchObject({
      direction: 'outbound',
      callId: '1',
      companyId: '1',
      callJobId: '1',
      companyDate: `1#2019-01-12#${shardOf('1', DEFAULT_INDEX_SHARDS)}`,
      jobShard: `1#${shardOf('1', DEFAULT_INDEX_SHARDS)}`,
      sortTime: '2019-01-12T16:09:32+08:00',
      state: 'RECORDED',
      deliveries: 1,
      sources: new Set(['callback']),
      intent: { level: 'C', value: 'C级(很少)', description: 'C级(明确拒绝)', source: 'ai' },
    });
    expect(outbound?.record).toEqual({ ...expectedRecord, intent: { ai: expectedIntent.ai } });
    expect(outbound?.recordArchive).toMatch(/^archive\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[\w-]+\.jsonl\.gz#\d+$/);

    const manual = await getCall(env, 'out#2016');
    expect(manual).toMatchObject({
      state: 'MANUAL_ONLY',
      companyId: '241',
      intent: { level: 'B', value: 'B', source: 'manual' },
    });
    expect(manual?.record).toBeUndefined();

    const inbound = await getCall(env, 'in#1091');
    expect(inbound).toMatchObject({
      direction: 'inbound',
      callId: '1091',
      companyDate: `1#2019-01-24#${shardOf('1091', DEFAULT_INDEX_SHARDS)}`,
      intent: { level: 'B', source: 'ai' },
    });
    expect((inbound?.record as { transcript: unknown[] } | undefined)?.transcript).toHaveLength(2);

    const job = await getJob(env, '535');
    expect(job).toMatchObject({
      callJobId: '535',
      companyId: '243',
      status: { code: 2, name: 'COMPLETED' },
      history: { '2': { code: 2, name: 'COMPLETED' } },
    });
  });
});

describe('idempotency and order', () => {
  test('27 deliveries of the same callback → one item, deliveries = 27, data unchanged', async () => {
    const body = variantOf('outbound', (inner) => {
      (inner.sceneInstance as Record<string, unknown>).callInstanceId = 27027;
    });
    const first = await deliver([{ body }]);
    expect(first.replies[0]?.body).toBe('success');
    const afterOne = await getCall(env, 'out#27027');
    const { replies } = await deliver(Array.from({ length: 26 }, () => ({ body })));
    expect(replies.every((reply) => reply.body === 'success')).toBe(true);
    const afterAll = await getCall(env, 'out#27027');
    expect(afterAll?.deliveries).toBe(27);
    expect((afterAll?.deliveryIds as Set<string> | undefined)?.size).toBe(27);
    expect(afterAll?.record).toEqual(afterOne?.record);
    expect(afterAll?.intent).toEqual(afterOne?.intent);
    expect(afterAll?.firstReceivedAt).toBe(afterOne?.firstReceivedAt);
    expect((afterAll?.lastReceivedAt as string) >= (afterOne?.lastReceivedAt as string)).toBe(true);
  });

  test('the same SQS message consumed twice counts once', async () => {
    const body = variantOf('outbound', (inner) => {
      (inner.sceneInstance as Record<string, unknown>).callInstanceId = 31;
    });
    const ingest = wireIngest(env);
    const consume = wireConsume(env);
    await ingest.handler(apiEvent(body));
    const [event] = await drainQueue(env);
    await consume.handler(event as SQSEvent);
    await consume.handler(event as SQSEvent);
    expect((await getCall(env, 'out#31'))?.deliveries).toBe(1);
  });
});

describe('failures', () => {
  test('DynamoDB failing for one record of a batch → only that message is reported failed', async () => {
    const ingest = wireIngest(env);
    for (const id of [41, 42, 43]) {
      await ingest.handler(
        apiEvent(
          variantOf('outbound', (inner) => {
            (inner.sceneInstance as Record<string, unknown>).callInstanceId = id;
          }),
        ),
      );
    }
    const [event] = await drainQueue(env);
    expect(event?.Records).toHaveLength(3);
    // A document client that refuses writes to call 42 only.
    const failing = Object.create(env.doc) as typeof env.doc;
    failing.send = ((command: { input?: { Key?: { pk?: string } } }) => {
      if (command.input?.Key?.pk === 'out#42')
        return Promise.reject(new Error('ProvisionedThroughputExceededException'));
      return env.doc.send(command as never);
    }) as typeof env.doc.send;
    const consume = wireConsume(env, { doc: failing });
    const response = await consume.handler(event as SQSEvent);
    const failedMessage = (event as SQSEvent).Records.find((record) =>
      decodeQueueMessage(record.body)?.body?.includes('"callInstanceId":42'),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failedMessage?.messageId }]);
    expect(await getCall(env, 'out#41')).toBeDefined();
    expect(await getCall(env, 'out#43')).toBeDefined();
    expect(await getCall(env, 'out#42')).toBeUndefined();
  });

  test('SQS unavailable → ingest replies 503, never success', async () => {
    const deadSqs = new SQSClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const ingest = wireIngest(env, { sqs: deadSqs });
    const reply = await ingest.handler(apiEvent(vendorBody('outbound')));
    expect(reply.statusCode).toBe(503);
    expect(reply.body).not.toContain('success');
    expect(JSON.parse(reply.body)).toEqual({
      error: 'ENQUEUE_FAILED',
      message: 'the callback could not be stored; please retry',
    });
    expect(ingest.counter.total('EnqueueFailures')).toBe(1);
    deadSqs.destroy();
  });

  test('a malformed body → 400 with a clear message, and the body is quarantined whole', async () => {
    const { replies, consume } = await deliver([{ body: '{"code":200,"data":{"data":{}}}' }]);
    expect(replies[0]?.statusCode).toBe(400);
    expect(JSON.parse(replies[0]?.body as string)).toEqual({
      error: 'NOT_ENVELOPE',
      message: 'data.dataType: expected a non-empty dataType (or callbackType) string, got nothing',
    });
    expect(consume.counter.total('CallbacksQuarantined', { Reason: 'REJECTED_BY_INGEST' })).toBe(1);
    const { ListObjectsV2Command, GetObjectCommand } = await import('@aws-sdk/client-s3');
    const listed = await env.clients.s3.send(
      new ListObjectsV2Command({ Bucket: env.resources.bucket, Prefix: 'quarantine/' }),
    );
    const keys = (listed.Contents ?? []).map((object) => object.Key as string);
    const bodies = await Promise.all(
      keys.map(async (Key) =>
        JSON.parse(
          await ((
            await env.clients.s3.send(new GetObjectCommand({ Bucket: env.resources.bucket, Key }))
          ).Body?.transformToString() ?? ''),
        ),
      ),
    );
    expect(bodies).toContainEqual(
      expect.objectContaining({
        body: '{"code":200,"data":{"data":{}}}',
        reason: expect.objectContaining({ code: 'REJECTED_BY_INGEST' }),
      }),
    );
  });

  test('a body the contract cannot read (no call id) is quarantined, not dropped, and not retried', async () => {
    const body = variantOf('outbound', (inner) => {
      delete (inner.sceneInstance as Record<string, unknown>).callInstanceId;
    });
    const { replies, responses, consume } = await deliver([{ body }]);
    expect(replies[0]?.body).toBe('success');
    expect(responses[0]?.batchItemFailures).toEqual([]);
    expect(consume.counter.total('CallbacksQuarantined', { Reason: 'INVALID_RECORD' })).toBe(1);
  });

  test('a message that is not ours on the queue is quarantined', async () => {
    await env.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: env.resources.queueUrl, MessageBody: 'hello' }),
    );
    const consume = wireConsume(env);
    const [event] = await drainQueue(env);
    const response = await consume.handler(event as SQSEvent);
    expect(response.batchItemFailures).toEqual([]);
    expect(consume.counter.total('CallbacksQuarantined', { Reason: 'NOT_A_QUEUE_MESSAGE' })).toBe(1);
  });
});

describe('large bodies and logs', () => {
  test('a body over the SQS size limit goes through the claim check and is stored completely', async () => {
    const longTurn = (i: number) => ({
      sceneInstanceLogId: 5_000_000 + i,
      speaker: i % 2 === 0 ? 'AI' : 'ME',
      content: `第${i}句 ${'话'.repeat(400)}`,
      startTime: i * 1000,
      endTime: i * 1000 + 900,
    });
    const body = variantOf('outbound', (inner) => {
      (inner.sceneInstance as Record<string, unknown>).callInstanceId = 777;
      (inner.phoneLog as Record<string, unknown>).phoneLogs = Array.from({ length: 150 }, (_, i) =>
        longTurn(i),
      );
    });
    expect(Buffer.byteLength(body)).toBeGreaterThan(180_000);
    const ingest = wireIngest(env, { maxMessageBytes: 64 * 1024 });
    const reply = await ingest.handler(apiEvent(body));
    expect(reply.body).toBe('success');
    expect(ingest.logger.lines[0]?.extra).toMatchObject({ claimed: true });
    const consume = wireConsume(env);
    const [event] = await drainQueue(env);
    expect(Buffer.byteLength(event?.Records[0]?.body ?? '')).toBeLessThan(2048);
    expect((await consume.handler(event as SQSEvent)).batchItemFailures).toEqual([]);
    const item = await getCall(env, 'out#777');
    const transcript =
      (item?.record as { transcript: { content: string; logId: string }[] } | undefined)?.transcript ?? [];
    expect(transcript).toHaveLength(150);
    expect(transcript[149]?.content).toBe(`第149句 ${'话'.repeat(400)}`);
    expect(transcript[149]?.logId).toBe('5000149');
    // Stored, so its claim is released: claims live exactly as long as their message.
    const claim =
      (JSON.parse(event?.Records[0]?.body ?? '{}') as { claim?: { key: string } }).claim?.key ?? '';
    expect(claim.startsWith('claims/')).toBe(true);
    await expect(s3ObjectStore(env.clients.s3, env.resources.bucket).get(claim)).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    // A late redrive of that message (its claim gone) is quarantined with the reason, not cycled.
    const again = wireConsume(env);
    expect((await again.handler(event as SQSEvent)).batchItemFailures).toEqual([]);
    expect(again.counter.total('CallbacksQuarantined', { Reason: 'CLAIM_MISSING' })).toBe(1);
  });

  test('log lines of a processed callback contain no full phone number', async () => {
    const phone = '13733105333';
    const body = variantOf('outbound', (inner) => {
      (inner.sceneInstance as Record<string, unknown>).callInstanceId = 88;
      (inner.sceneInstance as Record<string, unknown>).customerTelephone = phone;
    });
    const { ingest, consume } = await deliver([{ body }]);
    const logs = `${ingest.logger.text()}\n${consume.logger.text()}`;
    const batch = consume.logger.lines.find((line) => line.message === 'batch stored');
    expect(batch?.extra).toMatchObject({ messages: 1, stored: 1, items: ['out#88'] });
    expect(logs).not.toContain(phone);
    expect(logs).not.toContain('3105333');
    expect(logs).not.toContain('喂，您好');
  });
});
