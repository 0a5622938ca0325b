/**
 * The recordings worker against DynamoDB Local, the S3 emulator and a recording host on
 * 127.0.0.1: calls stored by consume put tasks on the recordings queue; the worker copies each
 * file, and the call item says what happened — archived with the served file's sha256, expired
 * after three 403/404s, retried with backoff, given up after a day, refused by the SSRF rules.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSRecord } from 'aws-lambda';
import { RECORDINGS } from '../../functions/commons/definitions.js';
import type { HostPolicy } from '../../functions/commons/recordings/host-policy.js';
import { createRecordingsHandler } from '../../functions/commons/recordings/recordings-handler.js';
import type { RecordingTask } from '../../functions/commons/recordings/task.js';
import { recordingSha256 } from '../../local/fake-recordings.js';
import { toSqsRecord } from '../../local/sqs-driver.js';
import { deliverThrough, drainQueue, getCall, localTaskSender, useLocalEnv } from '../support/local-env.js';
import { RecordingCounter, RecordingLogger } from '../support/recorders.js';
import { RecordingHost } from '../support/recording-host.js';
import { variantOf } from '../support/vendor.js';

const env = useLocalEnv({ prefix: 'recordings' });
const host = new RecordingHost();
beforeAll(() => host.start());
afterAll(() => host.stop());

const LOCAL_POLICY: HostPolicy = { hosts: [...RECORDINGS.defaultHosts], exemptHosts: ['127.0.0.1'] };

const worker = (options: { policy?: HostPolicy; maxBytes?: number; now?: () => Date } = {}) => {
  const logger = new RecordingLogger();
  const counter = new RecordingCounter();
  const retries: { receiptHandle: string; seconds: number }[] = [];
  const handler = createRecordingsHandler({
    doc: env.doc,
    callsTable: env.resources.callsTable,
    s3: env.clients.s3,
    bucket: env.resources.bucket,
    policy: options.policy ?? LOCAL_POLICY,
    limits: { maxBytes: options.maxBytes ?? 50 * 1024 * 1024, timeoutMs: 10_000 },
    retryAfter: async (receiptHandle, seconds) => void retries.push({ receiptHandle, seconds }),
    logger,
    counter,
    ...(options.now ? { now: options.now } : {}),
  });
  return { handler, logger, counter, retries };
};

/** Stores an outbound call whose recording links are `urls`; returns the tasks consume queued. */
const storeCall = async (id: number, urls: { call?: string; customer?: string }) => {
  const body = variantOf('outbound', (inner) => {
    const scene = inner.sceneInstance as Record<string, unknown>;
    scene.callInstanceId = id;
    scene.luyinOssUrl = urls.call ?? null;
    scene.userLuyinOssUrl = urls.customer ?? null;
    (inner.phoneLog as Record<string, unknown>).luyinOssUrl = urls.call ?? null;
  });
  const delivered = await deliverThrough(env, [{ body }], { recordings: localTaskSender(env) });
  expect(delivered.failures).toEqual([]);
  const events = await drainQueue(env, env.resources.recordingsQueueUrl);
  return { delivered, events, records: events.flatMap((event) => event.Records) };
};

/** An SQS record of `task` as Lambda hands it over on receive number `attempt`. */
const taskRecord = (task: RecordingTask, attempt: number, firstReceivedAt = Date.now()): SQSRecord =>
  toSqsRecord(
    {
      MessageId: `m-${task.callId}-${task.kind}-${attempt}`,
      ReceiptHandle: `r-${attempt}`,
      Body: JSON.stringify(task),
      Attributes: {
        ApproximateReceiveCount: String(attempt),
        ApproximateFirstReceiveTimestamp: String(firstReceivedAt),
      },
    },
    'arn:aws:sqs:us-east-1:000000000000:recordings',
  );

const task = (callId: string, url: string, kind: RecordingTask['kind'] = 'call'): RecordingTask => ({
  v: 1,
  callId,
  direction: 'outbound',
  companyId: '1',
  startTime: '2019-01-12T16:10:11+08:00',
  kind,
  url,
});

const objectSha = async (key: string): Promise<string> => {
  const { Body } = await env.clients.s3.send(
    new GetObjectCommand({ Bucket: env.resources.bucket, Key: key }),
  );
  return createHash('sha256')
    .update(Buffer.from((await Body?.transformToByteArray()) ?? []))
    .digest('hex');
};

