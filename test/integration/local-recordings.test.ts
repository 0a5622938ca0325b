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
import { recordingSha256 } from '../../local/fake-recordings.js';
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
