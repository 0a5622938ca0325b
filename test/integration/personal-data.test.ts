/**
 * One person's data on real DynamoDB Local and the S3 emulator: a number with calls in two
 * companies — one with an archived recording, one so large its parts are in S3 — and a stranger's
 * call. `subject` shows everything held about the number; `erase --dry-run` changes nothing;
 * `erase` leaves tombstones, deletes the objects, writes an audit entry without the number, and
 * leaves the stranger alone; a repeat delivery and a reconciler marker after the erasure write
 * nothing personal back; retention puts `expiresAt` on what is written.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { phoneHasher } from '../../functions/commons/personal/phone.js';
import { writeMissingMarker } from '../../functions/commons/reconcile/missing-marker.js';
import { recordingKey } from '../../functions/commons/recordings/copy-recording.js';
import { writeRecording } from '../../functions/commons/recordings/recording-state.js';
import type { CallItem } from '../../functions/commons/store/items.js';
import { erasePhone, subjectReport } from '../../local/cli/personal-data.js';
import { LOCAL_PHONE_HASH_KEY, localPolicy } from '../../local/local-config.js';
import { deliverThrough, getCall, getJob, localTargets, useLocalEnv } from '../support/local-env.js';
import { variantOf } from '../support/vendor.js';

const env = useLocalEnv({ prefix: 'personal' });

type Json = Record<string, unknown>;

/** The number, as 百应 sends it in one call and as a person would type it to ask for it. */
const NUMBER = '13700005333';
const TYPED = '+86 137-0000-5333';
const OTHER = '13900007777';
const DIGITS = /(?:86)?1370000533 ?3|0000533|137\*{4}5333/;

const call = (
  callId: number,
  company: number,
  phone: string,
  options: { lines?: number; lineChars?: number; job?: number } = {},
) =>
  variantOf('outbound', (inner) => {
    const scene = inner.sceneInstance as Json;
    scene.callInstanceId = callId;
    scene.companyId = company;
    scene.callJobId = options.job ?? 9000 + company;
    scene.customerTelephone = phone;
    scene.customerName = '张三';
    scene.startTime = '2026-12-01 10:00:00';
    scene.endTime = '2026-12-01 10:01:00';
    // What the customer said holds their number too.
    (inner.phoneLog as Json).phoneLogs = Array.from({ length: options.lines ?? 3 }, (_, i) => ({
      sceneInstanceLogId: callId * 1000 + i,
      speaker: i % 2 === 0 ? 'AI' : 'ME',
      content: `第${i}句 我的电话是${phone} ${'话'.repeat(options.lineChars ?? 5)}`,
      startTime: i * 1000,
      endTime: i * 1000 + 800,
    }));
  });

const SMALL_A = 8101;
const BIG_A = 8102;
const SMALL_B = 8201;
const STRANGER = 8103;
/** An inbound call 百应 could not deliver: the reconciler's MISSING marker holds the number. */
const MISSED = 8401;
const PERSON = [`out#${SMALL_A}`, `out#${BIG_A}`, `out#${SMALL_B}`, `in#${MISSED}`].sort();

const allCalls = async (): Promise<CallItem[]> => {
  const items: CallItem[] = [];
  for await (const page of paginateScan({ client: env.doc }, { TableName: env.resources.callsTable }))
    items.push(...((page.Items ?? []) as CallItem[]));
  return items;
};
const keysUnder = async (prefix: string): Promise<string[]> =>
  (
    await env.clients.s3.send(new ListObjectsV2Command({ Bucket: env.resources.bucket, Prefix: prefix }))
  ).Contents?.map((object) => object.Key as string) ?? [];
const plain = (value: unknown) => JSON.stringify(value, (_k, v) => (v instanceof Set ? [...v] : v));

let recordingObject: string;

beforeAll(async () => {
  const { failures } = await deliverThrough(env, [
    { body: call(SMALL_A, 701, NUMBER) },
    { body: call(BIG_A, 701, NUMBER, { lines: 700, lineChars: 500 }) },
    { body: call(SMALL_B, 702, `0086${NUMBER}`) },
    { body: call(STRANGER, 701, OTHER) },
  ]);
  expect(failures).toEqual([]);
  // The recording of the company-B call, archived as the worker leaves it.
  const item = (await getCall(env, `out#${SMALL_B}`)) as CallItem;
  recordingObject = recordingKey(
    {
      v: 1,
      callId: String(SMALL_B),
      direction: 'outbound',
      companyId: '702',
      kind: 'call',
      url: item.record?.recordingUrl as string,
      startTime: item.record?.startTime as string,
    } as never,
    'wav',
    new Date(),
  );
  await env.clients.s3.send(
    new PutObjectCommand({ Bucket: env.resources.bucket, Key: recordingObject, Body: 'RIFF....WAVE' }),
  );
  const written = await writeRecording(
    env.doc,
    env.resources.callsTable,
    `out#${SMALL_B}`,
    'call',
    {
      status: 'ARCHIVED',
      url: item.record?.recordingUrl as string,
      s3Key: recordingObject,
      bytes: 12,
      sha256: 'a'.repeat(64),
      fetchedAt: new Date().toISOString(),
      attempts: 1,
      updatedAt: new Date().toISOString(),
    },
    undefined,
  );
  expect(written).toBe(true);
  const marked = await writeMissingMarker(
    env.doc,
    env.resources.callsTable,
    '702',
    {
      callInstanceId: String(MISSED),
      customerTelephone: Number(NUMBER),
      callerTime: '2026-12-01 11:00:00',
    } as never,
    new Date().toISOString(),
    localPolicy(),
  );
  expect(marked).toBe('marked');
}, 120_000);

