/**
 * Only our companies are stored. 百应's callback addresses are shared by all its customers, so
 * anyone on 百应 can point callbacks at our URL: with `companyIds` set, a callback for another
 * company is acknowledged, never written to the tables, never copied as a recording, not kept
 * in the raw archive, and kept in the quarantine as FOREIGN_COMPANY (counted, alarmed) — so a
 * forgotten company can be added and its callbacks replayed.
 */

import { readFileSync } from 'node:fs';
import { quarantinePrefixes, readQuarantine } from '../../functions/commons/consume/quarantine.js';
import { replayQuarantine } from '../../functions/commons/consume/replay.js';
import { s3ObjectStore } from '../../functions/commons/consume/s3-object-store.js';
import { queueEnqueuer } from '../../functions/commons/ingest/enqueue.js';
import { localS3Config } from '../../local/resources.js';
import {
  deliverThrough,
  drainQueue,
  getCall,
  getJob,
  localTaskSender,
  useLocalEnv,
  wireConsume,
} from '../support/local-env.js';
import { fixturePath, variantOf, vendorBody } from '../support/vendor.js';

const env = useLocalEnv({ prefix: 'tenancy' });
const OURS = ['1', '77'];
const objects = () => s3ObjectStore(env.clients.s3, env.resources.bucket);
const listArchive = () => objects().list('archive/');

test('another company’s call, job and manual change: acked, not stored, no recording task, quarantined as FOREIGN_COMPANY', async () => {
  const call = variantOf('outbound', (inner) => {
    const scene = inner.sceneInstance as Record<string, unknown>;
    scene.callInstanceId = 91001;
    scene.companyId = 555;
  });
  const job = variantOf('job', (inner) => {
    inner.callJobId = 91002;
    inner.companyId = 555;
  });
  const archivedBefore = (await listArchive()).length;
  const delivered = await deliverThrough(
    env,
    [{ body: call }, { body: job }, { body: vendorBody('manualIntent') }],
    {
      companies: OURS,
      recordings: localTaskSender(env),
    },
  );
  expect(delivered.replies.map((reply) => reply.body)).toEqual(['success', 'success', 'success']);
  expect(delivered.failures).toEqual([]);
  expect(await getCall(env, 'out#91001')).toBeUndefined();
  expect(await getJob(env, '91002')).toBeUndefined();
  // The vendor's manual change names company 241.
  expect(await getCall(env, 'out#2016')).toBeUndefined();
  expect(await drainQueue(env, env.resources.recordingsQueueUrl)).toEqual([]);
  expect(delivered.consume.counter.total('ForeignCallbacks')).toBe(3);
  expect(delivered.consume.counter.total('CallbacksQuarantined')).toBe(3);
  expect(await listArchive()).toHaveLength(archivedBefore);

  const kept = await readQuarantine(objects(), ['quarantine/foreign/']);
  const ours = kept.filter((entry) => [call, job, vendorBody('manualIntent')].includes(entry.body));
  expect(ours).toHaveLength(3);
  for (const entry of ours) {
    expect(entry.key).toMatch(/^quarantine\/foreign\/\d{4}\/\d{2}\/\d{2}\//);
    expect(entry.reason.code).toBe('FOREIGN_COMPANY');
  }
  expect(ours.map((entry) => entry.reason.message).sort()).toEqual([
    expect.stringContaining('company 241'),
    expect.stringContaining('company 555'),
    expect.stringContaining('company 555'),
  ]);
});

test('our companies, and an open-platform call that names no company, are stored as before', async () => {
  const ours = variantOf('outbound', (inner) => {
    const scene = inner.sceneInstance as Record<string, unknown>;
    scene.callInstanceId = 91003;
    scene.companyId = 77;
  });
  const open = readFileSync(fixturePath('open-call-documented'), 'utf8');
  const delivered = await deliverThrough(env, [{ body: ours }, { body: open }], { companies: OURS });
  expect(delivered.consume.counter.total('ForeignCallbacks')).toBe(0);
  expect(await getCall(env, 'out#91003')).toMatchObject({ companyId: '77', state: 'RECORDED' });
  expect(await getCall(env, 'out#70258002706')).toMatchObject({ companyId: 'unknown', platform: 'open' });
});

test('a manual change naming ours and another company: ours is stored, the body is quarantined too', async () => {
  const body = variantOf('manualIntent', (inner) => {
    inner.taskResult = [
      { companyId: 1, sceneInstanceId: 91004, resultName: '客户意向等级', resultValue: 'A' },
      { companyId: 9, sceneInstanceId: 91005, resultName: '客户意向等级', resultValue: 'B' },
    ];
  });
  const delivered = await deliverThrough(env, [{ body }], { companies: OURS });
  expect(await getCall(env, 'out#91004')).toMatchObject({ intent: { level: 'A', source: 'manual' } });
  expect(await getCall(env, 'out#91005')).toBeUndefined();
  expect(delivered.consume.counter.total('ForeignCallbacks')).toBe(1);
});

test('a forgotten company, added later: replaying the quarantine stores its callbacks and empties the quarantine', async () => {
  const call = variantOf('outbound', (inner) => {
    const scene = inner.sceneInstance as Record<string, unknown>;
    scene.callInstanceId = 91006;
    scene.companyId = 4242;
  });
  await deliverThrough(env, [{ body: call }], { companies: OURS });
  expect(await getCall(env, 'out#91006')).toBeUndefined();

  const summary = await replayQuarantine({
    objects: objects(),
    enqueue: queueEnqueuer({
      sqs: env.clients.sqs,
      queueUrl: env.resources.queueUrl,
      bucket: env.resources.bucket,
      s3: localS3Config(env.emulators.awsEndpoint),
    }),
    prefixes: quarantinePrefixes(),
    reason: 'FOREIGN_COMPANY',
  });
  expect(summary.replayed).toBeGreaterThanOrEqual(1);
  // The stack now stores company 4242 too.
  const consume = wireConsume(env, { companies: [...OURS, '4242'] });
  for (const event of await drainQueue(env)) await consume.handler(event);
  expect(await getCall(env, 'out#91006')).toMatchObject({
    companyId: '4242',
    state: 'RECORDED',
    deliveries: 1,
  });
  const left = await readQuarantine(objects(), quarantinePrefixes());
  expect(left.filter((entry) => entry.body === call)).toEqual([]);
  // Companies still not ours went back to the quarantine.
  expect(left.filter((entry) => entry.reason.code === 'FOREIGN_COMPANY').length).toBeGreaterThan(0);
});

test('without companyIds every company is stored', async () => {
  const call = variantOf('outbound', (inner) => {
    const scene = inner.sceneInstance as Record<string, unknown>;
    scene.callInstanceId = 91007;
    scene.companyId = 31337;
  });
  await deliverThrough(env, [{ body: call }]);
  expect(await getCall(env, 'out#91007')).toMatchObject({ companyId: '31337' });
});
