/**
 * Recordings on the local stack as a user runs it: `npm start -- --recording-hosts 127.0.0.1`,
 * a call posted with recording links on the local fake 百应, both recordings ARCHIVED with the
 * served files' sha256 and read back with `npm run records -- --local recording`; calls the
 * reconciler recovers get theirs too; a link on 百应's real storage is never fetched locally.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_BUCKET } from '../../functions/commons/definitions.js';
import { recordingSha256 } from '../../local/fake-recordings.js';
import { localS3Config } from '../../local/resources.js';
import { runSimulation } from '../../local/simulator/simulate.js';
import type { StackPorts } from '../support/stack-process.js';
import {
  freeStackPorts,
  portFlagsOf,
  ROOT,
  recordsCli,
  run,
  startStackProcess,
  stopGroup,
  waitFor,
} from '../support/stack-process.js';
import { variantOf } from '../support/vendor.js';

let ports: StackPorts;
let stack: { child: ChildProcess; output: () => string; url: string };
const out = mkdtempSync(join(tmpdir(), 'recordings-'));

beforeAll(async () => {
  ports = await freeStackPorts();
  stack = await startStackProcess(ports, ['--recording-hosts', '127.0.0.1', '--no-admin']);
  expect(stack.output()).toContain('recordings copied from 127.0.0.1');
});
afterAll(async () => {
  if (stack) await stopGroup(stack.child);
});

type Entry = { status: string; sha256?: string; bytes?: number; reason?: string; s3Key?: string };
const recordingsOf = async (command: 'call' | 'inbound', id: string) =>
  ((await recordsCli(ports, command, id)) as { recordings?: Record<string, Entry> }).recordings;
const settled = (command: 'call' | 'inbound', id: string, kinds: string[]) =>
  waitFor(
    async () => {
      const recordings = await recordingsOf(command, id);
      return kinds.every((kind) => recordings?.[kind] && recordings[kind]?.status !== 'PENDING')
        ? recordings
        : undefined;
    },
    30_000,
    `recordings of ${command} ${id}`,
  );
const post = (body: string) =>
  fetch(`${stack.url}/callbacks/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  }).then((reply) => reply.text());

test('a posted call’s two recordings end ARCHIVED, equal to the served files, and read back with records recording', async () => {
  const fake = `http://127.0.0.1:${ports.byrobot}/recordings`;
  const body = variantOf('outbound', (inner) => {
    const scene = inner.sceneInstance as Record<string, unknown>;
    scene.callInstanceId = 424242;
    scene.luyinOssUrl = `${fake}/424242-full.wav`;
    scene.userLuyinOssUrl = `${fake}/424242-user.wav`;
  });
  expect(await post(body)).toBe('success');
  const recordings = await settled('call', '424242', ['call', 'customer']);
  expect(recordings?.call).toMatchObject({ status: 'ARCHIVED', sha256: recordingSha256('424242-full.wav') });
  expect(recordings?.customer).toMatchObject({
    status: 'ARCHIVED',
    sha256: recordingSha256('424242-user.wav'),
  });

  for (const [kind, name] of [
    ['call', '424242-full.wav'],
    ['customer', '424242-user.wav'],
  ] as const) {
    const file = join(out, `${kind}.wav`);
    const printed = await recordsCli(ports, 'recording', '424242', '--kind', kind, '--out', file);
    expect(printed).toMatchObject({ kind, out: file, sha256: recordingSha256(name) });
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(recordingSha256(name));
    expect(readFileSync(file).subarray(0, 4).toString('ascii')).toBe('RIFF');
  }
  const link = (await recordsCli(ports, 'recording', '424242', '--url')) as {
    url: string;
    expiresInSeconds: number;
  };
  expect(link.expiresInSeconds).toBe(900);
  // S3 answers the link with this disposition: a browser downloads the file, never renders it.
  expect(new URL(link.url).searchParams.get('response-content-disposition')).toBe('attachment');
  expect(
    createHash('sha256')
      .update(Buffer.from(await (await fetch(link.url)).arrayBuffer()))
      .digest('hex'),
  ).toBe(recordingSha256('424242-full.wav'));
});

test('a link on 百应’s real storage is not fetched locally: REFUSED, saying how to allow a local host', async () => {
  const body = variantOf('outbound', (inner) => {
    const scene = inner.sceneInstance as Record<string, unknown>;
    scene.callInstanceId = 424243;
    scene.luyinOssUrl = 'https://byrobot-test.oss-cn-hangzhou.aliyuncs.com/RobotPhoneCommunicate/11/xxx.wav';
    scene.userLuyinOssUrl = null;
  });
  expect(await post(body)).toBe('success');
  const recordings = await settled('call', '424243', ['call']);
  expect(recordings?.call).toMatchObject({
    status: 'REFUSED',
    reason: expect.stringContaining('--recording-hosts'),
  });
  expect(recordings?.customer).toBeUndefined();
  await expect(recordsCli(ports, 'recording', '424243', '--out', join(out, 'x.wav'))).rejects.toThrow(
    /REFUSED/,
  );
});

test('records --retry and replay --recordings queue a final recording again; ARCHIVED ones are refused', async () => {
  // 424243's link is REFUSED (百应's real storage, not fetched locally): retried, refused again.
  const before = (await recordingsOf('call', '424243'))?.call as Entry & { updatedAt: string };
  const retried = (id: string, after: string) =>
    waitFor(
      async () => {
        const entry = (await recordingsOf('call', id))?.call as (Entry & { updatedAt: string }) | undefined;
        return entry && entry.updatedAt > after ? entry : undefined;
      },
      30_000,
      `a retry of ${id}`,
    );
  expect(await recordsCli(ports, 'recording', '424243', '--retry')).toEqual({
    callId: '424243',
    kind: 'call',
    status: 'REFUSED',
    queued: true,
  });
  const once = await retried('424243', before.updatedAt);
  expect(once).toMatchObject({ status: 'REFUSED', attempts: 1 });

  const { stdout } = await run(
    'npm',
    [
      'run',
      '-s',
      'replay',
      '--',
      '--local',
      ...portFlagsOf(ports),
      '--recordings',
      '--status',
      'REFUSED,FAILED',
      '--company',
      '1',
      '--date',
      '2019-01-12',
    ],
    { cwd: ROOT },
  );
  expect(JSON.parse(stdout)).toMatchObject({ queued: 1, notSent: 0, byStatus: { REFUSED: 1 } });
  await retried('424243', once.updatedAt);

  // ARCHIVED is done; PENDING and ARCHIVED are not statuses to queue again.
  await expect(recordsCli(ports, 'recording', '424242', '--retry')).rejects.toThrow(
    /ARCHIVED: only FAILED, REFUSED, EXPIRED/,
  );
  await expect(
    run(
      'npm',
      ['run', '-s', 'replay', '--', '--local', ...portFlagsOf(ports), '--recordings', '--status', 'ARCHIVED'],
      {
        cwd: ROOT,
      },
    ),
  ).rejects.toMatchObject({ code: 2 });
});

test('calls the reconciler recovers get their recordings archived too', async () => {
  const summary = await runSimulation({
    url: stack.url,
    count: 40,
    concurrency: 8,
    seed: 21,
    duplicates: 0,
    shuffle: false,
    drop: 0.3,
    timeScale: 0.001,
    companyId: '77',
    byrobotUrl: `http://127.0.0.1:${ports.byrobot}`,
    recordingBase: `http://127.0.0.1:${ports.byrobot}/recordings`,
  });
  const dropped = summary.dropped.filter((item) => item.kind === 'outbound').map((item) => item.key.slice(4));
  expect(dropped.length).toBeGreaterThan(0);
  await run('npm', ['run', '-s', 'reconcile', '--', '--local', ...portFlagsOf(ports), '--company', '77'], {
    cwd: ROOT,
  });
  for (const id of dropped) {
    const recordings = await settled('call', id, ['call']);
    expect([id, recordings?.call?.status]).toEqual([id, 'ARCHIVED']);
    expect(recordings?.call?.sha256).toBe(recordingSha256(`${id}-full.wav`));
  }
});

describe('one person on the local stack: records subject, then records erase', () => {
  const NUMBER = '13800006666';
  const OTHER = '13900008888';
  const DIGITS = /1380000666|0000666\d/;
  const fake = () => `http://127.0.0.1:${ports.byrobot}/recordings`;
  const call = (
    id: number,
    company: number,
    phone: string,
    options: { lines?: number; recording?: boolean } = {},
  ) =>
    variantOf('outbound', (inner) => {
      const scene = inner.sceneInstance as Record<string, unknown>;
      scene.callInstanceId = id;
      scene.companyId = company;
      scene.customerTelephone = phone;
      scene.luyinOssUrl = options.recording ? `${fake()}/${id}-full.wav` : null;
      scene.userLuyinOssUrl = options.recording ? `${fake()}/${id}-user.wav` : null;
      (inner.phoneLog as Record<string, unknown>).luyinOssUrl = null;
      (inner.phoneLog as Record<string, unknown>).phoneLogs = Array.from(
        { length: options.lines ?? 2 },
        (_, i) => ({
          sceneInstanceLogId: id * 1000 + i,
          speaker: i % 2 === 0 ? 'AI' : 'ME',
          content: `第${i}句 回电${phone} ${'话'.repeat(options.lines ? 500 : 3)}`,
        }),
      );
    });
  const s3 = () => new S3Client(localS3Config(`http://127.0.0.1:${ports.aws}`));
  const keysUnder = async (prefix: string) => {
    const client = s3();
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: LOCAL_BUCKET, Prefix: prefix }));
      return listed.Contents?.map((object) => object.Key as string) ?? [];
    } finally {
      client.destroy();
    }
  };
  const unmasked = (id: string) =>
    recordsCli(ports, '--unmask', 'call', id) as Promise<Record<string, unknown>>;

  test('subject shows both companies’ calls whole with their recordings; erase leaves tombstones, deletes the objects, and a repeat delivery writes nothing back', async () => {
    expect(await post(call(515001, 811, NUMBER, { recording: true }))).toBe('success');
    expect(await post(call(515002, 812, `+86 ${NUMBER}`, { lines: 800 }))).toBe('success');
    expect(await post(call(515003, 811, OTHER))).toBe('success');
    await settled('call', '515001', ['call', 'customer']);
    await waitFor(() => recordsCli(ports, 'call', '515003'), 20_000, 'call 515003');
    const big = await waitFor(() => recordsCli(ports, 'call', '515002'), 20_000, 'call 515002');
    expect((big as { recordOverflowKey?: string }).recordOverflowKey).toMatch(/^records\/out\/515002\//);

    const file = join(out, 'subject.json');
    expect(await recordsCli(ports, 'subject', '--phone', NUMBER, '--out', file)).toMatchObject({ out: file });
    const subject = JSON.parse(readFileSync(file, 'utf8')) as {
      calls: { pk: string; record: { customerTelephone: string; transcript: unknown[] } }[];
      recordings: { kind: string; s3Key: string }[];
      jobs: unknown[];
    };
    expect(subject.calls.map((item) => item.pk).sort()).toEqual(['out#515001', 'out#515002']);
    expect(subject.calls.find((item) => item.pk === 'out#515002')?.record.transcript).toHaveLength(800);
    expect(subject.calls[0]?.record.customerTelephone).toContain(NUMBER);
    expect(subject.recordings.map((recording) => recording.kind).sort()).toEqual(['call', 'customer']);

    const dry = (await recordsCli(ports, 'erase', '--phone', NUMBER, '--dry-run')) as {
      calls: number;
      objectsDeleted: number;
    };
    expect(dry).toMatchObject({ calls: 2, objectsDeleted: 3 });
    expect((await unmasked('515001')).erasedAt).toBeUndefined();

    const erased = (await recordsCli(ports, 'erase', '--phone', NUMBER)) as {
      calls: number;
      objectsDeleted: number;
      audit: string;
      phone: string;
    };
    expect(erased).toMatchObject({ calls: 2, objectsDeleted: 3, phone: '138****6666' });
    for (const id of ['515001', '515002']) {
      const item = await unmasked(id);
      expect(item.erasedAt).toEqual(expect.any(String));
      expect(JSON.stringify(item)).not.toMatch(DIGITS);
    }
    expect(await keysUnder('records/out/515002/')).toEqual([]);
    for (const recording of subject.recordings) expect(await keysUnder(recording.s3Key)).toEqual([]);
    expect(await keysUnder(erased.audit)).toEqual([erased.audit]);
    // The stranger in the same company is untouched.
    expect(JSON.stringify(await unmasked('515003'))).toContain(OTHER);

    // 百应 delivers the first call again: it joins the tombstone, nothing personal comes back.
    expect(await post(call(515001, 811, NUMBER, { recording: true }))).toBe('success');
    const again = await waitFor(
      async () => {
        const item = await unmasked('515001');
        return item.deliveries === 2 ? item : undefined;
      },
      20_000,
      'the repeat delivery of 515001',
    );
    expect(JSON.stringify(again)).not.toMatch(DIGITS);
    expect(again.recordings).toBeUndefined();
    expect((await recordsCli(ports, 'subject', '--phone', NUMBER)) as { calls: unknown[] }).toMatchObject({
      calls: [],
    });
  });
});
