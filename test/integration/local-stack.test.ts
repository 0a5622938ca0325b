/**
 * The local stack as a new user runs it: `npm start` as a child process, every vendor-doc example
 * posted to it, read back with `npm run records -- --local`, then a simulator run with duplicates
 * and shuffled order ending with every call stored exactly once and nothing in the DLQ.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '../../functions/commons/store/document-client.js';
import { DEFAULT_INDEX_SHARDS, shardOf } from '../../functions/commons/store/shards.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/emulators.js';
import { assertPortFree, freePort } from '../../local/ports.js';
import { runSimulation } from '../../local/simulator/simulate.js';
import { schemaProblems } from '../support/event-schemas.js';
import {
  freeStackPorts,
  portFlagsOf,
  ROOT,
  recordsCli,
  run,
  type StackPorts,
  spawnStack,
  startStackProcess,
  stopGroup,
  waitFor,
} from '../support/stack-process.js';
import { waitUntilStored } from '../support/stored.js';
import { fixturePath, variantOf, vendorBody } from '../support/vendor.js';

/** 2,000 callbacks locally; a smaller run in CI keeps the suite well inside its time budget. */
const SIMULATED = Number(process.env.SIMULATED_CALLBACKS ?? (process.env.CI ? 600 : 2000));

let child: ChildProcess;
/** Everything the stack printed so far. */
let output = (): string => '';
let ports: StackPorts;
let adminPort: number;
let url: string;

const portFlags = () => portFlagsOf(ports);
const startStack = (extra: string[] = []): ChildProcess => spawnStack(ports, extra);
const records = (...args: string[]): Promise<unknown> => recordsCli(ports, ...args);
/** A call as `records call` prints it, once it is stored (20 s at most). */
const storedCall = (id: string): Promise<Record<string, unknown>> =>
  waitFor(() => records('call', id) as Promise<Record<string, unknown>>, 20_000, `call ${id}`);
/** `npm run reconcile -- --local <the stack's ports> …`. */
const reconcile = (args: readonly string[]) =>
  run('npm', ['run', '-s', 'reconcile', '--', '--local', ...portFlags(), ...args], { cwd: ROOT });
/** `npm run simulate -- --url <the stack> …`, as a user runs it. */
const simulate = (args: readonly string[]) =>
  run('npm', ['run', '-s', 'simulate', '--', '--url', url, ...args], { cwd: ROOT });
/**
 * `records list` of a company for yesterday and today in Beijing: the simulator's calls fall on
 * those days (it runs them around now, compressed in time).
 */
const listedOnSimulatedDays = async (company: string): Promise<unknown[]> => {
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 16 * 3600_000).toISOString().slice(0, 10);
  const days = await Promise.all(
    [yesterday, today].map((date) => records('list', '--company', company, '--date', date)),
  );
  return days.flatMap((items) => items as unknown[]);
};

beforeAll(async () => {
  ports = await freeStackPorts();
  adminPort = await freePort();
  url = `http://127.0.0.1:${ports.api}`;
  const started = Date.now();
  const stack = await startStackProcess(ports, ['--admin-port', String(adminPort)], {}, 15_000);
  child = stack.child;
  output = stack.output;
  expect(output()).toContain(`ready at ${url}`);
  // The banner names the fake 百应 the README's tour hands to `simulate --byrobot-url`.
  expect(output()).toContain(
    `fake 百应 OpenAPI http://127.0.0.1:${ports.byrobot} (npm run simulate -- --byrobot-url`,
  );
  expect(Date.now() - started).toBeLessThan(15_000);
});

afterAll(async () => {
  if (child) await stopGroup(child);
});