const recordingsOf = async (callId: number | string) =>
  ((await getCall(env, `out#${callId}`))?.recordings ?? {}) as Record<string, Record<string, unknown>>;

/** Every archived copy the entry names, current and previous, is an object whose bytes match its sha256. */
const expectEveryCopyIntact = async (callId: number, kind: 'call' | 'customer' = 'call') => {
  const entry = (await recordingsOf(callId))[kind] as {
    status: string;
    s3Key?: string;
    sha256?: string;
    previous?: { s3Key: string; sha256: string }[];
  };
  const copies = [...(entry.status === 'ARCHIVED' ? [entry] : []), ...(entry.previous ?? [])];
  expect(copies.length).toBeGreaterThan(0);
  for (const copy of copies)
    expect([copy.s3Key, await objectSha(copy.s3Key as string)]).toEqual([copy.s3Key, copy.sha256]);
  expect(new Set(copies.map((copy) => copy.s3Key)).size).toBe(copies.length);
  return entry;
};

/** The context Lambda hands the worker, with `ms` of the invocation left. */
const withTimeLeft = (ms: number) => ({ getRemainingTimeInMillis: () => ms }) as unknown as Context;

const objectsUnder = async (prefix: string): Promise<string[]> =>
  (
    await env.clients.s3.send(new ListObjectsV2Command({ Bucket: env.resources.bucket, Prefix: prefix }))
  ).Contents?.map((object) => object.Key as string) ?? [];

test('both recordings of a stored call are archived with the served files’ sha256, and never fetched again', async () => {
  const call = host.url('/7001-full.wav');
  const customer = host.url('/7001-user.wav', 20_000);
  const { records, delivered } = await storeCall(7001, { call, customer });
  expect(records.map((record) => JSON.parse(record.body).kind).sort()).toEqual(['call', 'customer']);

  const { handler, counter } = worker();
  expect(await handler({ Records: records })).toEqual({ batchItemFailures: [] });
  const recordings = await recordingsOf(7001);
  expect(recordings.call).toMatchObject({
    status: 'ARCHIVED',
    url: call,
    s3Key: expect.stringMatching(/^recordings\/1\/2019\/01\/12\/out-7001-call-[0-9a-f]{16}\.wav$/),
    bytes: 48_044,
    sha256: recordingSha256('7001-full.wav'),
    contentType: 'audio/wav',
    fetchedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  });
  expect(recordings.customer).toMatchObject({
    status: 'ARCHIVED',
    bytes: 20_000,
    sha256: recordingSha256('7001-user.wav', 20_000),
  });
  expect(await objectSha(recordings.call?.s3Key as string)).toBe(recordingSha256('7001-full.wav'));
  const head = await env.clients.s3.send(
    new HeadObjectCommand({ Bucket: env.resources.bucket, Key: recordings.call?.s3Key as string }),
  );
  expect(head.ContentType).toBe('audio/wav');
  expect(counter.total('RecordingsArchived')).toBe(2);

  // A redelivery of the call queues its tasks again (a retried message must not lose them);
  // the worker then downloads nothing.
  await delivered.consumeAgain();
  const again = (await drainQueue(env, env.resources.recordingsQueueUrl)).flatMap((event) => event.Records);
  expect(again).toHaveLength(2);
  const hits = host.hits.get('/7001-full.wav');
  const replay = worker();
  expect(await replay.handler({ Records: [...again, ...records] })).toEqual({ batchItemFailures: [] });
  expect(host.hits.get('/7001-full.wav')).toBe(hits);
  expect(replay.counter.total('RecordingsArchived')).toBe(0);
  expect((await recordingsOf(7001)).call?.fetchedAt).toBe(recordings.call?.fetchedAt);
});

test('a redelivered call puts its tasks on the queue again; the worker skips what is archived', async () => {
  const url = host.url('/7002-full.wav');
  await storeCall(7002, { call: url });
  const first = worker();
  await first.handler({ Records: [taskRecord(task('7002', url), 1)] });
  const second = await storeCall(7002, { call: url }); // a new delivery of the same call
  expect(second.records).toHaveLength(1);
  const hits = host.hits.get('/7002-full.wav');
  const replay = worker();
  expect(await replay.handler({ Records: second.records })).toEqual({ batchItemFailures: [] });
  expect(host.hits.get('/7002-full.wav')).toBe(hits);
});