test('every write carries the keyed hash of the number, whichever way 百应 wrote it, and never the number in the index', async () => {
  const hash = phoneHasher(LOCAL_PHONE_HASH_KEY)(NUMBER);
  for (const id of [SMALL_A, BIG_A, SMALL_B]) {
    expect(((await getCall(env, `out#${id}`)) as CallItem).phoneHash).toBe(hash);
  }
  expect(((await getCall(env, `out#${STRANGER}`)) as CallItem).phoneHash).toBe(
    phoneHasher(LOCAL_PHONE_HASH_KEY)(OTHER),
  );
  // The big call keeps its transcript in S3.
  expect(((await getCall(env, `out#${BIG_A}`)) as CallItem).recordOverflow).toBeDefined();
  expect(await keysUnder(`records/out/${BIG_A}/`)).toHaveLength(1);
});

test('subject: the calls in both companies whole (transcripts from S3 too), the recording with a link, the jobs', async () => {
  const report = await subjectReport(localTargets(env), TYPED, { urls: true });
  expect(report.calls.map((item) => (item as CallItem).pk).sort()).toEqual(PERSON);
  const big = report.calls.find((item) => (item as CallItem).pk === `out#${BIG_A}`) as CallItem;
  expect(big.record?.transcript).toHaveLength(700);
  // Unmasked: the export is the person's own.
  expect(big.record?.customerTelephone).toBe(NUMBER);
  expect(report.recordings).toEqual([
    expect.objectContaining({
      callId: String(SMALL_B),
      kind: 'call',
      s3Key: recordingObject,
      url: expect.stringContaining('X-Amz-Signature'),
    }),
  ]);
  expect(report.jobs.map((job) => (job as { callJobId?: string }).callJobId).sort()).toEqual([
    '9701',
    '9702',
  ]);
  // One company only.
  const onlyB = await subjectReport(localTargets(env), NUMBER, { company: '702' });
  expect(onlyB.calls.map((item) => (item as CallItem).pk).sort()).toEqual([`in#${MISSED}`, `out#${SMALL_B}`]);
});

test('a number that is not one (masked, a line name) is refused before anything is read', async () => {
  await expect(subjectReport(localTargets(env), '137****5333')).rejects.toThrow(/not a phone number/);
  await expect(erasePhone(localTargets(env), '测试线路')).rejects.toThrow(/not a phone number/);
});