test('every vendor-doc example posted to npm start reads back through npm run records -- --local', async () => {
  const posts = [
    ['/callbacks/call', vendorBody('outbound')],
    ['/callbacks/call', vendorBody('manualIntent')],
    ['/callbacks/call', vendorBody('inbound')],
    ['/callbacks/job', vendorBody('job')],
  ] as const;
  for (const [route, body] of posts) {
    const response = await fetch(`${url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=utf-8' },
      body,
    });
    expect([response.status, await response.text()]).toEqual([200, 'success']);
  }
  const call = await storedCall('1');
  expect(call).toMatchObject({
    pk: 'out#1',
    state: 'RECORDED',
    deliveries: 1,
    sources: ['callback'],
    intent: { level: 'C', source: 'ai' },
    record: {
      callId: '1',
      startTime: '2019-01-12T16:09:32+08:00',
      finishStatus: { code: 0, name: 'ANSWERED' },
    },
  });
  // The recording URL carries the customer's number; the CLI masks it unless --unmask.
  expect(JSON.stringify(call)).not.toContain('13733105333');
  expect(JSON.stringify(call)).toContain('137****5333');
  expect(await records('call', '2016')).toMatchObject({
    state: 'MANUAL_ONLY',
    intent: { level: 'B', source: 'manual' },
  });
  expect(await records('inbound', '1091')).toMatchObject({
    direction: 'inbound',
    record: { calleePhone: '057****1788' },
  });
  expect(await records('job', '535')).toMatchObject({
    status: { name: 'COMPLETED' },
    history: { '2': { name: 'COMPLETED' } },
  });
  const listed = (await records('list', '--company', '1', '--date', '2019-01-12')) as { pk: string }[];
  expect(listed.map((item) => item.pk)).toEqual(['out#1']);
  const { stdout } = await run(
    'npm',
    [
      'run',
      '-s',
      'records',
      '--',
      '--local',
      ...portFlags().slice(0, 4),
      '--table',
      'list',
      '--company',
      '1',
      '--date',
      '2019-01-24',
    ],
    { cwd: ROOT },
  );
  expect(stdout).toMatch(/in#1091\s+RECORDED\s+2019-01-24T15:27:39\+08:00/);
});

test('a 1.2 MB call and one with 600 KB of properties and 900 lines are stored and read back whole', async () => {
  const big = (callId: number, propertiesChars: number, lines: number, lineChars: number) =>
    variantOf('outbound', (inner) => {
      const scene = inner.sceneInstance as Record<string, unknown>;
      scene.callInstanceId = callId;
      scene.properties = JSON.stringify({ notes: '备'.repeat(propertiesChars) });
      (inner.phoneLog as Record<string, unknown>).phoneLogs = Array.from({ length: lines }, (_, i) => ({
        sceneInstanceLogId: 8_000_000 + i,
        speaker: i % 2 === 0 ? 'AI' : 'ME',
        content: `${i}:${'话'.repeat(lineChars)}`,
        startTime: i * 1000,
        endTime: i * 1000 + 900,
      }));
    });
  const cases = [
    { callId: 880001, body: big(880001, 100_000, 600, 500), lines: 600, propertiesChars: 100_000 },
    { callId: 880002, body: big(880002, 200_000, 900, 40), lines: 900, propertiesChars: 200_000 },
  ];
  expect(Buffer.byteLength(cases[0]?.body ?? '')).toBeGreaterThan(1_200_000);
  expect(Buffer.byteLength(JSON.stringify({ notes: '备'.repeat(200_000) }))).toBeGreaterThanOrEqual(600_000);
  for (const { body } of cases) {
    const response = await fetch(`${url}/callbacks/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=utf-8' },
      body,
    });
    expect([response.status, await response.text()]).toEqual([200, 'success']);
  }
  for (const { callId, lines, propertiesChars } of cases) {
    const call = (await waitFor(
      () => records('call', String(callId)) as Promise<Record<string, unknown>>,
      30_000,
      `call ${callId}`,
    )) as { state: string; record: { transcript: { content: string }[]; properties: { notes: string } } };
    expect(call.state).toBe('RECORDED');
    expect(call.record.transcript).toHaveLength(lines);
    expect(call.record.transcript[lines - 1]?.content.startsWith(`${lines - 1}:`)).toBe(true);
    expect(call.record.properties.notes).toHaveLength(propertiesChars);
  }
});