test('a link answering 404 is retried about 45 s apart, then EXPIRED on the third attempt', async () => {
  const url = host.url('/7003-full.wav');
  host.on('/7003-full.wav', { status: 404 });
  await storeCall(7003, { call: url });
  const { handler, counter, retries } = worker();
  for (const attempt of [1, 2]) {
    const record = taskRecord(task('7003', url), attempt);
    expect(await handler({ Records: [record] })).toEqual({
      batchItemFailures: [{ itemIdentifier: record.messageId }],
    });
    expect((await recordingsOf(7003)).call).toMatchObject({
      status: 'PENDING',
      attempts: attempt,
      reason: expect.stringContaining('404'),
    });
  }
  expect(retries.map((retry) => retry.seconds)).toEqual([45, 45]);
  expect(await handler({ Records: [taskRecord(task('7003', url), 3)] })).toEqual({ batchItemFailures: [] });
  expect((await recordingsOf(7003)).call).toMatchObject({ status: 'EXPIRED', attempts: 3 });
  expect(counter.total('RecordingsExpired')).toBe(1);
  expect(await objectsUnder('recordings/1/2019/01/12/out-7003-')).toEqual([]);
});

test('a host that fails is retried with doubling backoff, then FAILED (alarmed) after a day', async () => {
  const url = host.url('/7004-full.wav');
  host.on('/7004-full.wav', { status: 503 });
  await storeCall(7004, { call: url });
  const { handler, retries } = worker();
  await handler({ Records: [taskRecord(task('7004', url), 1)] });
  await handler({ Records: [taskRecord(task('7004', url), 2)] });
  expect(retries.map((retry) => retry.seconds)).toEqual([60, 120]);
  expect((await recordingsOf(7004)).call).toMatchObject({ status: 'PENDING', attempts: 2 });

  const dayLater = worker({ now: () => new Date(Date.now() + 25 * 3600_000) });
  expect(await dayLater.handler({ Records: [taskRecord(task('7004', url), 15)] })).toEqual({
    batchItemFailures: [],
  });
  expect((await recordingsOf(7004)).call).toMatchObject({
    status: 'FAILED',
    reason: expect.stringContaining('503'),
  });
  expect(dayLater.counter.total('RecordingsFailed')).toBe(1);
});

test('a connection dropped halfway leaves no object and is retried; the retry archives the whole file', async () => {
  const url = host.url('/7005-full.wav', 3_000_000);
  host.on('/7005-full.wav', { dropHalfway: true }, 1);
  await storeCall(7005, { call: url });
  const { handler } = worker();
  const record = taskRecord(task('7005', url), 1);
  expect(await handler({ Records: [record] })).toEqual({
    batchItemFailures: [{ itemIdentifier: record.messageId }],
  });
  expect(await objectsUnder('recordings/1/2019/01/12/out-7005-')).toEqual([]);
  await handler({ Records: [taskRecord(task('7005', url), 2)] });
  expect((await recordingsOf(7005)).call).toMatchObject({
    status: 'ARCHIVED',
    bytes: 3_000_000,
    sha256: recordingSha256('7005-full.wav', 3_000_000),
  });
});

test('over the size cap, declared or streamed, is REFUSED and nothing is kept', async () => {
  const declared = host.url('/7006-full.wav', 2_000_000);
  const chunked = host.url('/7006-user.wav', 2_000_000);
  host.on('/7006-user.wav', { chunked: true });
  await storeCall(7006, { call: declared, customer: chunked });
  const { handler, counter } = worker({ maxBytes: 1_000_000 });
  await handler({
    Records: [taskRecord(task('7006', declared), 1), taskRecord(task('7006', chunked, 'customer'), 1)],
  });
  const recordings = await recordingsOf(7006);
  expect(recordings.call).toMatchObject({
    status: 'REFUSED',
    reason: expect.stringContaining('over the cap'),
  });
  expect(recordings.customer).toMatchObject({
    status: 'REFUSED',
    reason: expect.stringContaining('over the cap'),
  });
  expect(counter.total('RecordingsRefused')).toBe(2);
  expect(await objectsUnder('recordings/1/2019/01/12/out-7006-')).toEqual([]);
});

