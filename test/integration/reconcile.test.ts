/**
 * The reconciler end to end on loopback: the fake 百应 OpenAPI, DynamoDB Local and the SQS
 * emulator, with the real consume logic storing what the reconciler enqueues.
 */
import type { SQSEvent } from 'aws-lambda';
import { ByrobotClient } from '../../functions/commons/byrobot/client.js';
import { beijingWindow, runReconcile } from '../../functions/commons/reconcile/reconcile.js';
import { runReconcilers } from '../../functions/commons/reconcile/run.js';
import { DEFAULT_INDEX_SHARDS, shardOf } from '../../functions/commons/store/shards.js';
import { DETAIL_PATH, QUERY_PATH } from '../../local/fake-byrobot.js';
import { useFakeByrobot } from '../support/fake-byrobot.js';
import {
  apiEvent,
  drainQueue,
  getCall,
  reconcilerRig,
  useLocalEnv,
  wireConsume,
  wireIngest,
} from '../support/local-env.js';
import { variantOf } from '../support/vendor.js';

const CREDENTIALS = { appKey: 'ak', appSecret: 'secret' };

const env = useLocalEnv({ prefix: 'reconcile' });
const fake = useFakeByrobot(CREDENTIALS);

const setup = (options: { appSecret?: string; maxAttempts?: number } = {}) => {
  const { logger, counter, sent, enqueue } = reconcilerRig(env);
  const deps = {
    client: new ByrobotClient({
      baseUrl: fake.url,
      credentials: {
        get: async () => ({ ...CREDENTIALS, ...(options.appSecret ? { appSecret: options.appSecret } : {}) }),
        refresh: async () => ({
          ...CREDENTIALS,
          ...(options.appSecret ? { appSecret: options.appSecret } : {}),
        }),
      },
      minIntervalMs: 0,
      timeoutMs: 300,
      maxAttempts: options.maxAttempts ?? 4,
      sleep: async () => {},
    }),
    doc: env.doc,
    callsTable: env.resources.callsTable,
    enqueue,
    logger,
    counter,
  };
  return { deps, logger, counter, sent };
};

const consumeAll = async () => {
  const consume = wireConsume(env);
  let messages = 0;
  for (const event of await drainQueue(env)) {
    messages += event.Records.length;
    const response = await consume.handler(event as SQSEvent);
    if (response.batchItemFailures.length > 0)
      throw new Error(`consume failed: ${consume.logger.text().slice(0, 2000)}`);
  }
  return messages;
};

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));

test('1,234 outbound misses over 3 pages: each page requested once, every call recovered into `calls`', async () => {
  const missing = ids(1_000_000, 1234);
  fake.setMisses(
    '11',
    0,
    missing.map((callInstanceId) => ({ callInstanceId })),
  );
  const { deps } = setup();
  const summary = await runReconcile(deps, {
    companyIds: ['11'],
    lookBackDays: 2,
    remainingMs: () => 600_000,
  });
  expect(summary).toMatchObject({
    listed: 1234,
    recovered: 1234,
    alreadyPresent: 0,
    failed: 0,
    pages: 4,
    stoppedEarly: false,
  });
  const outboundPages = fake.requestsTo(QUERY_PATH).filter((request) => request.query.dataType === '0');
  expect(outboundPages.map((request) => request.query.pageNum)).toEqual(['1', '2', '3']);
  // The window covers 百应's whole retry horizon: yesterday and today, in Beijing dates.
  expect(outboundPages[0]?.query).toMatchObject(beijingWindow(Date.now(), 2));
  expect(fake.requestsTo(DETAIL_PATH)).toHaveLength(1234);
  expect(await consumeAll()).toBe(1234);
  for (const id of [missing[0], missing[617], missing[1233]] as string[]) {
    expect(await getCall(env, `out#${id}`)).toMatchObject({
      state: 'RECORDED',
      sources: new Set(['reconciler']),
      record: { callId: id },
    });
  }
});