test(`a simulator run of ${SIMULATED} callbacks with 20% duplicates in shuffled order stores every call exactly once, DLQ empty`, async () => {
  const summary = await runSimulation({
    url,
    count: SIMULATED,
    concurrency: 24,
    seed: 42,
    duplicates: 0.2,
    shuffle: true,
    drop: 0,
    timeScale: 0.001,
    companyId: '77',
  });
  expect(summary.givenUp).toBe(0);
  expect(summary.acked).toBe(summary.sent - summary.retried);
  expect(summary.duplicatesSent).toBeGreaterThan(SIMULATED * 0.15);

  const endpoint = (port: number) => `http://127.0.0.1:${port}`;
  const base = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const dynamo = new DynamoDBClient({ ...base, endpoint: endpoint(ports.dynamo) });
  const doc = documentClient(dynamo);
  const sqs = new SQSClient({ ...base, endpoint: endpoint(ports.aws) });
  try {
    const result = await waitUntilStored(
      doc,
      { callsTable: 'byrobot-callbacks-local-calls', jobsTable: 'byrobot-callbacks-local-jobs' },
      summary.ackedByKey,
      90_000,
    );
    // One item per key, holding every acknowledged delivery once: stored exactly once. No outage
    // here, so no delivery reached the queue without its acknowledgement reaching 百应.
    expect(result.lost).toEqual([]);
    expect(result.unacknowledgedStored).toBe(0);
    expect(result.stored).toBe(summary.acked);
    const dlqUrl = (
      await sqs.send(new GetQueueUrlCommand({ QueueName: 'byrobot-callbacks-local-callbacks-dlq' }))
    ).QueueUrl;
    const dlq = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(
      Number(dlq.Attributes?.ApproximateNumberOfMessages) +
        Number(dlq.Attributes?.ApproximateNumberOfMessagesNotVisible),
    ).toBe(0);
  } finally {
    dynamo.destroy();
    sqs.destroy();
  }
});

test("百应's open platform on the same URLs: the documented example and our variants read back with platform open", async () => {
  const post = async (route: string, body: string) => {
    const response = await fetch(`${url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect([response.status, await response.text()]).toEqual([200, 'success']);
  };
  await post('/callbacks/call', readFileSync(fixturePath('open-call-documented'), 'utf8'));
  await post('/callbacks/call', readFileSync(fixturePath('open-call-variants'), 'utf8'));
  // An older job status retried after a newer one: updateTime decides, not arrival.
  const job = readFileSync(fixturePath('open-job'), 'utf8');
  await post('/callbacks/job', job);
  await post(
    '/callbacks/job',
    job.replace('"callJobStatus":2', '"callJobStatus":1').replace('18:00:00', '09:00:00'),
  );
  const documented = await storedCall('70258002706');
  expect(documented).toMatchObject({
    platform: 'open',
    state: 'RECORDED',
    companyId: 'unknown',
    companyDate: `unknown#2026-09-05#${shardOf('70258002706', DEFAULT_INDEX_SHARDS)}`,
    record: {
      platform: 'open',
      robotDefName: '百天邀约',
      startTime: '2026-09-05T10:18:20+08:00',
      jobPhoneInfos: [{ lineName: '华东主线路' }],
    },
  });
  const variant = (await storedCall('70258002707')) as { platform: string; record: Record<string, unknown> };
  expect(variant.platform).toBe('open');
  expect(variant.record).toMatchObject({
    collectProperties: { 意向城市: '杭州' },
    perceptionResult: '有感知',
    calledTimes: 2,
    lineIn: true,
    callRepeat: [{ repeatIndex: 1 }, { repeatIndex: 2 }],
    properties: { originalWorkflowId: '38028' },
  });
  await waitFor(
    async () => {
      const stored = (await records('job', '4849944')) as { deliveries: number };
      return stored.deliveries === 2 ? stored : undefined;
    },
    20_000,
    'both open-platform job deliveries',
  );
  expect(await records('job', '4849944')).toMatchObject({
    platform: 'open',
    status: { code: 2, name: 'COMPLETED' },
    job: { modifiedAt: '2026-09-05T18:00:00+08:00' },
  });
  // A classic call on the same URL is unchanged and says so.
  await post(
    '/callbacks/call',
    variantOf('outbound', (inner) => {
      (inner.sceneInstance as Record<string, unknown>).callInstanceId = 880010;
    }),
  );
  expect(await storedCall('880010')).toMatchObject({
    platform: 'classic',
    record: { platform: 'classic', startTime: '2019-01-12T16:09:32+08:00' },
  });
});