test('SSRF: a disallowed host, a metadata address, a name resolving to loopback, a redirect out — all REFUSED, none fetched', async () => {
  const cases = {
    a: 'https://example.com/a.wav',
    b: 'https://169.254.169.254/latest/meta-data/iam',
    c: 'https://localhost/7007-c.wav',
    d: host.url('/7007-d.wav'),
  };
  host.on('/7007-d.wav', { redirect: 'https://evil.example.net/x.wav' });
  await storeCall(7007, {});
  const policy: HostPolicy = { ...LOCAL_POLICY, hosts: [...LOCAL_POLICY.hosts, 'localhost'] };
  // (A link naming another port is refused before any lookup: see the unit tests.)
  const { handler } = worker({ policy });
  const reasons: string[] = [];
  for (const url of Object.values(cases)) {
    await handler({ Records: [taskRecord(task('7007', url), 1)] });
    const entry = (await recordingsOf(7007)).call;
    expect([url, entry?.status]).toEqual([url, 'REFUSED']);
    reasons.push(String(entry?.reason));
  }
  expect(reasons[0]).toContain('not on the recording host allowlist');
  expect(reasons[1]).toContain('not on the recording host allowlist');
  expect(reasons[2]).toMatch(/loopback/);
  expect(reasons[3]).toContain('evil.example.net is not on the recording host allowlist');
  expect(host.hits.get('/7007-c.wav')).toBeUndefined();
});

test('a redirect to an allowed host is followed; the item says where the bytes came from', async () => {
  const target = host.url('/7008-moved.wav');
  const url = host.url('/7008-full.wav');
  host.on('/7008-full.wav', { redirect: target });
  await storeCall(7008, { call: url });
  await worker().handler({ Records: [taskRecord(task('7008', url), 1)] });
  expect((await recordingsOf(7008)).call).toMatchObject({
    status: 'ARCHIVED',
    url,
    fetchedFrom: target,
    sha256: recordingSha256('7008-moved.wav'),
  });
});

test('a redial’s new link is archived too; the first copy stays, listed under previous', async () => {
  const first = host.url('/7009-full.wav');
  const second = host.url('/7009-redial.wav');
  await storeCall(7009, { call: first });
  await worker().handler({ Records: [taskRecord(task('7009', first), 1)] });
  await worker().handler({ Records: [taskRecord(task('7009', second), 1)] });
  const entry = (await recordingsOf(7009)).call as Record<string, unknown>;
  expect(entry).toMatchObject({
    status: 'ARCHIVED',
    url: second,
    sha256: recordingSha256('7009-redial.wav'),
  });
  expect(entry.s3Key).toMatch(/^recordings\/1\/2019\/01\/12\/out-7009-call-[0-9a-f]{16}\.wav$/);
  expect(entry.previous).toEqual([
    expect.objectContaining({ url: first, sha256: recordingSha256('7009-full.wav') }),
  ]);
  await expectEveryCopyIntact(7009);
  // A late task for the first link changes nothing.
  const hits = host.hits.get('/7009-full.wav');
  await worker().handler({ Records: [taskRecord(task('7009', first), 1)] });
  expect(host.hits.get('/7009-full.wav')).toBe(hits);
  expect(await objectsUnder('recordings/1/2019/01/12/out-7009-')).toHaveLength(2);
});

test('a task for a call that is not stored fails (retried), and writes no item', async () => {
  const record = taskRecord(task('7999', host.url('/7999-full.wav')), 1);
  const { handler, counter } = worker();
  expect(await handler({ Records: [record] })).toEqual({
    batchItemFailures: [{ itemIdentifier: record.messageId }],
  });
  expect(counter.total('RecordingErrors')).toBe(1);
  expect(await getCall(env, 'out#7999')).toBeUndefined();
});

test('a second link whose first attempt failed never overwrites the archived copy: both objects stay intact', async () => {
  const first = host.url('/7010-full.wav');
  const second = host.url('/7010-resent.wav', 30_000);
  host.on('/7010-resent.wav', { status: 503 }, 1);
  await storeCall(7010, { call: first });
  await worker().handler({ Records: [taskRecord(task('7010', first), 1)] });
  const archived = (await recordingsOf(7010)).call as Record<string, unknown>;

  // 百应 re-sends the call with a new link; its first attempt fails, the second succeeds.
  const failing = worker();
  await failing.handler({ Records: [taskRecord(task('7010', second), 1)] });
  expect((await recordingsOf(7010)).call).toMatchObject({
    status: 'PENDING',
    url: second,
    previous: [expect.objectContaining({ url: first, s3Key: archived.s3Key, sha256: archived.sha256 })],
  });
  await worker().handler({ Records: [taskRecord(task('7010', second), 2)] });
  const entry = await expectEveryCopyIntact(7010);
  expect(entry).toMatchObject({
    status: 'ARCHIVED',
    url: second,
    sha256: recordingSha256('7010-resent.wav', 30_000),
  });
  expect(entry.previous).toHaveLength(1);
  expect(await objectSha(archived.s3Key as string)).toBe(recordingSha256('7010-full.wav'));
});

