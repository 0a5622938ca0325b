/**
 * 50 large recordings through one worker invocation: the worker streams (a part or two in
 * memory per copy, two copies at a time), so its memory stays flat however much passes through.
 * Measured: the process's peak RSS above its level before the run, sampled every 20 ms.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RECORDINGS } from '../../functions/commons/definitions.js';
import { createRecordingsHandler } from '../../functions/commons/recordings/recordings-handler.js';
import { toSqsRecord } from '../../local/sqs-driver.js';
import { RecordingCounter, RecordingLogger } from '../support/recorders.js';
import { RecordingHost } from '../support/recording-host.js';
import { S3Sink } from '../support/s3-sink.js';

const FILES = 50;
const BYTES = Number(process.env.RECORDING_TEST_BYTES ?? 20 * 1024 * 1024);

const host = new RecordingHost();
const sink = new S3Sink();
beforeAll(async () => {
  await host.start();
  await sink.start();
});
afterAll(async () => {
  await host.stop();
  await sink.stop();
});

test(`${FILES} recordings of ${BYTES / 1024 / 1024} MB each: all copied, worker memory bounded`, async () => {
  // The call items: every task finds its call, with no recording yet; writes succeed.
  const writes: unknown[] = [];
  const doc = {
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      if (command.constructor.name === 'GetCommand') return { Item: { pk: 'x', recordings: {} } };
      writes.push(command.input);
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  const s3 = new S3Client({
    endpoint: sink.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const counter = new RecordingCounter();
  const handler = createRecordingsHandler({
    doc,
    callsTable: 'calls',
    s3,
    bucket: 'sink',
    policy: { hosts: ['*.aliyuncs.com'], exemptHosts: ['127.0.0.1'] },
    limits: { maxBytes: 200 * 1024 * 1024, timeoutMs: 120_000 },
    retryAfter: async () => undefined,
    logger: new RecordingLogger(),
    counter,
  });
  const records = Array.from({ length: FILES }, (_, index) =>
    toSqsRecord(
      {
        MessageId: `m${index}`,
        ReceiptHandle: `r${index}`,
        Body: JSON.stringify({
          v: 1,
          callId: String(9000 + index),
          direction: 'outbound',
          companyId: '1',
          kind: 'call',
          url: host.url(`/${9000 + index}-full.wav`, BYTES),
        }),
        Attributes: { ApproximateReceiveCount: '1' },
      },
      'arn:aws:sqs:us-east-1:000000000000:recordings',
    ),
  );

  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = Date.now();
  const result = await handler({ Records: records });
  clearInterval(sampler);
  const seconds = (Date.now() - started) / 1000;
  s3.destroy();

  expect(result.batchItemFailures).toEqual([]);
  expect(counter.total('RecordingsArchived')).toBe(FILES);
  expect(sink.completed.size).toBe(FILES);
  for (const bytes of sink.received.values()) expect(bytes).toBe(BYTES);
  const grewMb = (peak - before) / 1024 / 1024;
  const totalMb = (FILES * BYTES) / 1024 / 1024;
  console.log(
    `recordings memory: ${FILES} × ${(BYTES / 1024 / 1024).toFixed(0)} MB (${totalMb.toFixed(0)} MB) in ${seconds.toFixed(1)} s; ` +
      `peak RSS +${grewMb.toFixed(0)} MB over ${(before / 1024 / 1024).toFixed(0)} MB`,
  );
  // Streaming keeps a few parts in flight; holding the files would take the total (1 GB). Measured
  // here: about +110 MB for 290 MB through, +150 MB for 1.1 GB — flat, well under the function's memory.
  expect(grewMb).toBeLessThan(RECORDINGS.memorySize * 0.4);
  expect(grewMb).toBeLessThan(totalMb / 4);
});