test('npm run simulate -- --platform open: every open-platform call stored exactly once', async () => {
  const { stdout } = await simulate([
    '--platform',
    'open',
    '--count',
    '150',
    '--duplicates',
    '0.2',
    '--shuffle',
    '--time-scale',
    '0.001',
    '--company',
    '66',
    '--seed',
    '5',
    '--json',
  ]);
  const summary = JSON.parse(stdout) as {
    callbacks: number;
    acked: number;
    givenUp: number;
    byKind: Record<string, number>;
  };
  expect(summary.givenUp).toBe(0);
  expect(summary.byKind.outbound).toBeGreaterThan(100);
  const listed = await waitFor(
    async () => {
      const items = (await listedOnSimulatedDays('66')) as Record<string, unknown>[];
      return items.length === summary.byKind.outbound ? items : undefined;
    },
    30_000,
    'every open-platform call listed',
  );
  expect(listed.every((item) => item.platform === 'open' && item.state === 'RECORDED')).toBe(true);
  expect(new Set(listed.map((item) => item.pk)).size).toBe(summary.byKind.outbound);
});

test('deliveries dropped on purpose come back with npm run reconcile -- --local: outbound calls stored, inbound marked MISSING', async () => {
  const summary = await runSimulation({
    url,
    count: 120,
    concurrency: 16,
    seed: 9,
    duplicates: 0,
    shuffle: false,
    drop: 0.25,
    timeScale: 0.001,
    companyId: '88',
    byrobotUrl: `http://127.0.0.1:${ports.byrobot}`,
  });
  const droppedCalls = summary.dropped
    .filter((item) => item.kind === 'outbound' || item.kind === 'inbound')
    .map((item) => item.key);
  expect(droppedCalls.some((key) => key.startsWith('out#'))).toBe(true);
  expect(droppedCalls.some((key) => key.startsWith('in#'))).toBe(true);
  const { stdout } = await reconcile(['--company', '88']);
  const result = (
    JSON.parse(stdout) as { classic: { recovered: number; markedMissing: number; failed: number } }
  ).classic;
  const outbound = droppedCalls.filter((key) => key.startsWith('out#'));
  const inbound = droppedCalls.filter((key) => key.startsWith('in#'));
  // A dropped call whose manual change was delivered already has an item (MANUAL_ONLY): still recovered.
  expect(result).toMatchObject({ recovered: outbound.length, markedMissing: inbound.length, failed: 0 });
  // Read back the way a user would, with a few CLI runs rather than one per call (each run is a
  // process start): the company's calls of the simulated days, then the reconciler's misses.
  type Listed = { pk: string; state?: string; sources?: string[]; record?: { callId?: string } };
  const recovered = await waitFor(
    async () => {
      const listed = (await listedOnSimulatedDays('88')) as Listed[];
      const byKey = new Map(listed.map((item) => [item.pk, item]));
      const found = outbound.map((key) => byKey.get(key));
      return found.every((item) => item?.state === 'RECORDED') ? (found as Listed[]) : undefined;
    },
    20_000,
    'every dropped outbound call to be recovered',
  );
  for (const [i, item] of recovered.entries()) {
    expect(item.sources).toContain('reconciler');
    expect(item.record?.callId).toBe(outbound[i]?.slice(4));
  }
  const missing = new Map(((await records('missing')) as Listed[]).map((item) => [item.pk, item]));
  for (const key of inbound) {
    expect(missing.get(key)).toMatchObject({ state: 'MISSING', direction: 'inbound', companyId: '88' });
  }
  // …and one of each through the single-call commands.
  expect(await records('call', outbound[0]?.slice(4) ?? '')).toMatchObject({ state: 'RECORDED' });
  expect(await records('inbound', inbound[0]?.slice(3) ?? '')).toMatchObject({ state: 'MISSING' });
});

test('open-platform calls dropped on purpose come back with npm run reconcile -- --local (its calldone lists)', async () => {
  const { stdout: simulated } = await simulate([
    '--platform',
    'open',
    '--count',
    '80',
    '--drop',
    '0.2',
    '--time-scale',
    '0.001',
    '--company',
    '67',
    '--seed',
    '11',
    '--byrobot-url',
    `http://127.0.0.1:${ports.byrobot}`,
    '--json',
  ]);
  const simulation = JSON.parse(simulated) as { droppedCount: number; byKind: Record<string, number> };
  expect(simulation.droppedCount).toBeGreaterThan(0);
  const reconciled = async () =>
    JSON.parse((await reconcile(['--platform', 'open', '--company', '67'])).stdout) as {
      open: { recovered: number; failed: number; listed: number };
      classic?: unknown;
    };
  const first = await reconciled();
  expect(first.classic).toBeUndefined();
  expect(first.open.failed).toBe(0);
  expect(first.open.recovered).toBeGreaterThan(0);
  expect(first.open.listed).toBe(simulation.byKind.outbound);
  // Every listed call ends stored once; a second run recovers nothing more.
  await waitFor(
    async () => {
      const items = (await listedOnSimulatedDays('67')) as { platform?: string; state?: string }[];
      return items.length === simulation.byKind.outbound && items.every((item) => item.state === 'RECORDED')
        ? items
        : undefined;
    },
    30_000,
    'every open-platform call stored, the dropped ones recovered',
  );
  expect((await reconciled()).open).toMatchObject({ recovered: 0, failed: 0 });
});

