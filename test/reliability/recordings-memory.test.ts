/**
 * Large recordings through one worker invocation: the worker streams (a part or two in memory per
 * copy, two copies at a time), so what it holds stays flat however much passes through.
 *
 * Measured: what the process holds that the worker could be holding — V8's heap plus the
 * array buffers outside it (where file bytes live) — right after a forced collection, sampled
 * during the run. Process RSS is not used: it also counts memory the allocator has not returned
 * yet, which moves by more than the margin that matters here. The bound comes from the design
 * (parts in flight × copies at once), and the same measurement of a worker that reads each file
 * whole before uploading it must break that bound.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../../functions/commons/consume/map-limit.js';
import { RECORDINGS } from '../../functions/commons/definitions.js';
import {
  UPLOAD_PART_BYTES,
  UPLOAD_PARTS_IN_FLIGHT,
} from '../../functions/commons/recordings/copy-recording.js';
import { createRecordingsHandler } from '../../functions/commons/recordings/recordings-handler.js';
import { toSqsRecord } from '../../local/sqs-driver.js';
import { RecordingCounter, RecordingLogger } from '../support/recorders.js';
import { useRecordingRig } from '../support/s3-sink.js';

const FILES = process.env.RELIABILITY === 'full' ? 50 : 12;
const BYTES = Number(process.env.RECORDING_TEST_BYTES ?? 20 * 1024 * 1024);
const MB = 1024 * 1024;

/**
 * What the design lets the worker hold: each copy at once keeps its parts in flight, the chunks
 * of the next part as they arrive, those chunks joined into one buffer (the SDK's multipart
 * upload joins a part before sending it, and the remainder it slices off keeps the joined buffer
 * alive), and the request's own copy on its way out. One copy at a time measured about four
 * parts (19.7 MB of 5 MB parts), two at a time twice that.
 */
const COPIES_AT_ONCE = RECORDINGS.concurrency;
const PARTS_PER_COPY = UPLOAD_PARTS_IN_FLIGHT + 3;
const DESIGN_BYTES = COPIES_AT_ONCE * PARTS_PER_COPY * UPLOAD_PART_BYTES;
/**
 * Room for what else lives in this process while the worker runs: the test's recording host and
 * S3 endpoint, sockets' buffers, and parts caught between two samples. Two copies at a time
 * measured +39 to +51 MB over 12 to 50 files; a worker that held the files would add them whole.
 */
const SLACK_BYTES = 20 * MB;
const BOUND_BYTES = DESIGN_BYTES + SLACK_BYTES;

// A collection on demand, without asking jest to start Node with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const held = (): number => {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};

/**
 * The most `run` makes the process hold above what it held before, sampled after a collection
 * every 50 ms — or, when a collection takes long (a large heap, a busy machine, coverage), after
 * twice its duration, so the sampling never takes more than a third of the time the copy has.
 */
const peakHeldDuring = async <T>(run: () => Promise<T>): Promise<{ result: T; peakBytes: number }> => {
  const before = held();
  let peak = before;
  let timer: NodeJS.Timeout | undefined;
  let running = true;
  const sample = () => {
    const started = performance.now();
    peak = Math.max(peak, held());
    const took = performance.now() - started;
    if (running) timer = setTimeout(sample, Math.max(50, 2 * took));
  };
  timer = setTimeout(sample, 50);
  try {
    const result = await run();
    return { result, peakBytes: Math.max(peak, held()) - before };
  } finally {
    running = false;
    clearTimeout(timer);
  }
};

const rig = useRecordingRig();
const { host, sink } = rig;

test(`${FILES} recordings of ${BYTES / MB} MB each: all copied, the worker holds no more than its parts in flight`, async () => {
  // The call items: every task finds its call, with no recording yet; writes succeed.
  const doc = {
    send: async (command: { constructor: { name: string } }) =>
      command.constructor.name === 'GetCommand' ? { Item: { pk: 'x', recordings: {} } } : {},
  } as unknown as DynamoDBDocumentClient;
  const counter = new RecordingCounter();
  const handler = createRecordingsHandler({
    doc,
    callsTable: 'calls',
    s3: rig.s3,
    bucket: 'sink',
    policy: { hosts: ['*.aliyuncs.com'], exemptHosts: ['127.0.0.1'] },
    limits: { maxBytes: 200 * MB, timeoutMs: 120_000 },
    retryAfter: async () => undefined,
    logger: new RecordingLogger(),
    counter,
    concurrency: COPIES_AT_ONCE,
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

  const started = Date.now();
  const { result, peakBytes } = await peakHeldDuring(() => handler({ Records: records }));
  const seconds = (Date.now() - started) / 1000;

  expect(result.batchItemFailures).toEqual([]);
  expect(counter.total('RecordingsArchived')).toBe(FILES);
  expect(sink.completed.size).toBe(FILES);
  for (const bytes of sink.received.values()) expect(bytes).toBe(BYTES);
  console.log(
    `recordings memory: ${FILES} × ${(BYTES / MB).toFixed(0)} MB in ${seconds.toFixed(1)} s; ` +
      `held at most +${(peakBytes / MB).toFixed(1)} MB (bound ${(BOUND_BYTES / MB).toFixed(0)} MB: ` +
      `${COPIES_AT_ONCE} copies × ${PARTS_PER_COPY} parts × ${UPLOAD_PART_BYTES / MB} MB + ${SLACK_BYTES / MB} MB)`,
  );
  expect(peakBytes).toBeLessThan(BOUND_BYTES);
});

test('the same measurement catches a worker that reads each file whole before uploading it', async () => {
  // Two files at a time, as the worker copies them, each held whole: twice the file size.
  const bytes = Math.max(BYTES, BOUND_BYTES);
  const buffering = () =>
    mapLimit([0, 1], COPIES_AT_ONCE, async (index) => {
      const response = await fetch(host.url(`/9900${index}-full.wav`, bytes));
      const body = Buffer.from(await response.arrayBuffer());
      await rig.s3.send(new PutObjectCommand({ Bucket: 'sink', Key: `buffered/${index}.wav`, Body: body }));
      return body.length;
    });
  const { result, peakBytes } = await peakHeldDuring(buffering);
  expect(result).toEqual([bytes, bytes]);
  console.log(
    `buffering worker: held at most +${(peakBytes / MB).toFixed(1)} MB for 2 × ${(bytes / MB).toFixed(0)} MB`,
  );
  expect(peakBytes).toBeGreaterThan(BOUND_BYTES);
});