test('a second run finds everything present and enqueues nothing; a callback after recovery counts as a second delivery', async () => {
  fake.setMisses(
    '12',
    0,
    ids(2_000_000, 30).map((callInstanceId) => ({ callInstanceId })),
  );
  const first = setup();
  await runReconcile(first.deps, { companyIds: ['12'], lookBackDays: 2, remainingMs: () => 600_000 });
  await consumeAll();
  const second = setup();
  const summary = await runReconcile(second.deps, {
    companyIds: ['12'],
    lookBackDays: 2,
    remainingMs: () => 600_000,
  });
  expect(summary).toMatchObject({ listed: 30, recovered: 0, alreadyPresent: 30 });
  expect(second.sent).toEqual([]);
  // 百应 finally delivers one of them itself.
  const ingest = wireIngest(env);
  await ingest.handler(
    apiEvent(
      variantOf(
        'outbound',
        (inner) => ((inner.sceneInstance as Record<string, unknown>).callInstanceId = 2_000_003),
      ),
    ),
  );
  await consumeAll();
  expect(await getCall(env, 'out#2000003')).toMatchObject({
    deliveries: 2,
    sources: new Set(['reconciler', 'callback']),
  });
});

test('injected 500s, 408s, timeouts and malformed bodies are retried or reported; nothing is enqueued twice', async () => {
  const missing = ids(3_000_000, 40);
  fake.setMisses(
    '13',
    0,
    missing.map((callInstanceId) => ({ callInstanceId })),
  );
  const forCall = (index: number) => (query: URLSearchParams) =>
    query.get('callInstanceId') === missing[index];
  fake.inject(QUERY_PATH, { status: 500 }, 2);
  fake.inject(QUERY_PATH, { code: 408 });
  // Each of these calls fails a few times, then succeeds within its 4 attempts.
  fake.inject(DETAIL_PATH, { status: 503 }, 3, forCall(1));
  fake.inject(DETAIL_PATH, { delayMs: 600 }, 2, forCall(2));
  fake.inject(DETAIL_PATH, { body: '<html>gateway</html>' }, 2, forCall(3));
  fake.inject(DETAIL_PATH, { code: 408 }, 1, forCall(4));
  // A 200 whose data is not a call is reported at once (not retried in this run).
  fake.inject(DETAIL_PATH, { body: '{"code":200,"data":"not an object"}' }, 1, forCall(5));
  // One call is unrecoverable this run: every attempt fails.
  fake.inject(DETAIL_PATH, { status: 500 }, 4, forCall(7));
  const { deps, sent, logger } = setup();
  const summary = await runReconcile(deps, {
    companyIds: ['13'],
    lookBackDays: 2,
    remainingMs: () => 600_000,
  });
  expect(summary).toMatchObject({ listed: 40, recovered: 38, failed: 2, stoppedEarly: false });
  expect(new Set(sent).size).toBe(sent.length);
  expect(sent).toHaveLength(38);
  expect(logger.lines.some((line) => line.message.startsWith('missed call not recovered'))).toBe(true);
  expect(await consumeAll()).toBe(38);
  // The next run picks up the two that failed.
  const next = setup();
  expect(
    await runReconcile(next.deps, { companyIds: ['13'], lookBackDays: 2, remainingMs: () => 600_000 }),
  ).toMatchObject({ recovered: 2, alreadyPresent: 38 });
  expect(next.sent).toEqual([`reconcile:13:${missing[5]}`, `reconcile:13:${missing[7]}`]);
});

test('a wrong signature is refused by 百应: the run fails loudly (alarm), nothing is enqueued', async () => {
  fake.setMisses('14', 0, [{ callInstanceId: '4000000' }]);
  const { deps, sent, counter } = setup({ appSecret: 'not-the-secret' });
  await expect(
    runReconcile(deps, { companyIds: ['14'], lookBackDays: 2, remainingMs: () => 600_000 }),
  ).rejects.toMatchObject({ kind: 'unauthorized' });
  expect(sent).toEqual([]);
  expect(counter.total('ReconcileFailures')).toBe(1);
});