test('records list --job reads every shard of a job; npm run migrate -- --local finds the local data current', async () => {
  // The simulated calls of company 66 (open platform) and 88 (classic) are on the stack by now.
  const listed = (await listedOnSimulatedDays('88')) as {
    pk: string;
    callJobId?: string;
    sortTime?: string;
  }[];
  const job = listed.find((item) => item.callJobId)?.callJobId as string;
  const ofJob = listed.filter((item) => item.callJobId === job);
  const byJob = (await records('list', '--job', job)) as { pk: string; sortTime: string }[];
  expect(byJob.map((item) => item.pk).sort()).toEqual(ofJob.map((item) => item.pk).sort());
  const times = byJob.map((item) => item.sortTime);
  expect(times).toEqual([...times].sort());

  const { stdout } = await run(
    'npm',
    [
      'run',
      '-s',
      'migrate',
      '--',
      '--local',
      ...portFlags().slice(0, 4),
      '--state',
      join(tmpdir(), `migrate-${ports.api}.json`),
    ],
    { cwd: ROOT },
  );
  const migrated = JSON.parse(stdout) as {
    done: boolean;
    shards: number;
    calls: { scanned: number; updated: number };
  };
  expect(migrated).toMatchObject({ done: true, shards: 16, calls: { updated: 0 } });
  expect(migrated.calls.scanned).toBeGreaterThan(100);
});

test('a second stack on the same port reports the port clearly and exits', async () => {
  const second = startStack();
  let text = '';
  second.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  second.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const code = await new Promise((resolve) => second.once('exit', resolve));
  expect(code).toBe(1);
  expect(text).toContain(`port ${ports.api} on 127.0.0.1 is already in use`);
});

test('npm run reconcile -- --local --now queries the window as at that instant (27 h back at 00:30 Beijing)', async () => {
  const { stdout } = await reconcile(['--company', '88', '--now', '2026-11-28T00:30:00+08:00']);
  const result = JSON.parse(stdout) as { window: { startDate: string; endDate: string } };
  expect(result.window).toEqual({ startDate: '2026-11-26', endDate: '2026-11-28' });
  await expect(reconcile(['--now', 'yesterday'])).rejects.toMatchObject({
    stderr: expect.stringContaining('--now needs an ISO-8601 instant with a zone'),
  });
});

test('npm start serves dynamodb-admin: its URL comes by the ready line, its table list shows calls and jobs', async () => {
  const admin = `http://127.0.0.1:${adminPort}`;
  const ready = output().indexOf('ready');
  expect(output().indexOf(`DynamoDB tables in the browser: ${admin}`)).toBeGreaterThan(-1);
  expect(output().indexOf(`DynamoDB tables in the browser: ${admin}`)).toBeLessThan(ready);
  const page = await (await fetch(`${admin}/`)).text();
  expect(page).toContain('byrobot-callbacks-local-calls');
  expect(page).toContain('byrobot-callbacks-local-jobs');
});

