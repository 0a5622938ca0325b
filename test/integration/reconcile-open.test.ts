/**
 * The open-platform reconciler end to end on loopback: the fake 百应's open platform (OAuth token,
 * job list, job detail, calldone/list, call detail), DynamoDB Local and the SQS emulator, with the
 * real consume logic storing what the reconciler enqueues. The open platform retries a callback
 * for only about 4 h 42 min and lists no failed deliveries: what a job lists and we do not hold is
 * recovered from the list (and the call's detail where it answers).
 */
import { OPEN_METHODS, OpenPlatformClient } from '../../functions/commons/byrobot/open-client.js';
import { runOpenReconcile } from '../../functions/commons/reconcile/reconcile-open.js';
import { LOCAL_OPEN_CLIENT, OPEN_TOKEN_PATH, openMethodPath } from '../../local/fake-open-platform.js';
import { beijing } from '../../local/simulator/values.js';
import { useFakeByrobot } from '../support/fake-byrobot.js';
import {
  deliverThrough,
  drainQueue,
  getCall,
  reconcilerRig,
  useLocalEnv,
  wireConsume,
} from '../support/local-env.js';

const env = useLocalEnv({ prefix: 'open-reconcile' });
const fake = useFakeByrobot({ appKey: 'ak', appSecret: 'secret' });

const CALLS_DONE = openMethodPath(OPEN_METHODS.callsDone);
const CALL_DETAIL = openMethodPath(OPEN_METHODS.callDetail);

/** An open-platform call's callback data: answered an hour ago, a transcript of two lines, level B. */
const openCall = (id: number | string, jobId: number, companyId: number, phone = '13812345678') => {
  const start = Date.now() - 3_600_000;
  return {
    callInstance: {
      callJobId: jobId,
      callInstanceId: id,
      companyId,
      callInstanceStatus: 2,
      finishStatus: 0,
      customerTelephone: phone,
      customerName: '张三',
      startTime: beijing(start),
      endTime: beijing(start + 60_000),
      duration: 60,
      luyinOssUrl: `https://rec.byai.com/${id}.mp3`,
      properties: { orderNo: `O-${id}` },
    },
    phoneLogs: [
      { speaker: 'AI', content: '您好，这里是百天邀约。', startTime: 0, endTime: 2000 },
      { speaker: 'ME', content: '嗯，你说。', startTime: 2500, endTime: 4000 },
    ],
    taskResult: [{ resultName: '客户意向等级', resultValue: 'B级' }],
  };
};

const bodyOf = (data: unknown) =>
  JSON.stringify({ code: 200, data: { callbackType: 'CALL_INSTANCE_RESULT', data }, resultMsg: '成功' });

const setup = () => {
  const { logger, counter, sent, enqueue } = reconcilerRig(env);
  const deps = {
    client: new OpenPlatformClient({
      apiUrl: fake.url,
      tokenUrl: `${fake.url}${OPEN_TOKEN_PATH}`,
      credentials: async () => LOCAL_OPEN_CLIENT,
      minIntervalMs: 0,
      timeoutMs: 2_000,
      sleep: async () => {},
    }),
    doc: env.doc,
    tables: { calls: env.resources.callsTable, jobs: env.resources.jobsTable },
    enqueue,
    logger,
    counter,
  };
  return { deps, logger, counter, sent };
};

const run = (deps: ReturnType<typeof setup>['deps'], companyIds: string[]) =>
  runOpenReconcile(deps, { companyIds, remainingMs: () => 600_000 });

const consumeAll = async () => {
  const consume = wireConsume(env);
  for (const event of await drainQueue(env)) {
    expect((await consume.handler(event)).batchItemFailures).toEqual([]);
  }
};

test('a job of 1,234 calls over three pages, 10% never delivered: each page fetched once, every missing call recovered', async () => {
  const calls = Array.from({ length: 1234 }, (_, i) => openCall(8_100_000 + i, 81, 41));
  fake.open.register('41', calls);
  const delivered = calls.filter((_, i) => i % 10 !== 3);
  await deliverThrough(
    env,
    delivered.map((data) => ({ body: bodyOf(data) })),
  );
  const { deps, sent, logger } = setup();
  const summary = await run(deps, ['41']);
  expect(summary).toMatchObject({ jobsChecked: 1, pages: 3, listed: 1234, failed: 0, stoppedEarly: false });
  expect(summary.recovered).toBe(1234 - delivered.length);
  expect(summary.alreadyPresent).toBe(delivered.length);
  expect(fake.open.requestsTo(CALLS_DONE).map((request) => request.form.pageNum)).toEqual(['1', '2', '3']);
  expect(new Set(sent).size).toBe(sent.length);
  await consumeAll();
  const recovered = (await getCall(env, 'out#8100003')) as Record<string, unknown>;
  expect(recovered).toMatchObject({
    platform: 'open',
    companyId: '41',
    callJobId: '81',
    state: 'RECORDED',
    sources: new Set(['reconciler']),
    intent: { level: 'B', source: 'ai' },
  });
  expect(recovered.transcriptMissing).toBeUndefined();
  expect((recovered.record as { transcript: unknown[] }).transcript).toHaveLength(2);
  // The summary line of the run, and no full phone number in any line.
  expect(
    logger.lines.find((line) => line.message === 'open-platform reconcile run finished')?.extra,
  ).toMatchObject({
    jobsChecked: 1,
    listed: 1234,
    recovered: summary.recovered,
  });
  expect(logger.text()).not.toMatch(/1\d{10}/);

  // A second run finds everything present and enqueues nothing.
  const again = setup();
  expect(await run(again.deps, ['41'])).toMatchObject({ recovered: 0, alreadyPresent: 1234, failed: 0 });
  expect(again.sent).toEqual([]);
}, 120_000);