describe('erase', () => {
  const retention = {
    retentionDays: 365,
    archiveExpireDays: 30,
    quarantineExpireDays: 30,
    recordingsExpireDays: 365,
  };
  let before: string;

  test('--dry-run reports what erase would do and changes nothing', async () => {
    before = plain(await allCalls());
    const report = await erasePhone(localTargets(env, retention), NUMBER, { dryRun: true });
    expect(report).toMatchObject({
      dryRun: true,
      calls: 4,
      companies: expect.arrayContaining(['701', '702']),
    });
    expect(report.objectsDeleted).toBe(2);
    expect(report).not.toHaveProperty('audit');
    expect(plain(await allCalls())).toBe(before);
    expect(await keysUnder('audit/')).toEqual([]);
    expect(await keysUnder(`records/out/${BIG_A}/`)).toHaveLength(1);
  });

  test('tombstones the calls, deletes their objects, reports what it cannot erase, and audits without the number', async () => {
    const now = new Date('2026-12-08T04:00:00Z');
    const report = await erasePhone(localTargets(env, retention), TYPED, { now });
    expect(report).toMatchObject({ dryRun: false, calls: 4, objectsDeleted: 2 });
    expect(report.phone).toBe('137****5333');

    const items = await allCalls();
    const erased = items.filter((item) => item.erasedAt !== undefined);
    expect(erased.map((item) => item.pk).sort()).toEqual(PERSON);
    const marker = erased.find((item) => item.pk === `in#${MISSED}`);
    expect(marker?.missing).toEqual({ listedBy: 'queryUnCallBack', callerTime: '2026-12-01T11:00:00+08:00' });
    expect(plain(marker)).not.toMatch(DIGITS);
    for (const item of erased.filter((candidate) => candidate !== marker)) {
      // Nothing of the number, the name or the words; the facts stay.
      expect(plain(item)).not.toMatch(DIGITS);
      expect(plain(item)).not.toContain('张三');
      expect(item).not.toHaveProperty('phoneHash');
      expect(item).not.toHaveProperty('recordOverflow');
      expect(item).not.toHaveProperty('recordings');
      expect(item.record).not.toHaveProperty('transcript');
      expect(item.record).toMatchObject({ callId: item.callId, startTime: '2026-12-01T10:00:00+08:00' });
      expect(item.state).toBe('RECORDED');
      expect(item.erasedAt).toBe('2026-12-08T04:00:00.000Z');
    }
    // The stranger's call is as it was.
    const stranger = items.find((item) => item.pk === `out#${STRANGER}`);
    expect(stranger?.record?.customerTelephone).toBe(OTHER);
    expect(stranger?.record?.transcript).toHaveLength(3);

    expect(await keysUnder(`records/out/${BIG_A}/`)).toEqual([]);
    expect(await keysUnder(recordingObject)).toEqual([]);

    // The archive batches holding the deliveries are named, with the day they expire.
    const archives = report.notErasedInPlace.filter((copy) => copy.where.startsWith('archive/'));
    expect(archives.length).toBeGreaterThan(0);
    for (const copy of archives) expect(copy.until).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(report.notErasedInPlace.map((copy) => copy.where)).toEqual(
      expect.arrayContaining(['quarantine/', 'EventBridge']),
    );

    const [auditKey] = await keysUnder('audit/erasures/');
    expect(auditKey).toBe(report.audit);
    const audit = await (
      await env.clients.s3.send(new GetObjectCommand({ Bucket: env.resources.bucket, Key: auditKey }))
    ).Body?.transformToString();
    expect(JSON.parse(audit ?? '{}')).toMatchObject({
      phoneHash: report.phoneHash,
      calls: 4,
      objectsDeleted: 2,
    });
    expect(audit).not.toMatch(DIGITS);
  });

  test('subject after: nothing; a second erase finds nothing', async () => {
    expect((await subjectReport(localTargets(env), NUMBER)).calls).toEqual([]);
    expect((await erasePhone(localTargets(env), NUMBER, { dryRun: true })).calls).toBe(0);
  });

  test('a repeat delivery after the erasure, and a reconciler marker, write nothing personal back', async () => {
    const { failures } = await deliverThrough(env, [
      { body: call(SMALL_A, 701, NUMBER), requestId: 'after-erasure-1' },
      { body: call(BIG_A, 701, NUMBER, { lines: 700, lineChars: 500 }), requestId: 'after-erasure-2' },
    ]);
    expect(failures).toEqual([]);
    for (const id of [SMALL_A, BIG_A]) {
      const item = (await getCall(env, `out#${id}`)) as CallItem;
      expect(item.deliveries).toBe(2);
      expect(item.erasedAt).toBeDefined();
      expect(plain(item)).not.toMatch(DIGITS);
      expect(item).not.toHaveProperty('phoneHash');
    }
    expect(await keysUnder(`records/out/${BIG_A}/`)).toEqual([]);

    // A miss listed for an erased call does not put its number back.
    const marked = await writeMissingMarker(
      env.doc,
      env.resources.callsTable,
      '702',
      { callInstanceId: String(MISSED), customerTelephone: NUMBER } as never,
      new Date().toISOString(),
      localPolicy(),
    );
    expect(marked).toBe('already-recorded');
    expect(plain(await getCall(env, `in#${MISSED}`))).not.toMatch(DIGITS);
  });
});

test('with a retention, calls, jobs and markers carry expiresAt from their own time', async () => {
  const policy = { ...localPolicy(), retentionDays: 30 };
  const receivedAt = Date.parse('2026-12-05T00:00:00Z');
  const job = variantOf('job', (inner) => {
    inner.callJobId = 9703;
    inner.companyId = 703;
  });
  const { failures } = await deliverThrough(
    env,
    [{ body: call(8301, 703, OTHER, { job: 9703 }) }, { body: job, route: '/callbacks/job', receivedAt }],
    { policy },
  );
  expect(failures).toEqual([]);
  // The call: 30 days after it started (百应's Beijing time).
  const item = (await getCall(env, 'out#8301')) as CallItem;
  expect(item.expiresAt).toBe(Date.parse('2026-12-31T10:00:00+08:00') / 1000);
  // The job sends no time of its own: 30 days after it arrived.
  expect(((await getJob(env, '9703')) as { expiresAt?: number }).expiresAt).toBe(
    receivedAt / 1000 + 30 * 86_400,
  );
  const marker = await writeMissingMarker(
    env.doc,
    env.resources.callsTable,
    '703',
    { callInstanceId: '8399', customerTelephone: OTHER, callerTime: '2026-12-02 09:00:00' } as never,
    new Date().toISOString(),
    policy,
  );
  expect(marker).toBe('marked');
  const missing = (await getCall(env, 'in#8399')) as CallItem;
  expect(missing.expiresAt).toBe(Date.parse('2027-01-01T09:00:00+08:00') / 1000);
  expect(missing.phoneHash).toBe(phoneHasher(LOCAL_PHONE_HASH_KEY)(OTHER));
});