test('a busy admin port is a warning, not a failed start; --no-admin skips the browser', async () => {
  const others = await freeStackPorts();
  const busy = await startStackProcess(others, ['--admin-port', String(adminPort)]);
  try {
    expect(busy.output()).toMatch(/warning: table browser not started: port \d+ is in use/);
    expect(busy.output()).toContain(`ready at ${busy.url}`);
  } finally {
    await stopGroup(busy.child);
  }
  // The default stack stores every company and says so; --companies narrows it.
  expect(output()).toContain('companies stored: every company');
  const nonePorts = await freeStackPorts();
  const none = await startStackProcess(nonePorts, ['--no-admin', '--companies', '7,8']);
  try {
    expect(none.output()).not.toContain('DynamoDB tables in the browser');
    expect(none.output()).toContain('companies stored: 7, 8 (others are quarantined as FOREIGN_COMPANY)');
    // The vendor example is company 1's: acknowledged, quarantined, not stored.
    const reply = await fetch(`${none.url}/callbacks/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: vendorBody('outbound'),
    });
    expect(await reply.text()).toBe('success');
    const kept = await waitFor(
      async () => {
        const entries = (await recordsCli(nonePorts, 'quarantine')) as { reason: { code: string } }[];
        return entries.length > 0 ? entries : undefined;
      },
      15_000,
      'the foreign call in the quarantine',
    );
    expect(kept.map((entry) => entry.reason.code)).toEqual(['FOREIGN_COMPANY']);
    await expect(recordsCli(nonePorts, 'call', '1')).rejects.toThrow(/nothing stored under out#1/);
  } finally {
    await stopGroup(none.child);
  }
  const bad = spawnStack(await freeStackPorts(), ['--companies', 'acme']);
  const [code] = (await once(bad, 'close')) as [number];
  expect(code).toBe(2);
});

test('records list --format jsonl|csv and records export write what a user opens in Excel', async () => {
  for (const id of [930_001, 930_002, 930_003]) {
    const body = variantOf('outbound', (inner) => {
      const scene = inner.sceneInstance as Record<string, unknown>;
      scene.callInstanceId = id;
      scene.companyId = 9090;
      scene.startTime = '2026-11-10 10:00:00';
    });
    const reply = await fetch(`${url}/callbacks/call`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(await reply.text()).toBe('success');
  }
  const cli = (...args: string[]) =>
    run('npm', ['run', '-s', 'records', '--', '--local', ...portFlags().slice(0, 4), ...args], { cwd: ROOT });
  await waitFor(
    async () =>
      (await cli('list', '--company', '9090', '--date', '2026-11-10', '--format', 'jsonl')).stdout
        .trim()
        .split('\n').length === 3
        ? true
        : undefined,
    20_000,
    'three calls of company 9090',
  );
  const jsonl = (await cli('list', '--company', '9090', '--date', '2026-11-10', '--format', 'jsonl')).stdout
    .trim()
    .split('\n');
  expect(jsonl.map((line) => JSON.parse(line).record.callId).sort()).toEqual(['930001', '930002', '930003']);
  const csv = (await cli('list', '--company', '9090', '--date', '2026-11-10', '--format', 'csv')).stdout;
  expect(csv.startsWith('\uFEFFcallId,direction,platform')).toBe(true);
  expect(csv.trimEnd().split('\r\n')).toHaveLength(4);

  const file = join(mkdtempSync(join(tmpdir(), 'export-cli-')), 'calls.csv');
  const { stdout } = await cli(
    'export',
    '--company',
    '9090',
    '--from',
    '2026-11-09',
    '--to',
    '2026-11-11',
    '--format',
    'csv',
    '--out',
    file,
  );
  expect(JSON.parse(stdout)).toMatchObject({ calls: 3, days: 3, file, format: 'csv', masked: true });
  const text = readFileSync(file, 'utf8');
  expect(text.trimEnd().split('\r\n')).toHaveLength(4);
  expect(text).not.toMatch(/1[3-9]\d{9}/);

  await expect(
    cli('export', '--company', '9090', '--from', '2026-11-11', '--to', '2026-11-09', '--out', file),
  ).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining('before'),
  });
  await expect(
    cli('list', '--company', '9090', '--date', '2026-11-10', '--format', 'xml'),
  ).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--format must be one of json, jsonl, csv'),
  });
});

test('domain events: a call, a manual change to A and a job status print as call.recorded, call.intent-changed and job.status-changed; a redelivery adds none', async () => {
  const post = async (route: 'call' | 'job', body: string) => {
    const reply = await fetch(`${url}/callbacks/${route}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(await reply.text()).toBe('success');
  };
  const callBody = variantOf('outbound', (inner) => {
    const scene = inner.sceneInstance as Record<string, unknown>;
    scene.callInstanceId = 950_001;
    scene.companyId = 9500;
    scene.callJobId = 95_001;
  });
  const manualBody = variantOf('manualIntent', (inner) => {
    const [result] = inner.taskResult as Record<string, unknown>[];
    Object.assign(result ?? {}, { sceneInstanceId: 950_001, companyId: 9500, resultValue: 'A' });
  });
  const jobBody = variantOf('job', (inner) => {
    inner.callJobId = 95_001;
    inner.companyId = 9500;
  });
  const events = async () =>
    // Every event of the file's earlier tests is printed too: megabytes.
    (
      await run('npm', ['run', '--silent', 'events', '--', '--local', ...portFlags().slice(0, 4)], {
        cwd: ROOT,
        maxBuffer: 256 * 1024 * 1024,
      })
    ).stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { 'detail-type': string; detail: Record<string, unknown> })
      .filter((event) => event.detail.callId === '950001' || event.detail.callJobId === '95001');
  const waitForEvents = (count: number) =>
    waitFor(
      async () => {
        const found = await events();
        return found.length >= count ? found : undefined;
      },
      60_000,
      `${count} events (the stack said: ${output()
        .split('\n')
        .filter((line) => line.includes('events stream'))
        .slice(-3)
        .join(' | ')})`,
    );

  await post('call', callBody);
  await waitForEvents(2); // recorded, and the first (AI) level
  await post('call', manualBody);
  await waitForEvents(3);
  await post('job', jobBody);
  const all = await waitForEvents(4);
  expect(all.map((event) => event['detail-type'])).toEqual([
    'call.recorded',
    'call.intent-changed',
    'call.intent-changed',
    'job.status-changed',
  ]);
  expect(all[2]?.detail).toMatchObject({
    new: { level: 'A', source: 'manual' },
    source: 'manual',
    old: { source: 'ai' },
  });
  expect(all[3]?.detail).toMatchObject({ callJobId: '95001', old: null });
  for (const event of all)
    expect([event['detail-type'], schemaProblems(event)]).toEqual([event['detail-type'], []]);
  expect(new Set(all.map((event) => `${event['detail-type']} ${event.detail.eventId}`)).size).toBe(4);

  // The same call delivered again: stored as a duplicate delivery, no new event; printing consumed nothing.
  await post('call', callBody);
  // 百应 retrying the call (a new delivery of the same facts): counted, but no event.
  await post(
    'call',
    variantOf('outbound', (inner) => {
      const scene = inner.sceneInstance as Record<string, unknown>;
      scene.callInstanceId = 950_001;
      scene.companyId = 9500;
      scene.callJobId = 95_001;
      inner.dateTime = new Date().toUTCString();
    }),
  );
  await waitFor(
    async () => ((await records('call', '950001')) as { deliveries: number }).deliveries >= 2 || undefined,
    20_000,
    'the redelivery',
  );
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect((await events()).map((event) => event['detail-type'])).toEqual(
    all.map((event) => event['detail-type']),
  );
});