test('inbound misses become MISSING markers, visible by company and day, replaced when the callback arrives', async () => {
  fake.setMisses('1', 1, [
    {
      callInstanceId: '1091',
      callerTime: '2019-01-24 15:27:39',
      customerTelephone: '13733105333',
      callJobId: '98',
    },
  ]);
  const { deps, logger } = setup();
  const summary = await runReconcile(deps, {
    companyIds: ['1'],
    lookBackDays: 2,
    remainingMs: () => 600_000,
  });
  expect(summary).toMatchObject({ markedMissing: 1, recovered: 0 });
  expect(await getCall(env, 'in#1091')).toMatchObject({
    state: 'MISSING',
    direction: 'inbound',
    companyDate: `1#2019-01-24#${shardOf('1091', DEFAULT_INDEX_SHARDS)}`,
    sortTime: '2019-01-24T15:27:39+08:00',
    callJobId: '98',
    missing: { callerTime: '2019-01-24T15:27:39+08:00', customerTelephone: '13733105333' },
  });
  expect(logger.text()).not.toContain('13733105333');
  // A later run leaves the marker as it is (idempotent).
  await runReconcile(setup().deps, { companyIds: ['1'], lookBackDays: 2, remainingMs: () => 600_000 });
  const { vendorBody } = await import('../support/vendor.js');
  await wireIngest(env).handler(apiEvent(vendorBody('inbound')));
  await consumeAll();
  const item = await getCall(env, 'in#1091');
  expect(item).toMatchObject({ state: 'RECORDED', record: { callId: '1091' } });
  expect(item?.missing).toBeUndefined();
  // Once recorded, the reconciler counts it as present.
  expect(
    await runReconcile(setup().deps, { companyIds: ['1'], lookBackDays: 2, remainingMs: () => 600_000 }),
  ).toMatchObject({ alreadyPresent: 1, markedMissing: 0 });
});

test('a run that runs out of time stops cleanly; the next run continues', async () => {
  fake.setMisses(
    '15',
    0,
    ids(5_000_000, 20).map((callInstanceId) => ({ callInstanceId })),
  );
  let budget = 10;
  const first = setup();
  const summary = await runReconcile(first.deps, {
    companyIds: ['15'],
    lookBackDays: 2,
    remainingMs: () => (budget-- > 0 ? 60_000 : 1_000),
  });
  expect(summary.stoppedEarly).toBe(true);
  expect(summary.recovered).toBeGreaterThan(0);
  expect(summary.recovered).toBeLessThan(20);
  await consumeAll();
  const next = await runReconcile(setup().deps, {
    companyIds: ['15'],
    lookBackDays: 2,
    remainingMs: () => 600_000,
  });
  expect(next.recovered + summary.recovered).toBe(20);
  expect(next.alreadyPresent).toBe(summary.recovered);
});

describe('limits found in review', () => {
  test('one call 百应 refuses (403) or answers with another call is counted; the rest of the run goes on', async () => {
    fake.setMisses(
      '21',
      0,
      ['2100001', '2100002', '2100003'].map((callInstanceId) => ({ callInstanceId })),
    );
    fake.inject(DETAIL_PATH, { status: 403 }, 1, (query) => query.get('callInstanceId') === '2100001');
    fake.setDetail('2100002', fake.detailOf('2100099'));
    const { deps, sent } = setup();
    const summary = await runReconcile(deps, {
      companyIds: ['21'],
      lookBackDays: 2,
      remainingMs: () => 600_000,
    });
    expect(summary).toMatchObject({ listed: 3, recovered: 1, failed: 2 });
    expect(sent).toEqual(['reconcile:21:2100003']);
  });

  test('a persistent failure of one company does not starve the others: every pair goes first in turn, whatever the schedule', async () => {
    const firsts: string[] = [];
    // Every 30 minutes on the dot (the default schedule): the time of a run must not decide its order.
    for (let run = 0; run < 8; run++) {
      const { deps } = setup();
      const order: string[] = [];
      const runDeps = {
        ...deps,
        now: () => Date.UTC(2026, 10, 27, 12 + Math.floor(run / 2), (run % 2) * 30),
        client: {
          queryUnCallBack: async (query: { companyId: string; dataType: 0 | 1 }) => {
            order.push(`${query.companyId}/${query.dataType}`);
            if (query.companyId === '31') throw new Error('company 31 keeps failing');
            return { pageNum: 1, pageSize: 500, total: 0, pages: 0, list: [] };
          },
          phoneLogInfo: deps.client.phoneLogInfo.bind(deps.client),
        },
      };
      await runReconcilers(
        { classic: runDeps },
        {
          companies: { companyIds: ['31', '32'], openCompanyIds: [] },
          lookBackDays: 2,
          remainingMs: () => 600_000,
        },
      );
      expect([...order].sort()).toEqual(['31/0', '31/1', '32/0', '32/1']);
      firsts.push(order[0] as string);
    }
    // Four runs cover the four pairs, inbound ones included; the next four repeat the cycle.
    expect(new Set(firsts.slice(0, 4)).size).toBe(4);
    expect(firsts.slice(4)).toEqual(firsts.slice(0, 4));
  });
});