test('two links of one call copied at once: both archived, each under its own key, one current and one previous', async () => {
  const a = host.url('/7011-a.wav');
  const b = host.url('/7011-b.wav', 20_000);
  host.on('/7011-a.wav', { delayMs: 200 }, 1);
  await storeCall(7011, {});
  const { handler, counter } = worker();
  expect(
    await handler({ Records: [taskRecord(task('7011', a), 1), taskRecord(task('7011', b), 1)] }),
  ).toEqual({ batchItemFailures: [] });
  const entry = await expectEveryCopyIntact(7011);
  expect([entry.status, entry.previous?.length]).toEqual(['ARCHIVED', 1]);
  expect(counter.total('RecordingsArchived')).toBe(2);
});

test('a late task that fails after another copied the same link leaves it ARCHIVED, with one archived write', async () => {
  const url = host.url('/7012-full.wav');
  await storeCall(7012, { call: url });
  // The slow task asks first and is answered 503 late; the fast one copies the file meanwhile.
  host.on('/7012-full.wav', { status: 503, delayMs: 400 }, 1);
  const slow = worker();
  const fast = worker();
  const late = slow.handler({ Records: [taskRecord(task('7012', url), 1)] });
  await new Promise((resolve) => setTimeout(resolve, 100));
  await fast.handler({ Records: [taskRecord(task('7012', url), 1)] });
  const archived = (await recordingsOf(7012)).call;
  expect(archived).toMatchObject({ status: 'ARCHIVED' });
  expect(await late).toEqual({ batchItemFailures: [] });
  expect((await recordingsOf(7012)).call).toEqual(archived);
  expect(slow.retries).toEqual([]);
  expect(fast.counter.total('RecordingsArchived') + slow.counter.total('RecordingsArchived')).toBe(1);

  // A duplicate task whose link now answers 404 changes nothing either.
  host.on('/7012-full.wav', { status: 404 });
  await worker().handler({ Records: [taskRecord({ ...task('7012', url), retry: true }, 1)] });
  expect((await recordingsOf(7012)).call).toEqual(archived);
});

test('EXPIRED counts the link’s 404 answers, not how often the message was received', async () => {
  const url = host.url('/7013-full.wav');
  host.on('/7013-full.wav', { status: 503 }, 4);
  await storeCall(7013, { call: url });
  const { handler } = worker();
  for (const attempt of [1, 2, 3, 4]) await handler({ Records: [taskRecord(task('7013', url), attempt)] });
  host.on('/7013-full.wav', { status: 404 });
  await handler({ Records: [taskRecord(task('7013', url), 5)] });
  // Received five times, but the link answered 404 once: not EXPIRED yet.
  expect((await recordingsOf(7013)).call).toMatchObject({ status: 'PENDING', goneAnswers: 1, attempts: 5 });
  await handler({ Records: [taskRecord(task('7013', url), 6)] });
  await handler({ Records: [taskRecord(task('7013', url), 7)] });
  expect((await recordingsOf(7013)).call).toMatchObject({ status: 'EXPIRED', goneAnswers: 3 });
});

test('the download’s deadline comes from the invocation’s time left: an unfinished copy stays PENDING and is retried, FAILED on the last receive', async () => {
  const url = host.url('/7014-full.wav', 2_000_000);
  host.on('/7014-full.wav', { stall: true });
  await storeCall(7014, { call: url });
  const { handler, retries, counter } = worker();
  // 15.5 s left: 5.5 s for the download once the reserve for writing the outcome is kept.
  const started = Date.now();
  const record = taskRecord(task('7014', url), 1);
  expect(await handler({ Records: [record] }, withTimeLeft(15_500))).toEqual({
    batchItemFailures: [{ itemIdentifier: record.messageId }],
  });
  expect(Date.now() - started).toBeLessThan(9_000);
  expect((await recordingsOf(7014)).call).toMatchObject({ status: 'PENDING', attempts: 1 });
  expect(retries.map((retry) => retry.seconds)).toEqual([RECORDINGS.unfinishedRetrySeconds]);
  expect(await objectsUnder('recordings/1/2019/01/12/out-7014-')).toEqual([]);

  // Too little time to start at all: not even a request, PENDING again.
  const hits = host.hits.get('/7014-full.wav');
  await handler({ Records: [taskRecord(task('7014', url), 2)] }, withTimeLeft(12_000));
  expect(host.hits.get('/7014-full.wav')).toBe(hits);
  expect((await recordingsOf(7014)).call).toMatchObject({
    status: 'PENDING',
    attempts: 2,
    reason: expect.stringContaining('too little time'),
  });

  // The queue's last receive before the DLQ: FAILED (alarmed), not PENDING.
  const last = taskRecord(task('7014', url), RECORDINGS.maxReceiveCount);
  expect(await handler({ Records: [last] }, withTimeLeft(12_000))).toEqual({ batchItemFailures: [] });
  expect((await recordingsOf(7014)).call).toMatchObject({
    status: 'FAILED',
    attempts: RECORDINGS.maxReceiveCount,
  });
  expect(counter.total('RecordingsFailed')).toBe(1);
});