test('npm run events -- --local --follow prints the log, then new events as they come', async () => {
  const follower = spawn(
    'npm',
    ['run', '--silent', 'events', '--', '--local', ...portFlags().slice(0, 4), '--follow'],
    {
      cwd: ROOT,
      detached: true,
    },
  );
  let printed = '';
  follower.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  try {
    const body = variantOf('outbound', (inner) => {
      (inner.sceneInstance as Record<string, unknown>).callInstanceId = 950_002;
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await fetch(`${url}/callbacks/call`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    await waitFor(
      async () => (printed.includes('"callId":"950002"') ? true : undefined),
      30_000,
      'the followed event',
    );
    expect(
      printed.split('\n').filter((line) => line.includes('"callId":"950002"')).length,
    ).toBeGreaterThanOrEqual(1);
  } finally {
    if (follower.pid && follower.exitCode === null) process.kill(-follower.pid, 'SIGTERM');
  }
});

test('npm run events without --local says where deployed events go', async () => {
  await expect(run('npm', ['run', '--silent', 'events'], { cwd: ROOT })).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining('EventBridge'),
  });
});

// Last: it stops the stack the other tests use.
test('SIGTERM shuts the stack down cleanly', async () => {
  const { code, signal } = await stopGroup(child);
  expect(output()).toContain('SIGTERM: stopping the local stack');
  expect(output()).toMatch(/\nstopped\n/);
  // npm itself either exits 0 or dies of the same signal; the stack reported a clean stop above.
  expect(code === 0 || signal === 'SIGTERM').toBe(true);
  // Nothing keeps listening once it is stopped.
  await expect(assertPortFree(ports.api, 'check')).resolves.toBeUndefined();
  await expect(assertPortFree(ports.dynamo, 'check')).resolves.toBeUndefined();
});