test('several companies and jobs, an empty job answering pageNum 0, 64-bit ids and epoch-millisecond times', async () => {
  const big = '9223372036854775001';
  fake.open.register('42', [openCall(8_200_001, 82, 42), openCall(8_200_002, 83, 42)]);
  fake.open.register('43', [openCall(8_300_001, 84, 43, '13900001111')]);
  fake.open.addJob('43', '85');
  // A call whose id is past 2^53, listed with epoch-millisecond times (as the platform lists them).
  fake.open.register('43', [
    { ...openCall(0, 84, 43), callInstance: { ...openCall(0, 84, 43).callInstance, callInstanceId: big } },
  ]);
  const { deps } = setup();
  const summary = await run(deps, ['42', '43']);
  expect(summary).toMatchObject({ companies: 2, jobsChecked: 4, recovered: 4, failed: 0 });
  // The empty job answers pageNum 0: one request, nothing listed, no error.
  expect(fake.open.requestsTo(CALLS_DONE).filter((request) => request.form.callJobId === '85')).toHaveLength(
    1,
  );
  await consumeAll();
  for (const id of ['8200001', '8200002', '8300001', big]) {
    expect([id, (await getCall(env, `out#${id}`))?.state]).toEqual([id, 'RECORDED']);
  }
  const exact = (await getCall(env, `out#${big}`)) as { callId: string; record: { startTime: string } };
  expect(exact.callId).toBe(big);
  expect(exact.record.startTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
});

test('a token that expires mid-run (40000010 once), and 429/500 answers: refreshed, retried, nothing lost', async () => {
  fake.open.register('44', [openCall(8_400_001, 86, 44), openCall(8_400_002, 86, 44)]);
  fake.open.inject(CALLS_DONE, { code: 40000010 }, 1);
  fake.open.inject(CALL_DETAIL, { status: 429 }, 1);
  fake.open.inject(CALL_DETAIL, { status: 500 }, 1);
  const { deps } = setup();
  expect(await run(deps, ['44'])).toMatchObject({ recovered: 2, transcriptsMissing: 0, failed: 0 });
  expect(fake.open.requestsTo(OPEN_TOKEN_PATH)).toHaveLength(2);
  expect(fake.open.requestsTo(CALLS_DONE).map((request) => request.code)).toEqual([40000010, 200]);
  expect(fake.open.requestsTo(CALL_DETAIL).map((request) => request.status)).toEqual([429, 500, 200, 200]);
});

test('a detail that fails: the list entry is stored, the item says its transcript is missing; the callback later merges into it', async () => {
  const data = openCall(8_500_001, 87, 45);
  fake.open.register('45', [data]);
  fake.open.inject(CALL_DETAIL, { code: 40000500 }, 1);
  const { deps } = setup();
  expect(await run(deps, ['45'])).toMatchObject({ recovered: 1, transcriptsMissing: 1, failed: 0 });
  await consumeAll();
  const fromList = (await getCall(env, 'out#8500001')) as Record<string, unknown>;
  expect(fromList).toMatchObject({ state: 'RECORDED', transcriptMissing: true, intent: { level: 'B' } });
  expect((fromList.record as { transcript: unknown[] }).transcript).toEqual([]);

  // 百应 delivers the call after all: one item, both sources, the transcript, no longer missing.
  await deliverThrough(env, [{ body: bodyOf(data) }]);
  const merged = (await getCall(env, 'out#8500001')) as Record<string, unknown>;
  expect(merged).toMatchObject({ deliveries: 2, sources: new Set(['reconciler', 'callback']) });
  expect(merged.transcriptMissing).toBeUndefined();
  expect((merged.record as { transcript: unknown[] }).transcript).toHaveLength(2);
});

test('one company’s failure does not stop the others', async () => {
  fake.open.register('46', [openCall(8_600_001, 88, 46)]);
  fake.open.register('47', [openCall(8_700_001, 89, 47)]);
  // Company 46's job list keeps failing with a business error.
  fake.open.inject(openMethodPath(OPEN_METHODS.jobs), { code: 40000500 }, 1);
  const { deps, sent } = setup();
  const summary = await runOpenReconcile(deps, { companyIds: ['46', '47'], remainingMs: () => 600_000 });
  expect(summary.failed).toBe(1);
  expect(sent).toEqual(['reconcile-open:47:8700001']);
});