test('a final status is tried again only by a retry task; a wrong Content-Type from the host is not stored', async () => {
  const url = host.url('/7015-full.wav');
  host.on('/7015-full.wav', { status: 404 });
  await storeCall(7015, { call: url });
  const { handler } = worker();
  for (const attempt of [1, 2, 3]) await handler({ Records: [taskRecord(task('7015', url), attempt)] });
  expect((await recordingsOf(7015)).call).toMatchObject({ status: 'EXPIRED' });

  // 百应 restored the file, answering with a wrong Content-Type.
  host.on('/7015-full.wav', { contentType: 'text/html; charset=utf-8' });
  const hits = host.hits.get('/7015-full.wav');
  await handler({ Records: [taskRecord(task('7015', url), 1)] });
  expect(host.hits.get('/7015-full.wav')).toBe(hits);
  await handler({ Records: [taskRecord({ ...task('7015', url), retry: true }, 1)] });
  const entry = (await recordingsOf(7015)).call;
  expect(entry).toMatchObject({
    status: 'ARCHIVED',
    contentType: 'audio/wav',
    sha256: recordingSha256('7015-full.wav'),
  });
  const head = await env.clients.s3.send(
    new HeadObjectCommand({ Bucket: env.resources.bucket, Key: entry?.s3Key as string }),
  );
  expect(head.ContentType).toBe('audio/wav');
});

test('a file of several upload parts, sent without a length: its sha256 is of the whole file, as stored', async () => {
  const bytes = 12_345_678; // three parts of 5 MB and a short one
  const url = host.url('/7016-full.wav', bytes);
  host.on('/7016-full.wav', { chunked: true });
  await storeCall(7016, { call: url });
  expect(await worker().handler({ Records: [taskRecord(task('7016', url), 1)] })).toEqual({
    batchItemFailures: [],
  });
  const entry = (await recordingsOf(7016)).call;
  expect(entry).toMatchObject({ status: 'ARCHIVED', bytes, sha256: recordingSha256('7016-full.wav', bytes) });
  expect(await objectSha(entry?.s3Key as string)).toBe(entry?.sha256);
});

describe('an erased call', () => {
  const erase = (callId: number) =>
    env.doc.send(
      new UpdateCommand({
        TableName: env.resources.callsTable,
        Key: { pk: `out#${callId}` },
        UpdateExpression: 'SET erasedAt = :at REMOVE recordings',
        ExpressionAttributeValues: { ':at': new Date().toISOString() },
      }),
    );

  test('erased before its task runs: the link is never fetched, nothing is written', async () => {
    const url = host.url('/7601-full.wav');
    const { records } = await storeCall(7601, { call: url });
    await erase(7601);
    const { handler } = worker();
    expect(await handler({ Records: records })).toEqual({ batchItemFailures: [] });
    expect(host.hits.get('/7601-full.wav') ?? 0).toBe(0);
    expect(await recordingsOf(7601)).toEqual({});
    expect(await objectsUnder('recordings/1/2019/01/12/out-7601-')).toEqual([]);
  });

  test('erased while its recording is being copied: the copy is deleted and no entry is written', async () => {
    host.on('/7602-full.wav', { delayMs: 600 });
    const url = host.url('/7602-full.wav');
    const { records } = await storeCall(7602, { call: url });
    const { handler } = worker();
    const running = handler({ Records: records });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await erase(7602);
    expect(await running).toEqual({ batchItemFailures: [] });
    expect(host.hits.get('/7602-full.wav')).toBe(1);
    expect(await recordingsOf(7602)).toEqual({});
    expect(await objectsUnder('recordings/1/2019/01/12/out-7602-')).toEqual([]);
  });
});
