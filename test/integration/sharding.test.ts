/**
 * Sharded index keys on DynamoDB Local: the readers that fan out over every shard (and the day
 * keys from before sharding) answer exactly as one unsharded index would — the same calls in the
 * same order, for generated days and jobs; and the migration brings a table written by the
 * previous version (test/fixtures/items-before-sharding.json) up to date: interrupted and
 * resumed, beside a delivery that lands mid-way, and a no-op the second time.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, paginateScan, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { BY_COMPANY_DATE } from '../../functions/commons/definitions.js';
import { phoneHasher } from '../../functions/commons/personal/phone.js';
import { mergedIndex } from '../../functions/commons/store/index-reader.js';
import type { CallItem } from '../../functions/commons/store/items.js';
import {
  companyDateKeys,
  companyDateOf,
  jobShardOf,
  legacyCompanyDateOf,
} from '../../functions/commons/store/keys.js';
import { shardOf } from '../../functions/commons/store/shards.js';
import { callsOfDay, callsOfJob } from '../../local/cli/export.js';
import { migrateTables } from '../../local/cli/migration.js';
import { subjectReport } from '../../local/cli/personal-data.js';
import type { Targets } from '../../local/cli/targets.js';
import { LOCAL_PHONE_HASH_KEY } from '../../local/local-config.js';
import { localTargets, useLocalEnv } from '../support/local-env.js';
import { fixturePath } from '../support/vendor.js';

const env = useLocalEnv({ prefix: 'sharding' });

const pksOf = async (pages: AsyncGenerator<CallItem[]>): Promise<string[]> => {
  const pks: string[] = [];
  for await (const page of pages) pks.push(...page.map((item) => item.pk));
  return pks;
};
const byTimeThenKey = (a: { sortTime: string; pk: string }, b: { sortTime: string; pk: string }) =>
  a.sortTime < b.sortTime ? -1 : a.sortTime > b.sortTime ? 1 : a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : 0;

describe('fan-out readers answer as one unsharded index', () => {
  interface Generated {
    readonly pk: string;
    readonly company: string;
    readonly day: string;
    readonly sortTime: string;
    readonly job?: string;
    /** Written by a version before sharding: the day key without a shard, no job shard. */
    readonly legacy: boolean;
  }

  const callsArbitrary = fc.uniqueArray(
    fc.record({
      id: fc.integer({ min: 1, max: 10_000_000 }),
      company: fc.constantFrom('1', '2'),
      day: fc.constantFrom('2026-12-01', '2026-12-02'),
      // Few distinct times: many calls share one (ties are ordered by key).
      minute: fc.integer({ min: 0, max: 5 }),
      job: fc.option(fc.constantFrom('71', '72', '73'), { nil: undefined }),
      legacy: fc.boolean(),
      outbound: fc.boolean(),
    }),
    { selector: (call) => call.id, minLength: 1, maxLength: 60 },
  );

  let run = 0;
  test('every company-day and every job, for 1 to 8 shards: the same calls, in (sortTime, pk) order', async () => {
    await fc.assert(
      fc.asyncProperty(callsArbitrary, fc.integer({ min: 1, max: 8 }), async (calls, shards) => {
        run += 1;
        const targets: Targets = { ...localTargets(env), indexShards: shards };
        // Each run's companies and jobs are its own: runs share the table.
        const company = (id: string) => `r${run}c${id}`;
        const job = (id: string) => `${run}0${id}`;
        const items: Generated[] = calls.map((call) => {
          const pk = `${call.outbound ? 'out' : 'in'}#${call.id}`;
          return {
            pk,
            company: company(call.company),
            day: call.day,
            sortTime: `${call.day}T10:0${call.minute}:00+08:00`,
            ...(call.job ? { job: job(call.job) } : {}),
            legacy: call.legacy,
          };
        });
        for (const item of items) {
          const callId = item.pk.slice(item.pk.indexOf('#') + 1);
          const shard = shardOf(callId, shards);
          await env.doc.send(
            new PutCommand({
              TableName: env.resources.callsTable,
              Item: {
                pk: item.pk,
                callId,
                companyId: item.company,
                sortTime: item.sortTime,
                state: 'RECORDED',
                companyDate: item.legacy
                  ? legacyCompanyDateOf(item.company, item.day)
                  : companyDateOf(item.company, item.day, shard),
                ...(item.job ? { callJobId: item.job } : {}),
                ...(item.job && !item.legacy ? { jobShard: jobShardOf(item.job, shard) } : {}),
              },
            }),
          );
        }
        for (const c of ['1', '2'])
          for (const day of ['2026-12-01', '2026-12-02']) {
            const expected = items
              .filter((item) => item.company === company(c) && item.day === day)
              .sort(byTimeThenKey)
              .map((item) => item.pk);
            expect(await pksOf(callsOfDay(targets, company(c), day))).toEqual(expected);
          }
        for (const j of ['71', '72', '73']) {
          // The job index holds what carries a job shard (the migration adds it to older items).
          const expected = items
            .filter((item) => item.job === job(j) && !item.legacy)
            .sort(byTimeThenKey)
            .map((item) => item.pk);
          expect(await pksOf(callsOfJob(targets, job(j)))).toEqual(expected);
        }
        // Chunked as a caller asks, still in order and whole.
        const chunks: string[][] = [];
        for await (const chunk of mergedIndex(
          env.doc,
          {
            table: env.resources.callsTable,
            index: BY_COMPANY_DATE.name,
            partitionKey: BY_COMPANY_DATE.partitionKey,
            keys: companyDateKeys(company('1'), '2026-12-01', shards),
          },
          3,
        ))
          chunks.push(chunk.map((entry) => entry.pk));
        expect(chunks.every((chunk) => chunk.length <= 3)).toBe(true);
        expect(chunks.flat()).toEqual(
          items
            .filter((item) => item.company === company('1') && item.day === '2026-12-01')
            .sort(byTimeThenKey)
            .map((item) => item.pk),
        );
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});

describe('npm run migrate on a table the previous version wrote', () => {
  const fixture = JSON.parse(readFileSync(fixturePath('items-before-sharding'), 'utf8')) as {
    calls: Record<string, unknown>[];
    jobs: Record<string, unknown>[];
  };
  const stateFile = join(tmpdir(), `migrate-test-${process.pid}.json`);
  const policy = { retentionDays: 400, hashPhone: phoneHasher(LOCAL_PHONE_HASH_KEY) };
  const scanCalls = async (): Promise<CallItem[]> => {
    const items: CallItem[] = [];
    for await (const page of paginateScan({ client: env.doc }, { TableName: env.resources.callsTable }))
      items.push(
        ...((page.Items ?? []) as CallItem[]).filter((item) => item.companyId?.startsWith('r') !== true),
      );
    return items;
  };
  const days = new Set<string>();
  const before = new Map<string, string[]>();

  beforeAll(async () => {
    for (const item of fixture.calls)
      await env.clients.dynamo.send(
        new PutItemCommand({ TableName: env.resources.callsTable, Item: item as never }),
      );
    for (const item of fixture.jobs)
      await env.clients.dynamo.send(
        new PutItemCommand({ TableName: env.resources.jobsTable, Item: item as never }),
      );
    for (const item of await scanCalls())
      if (typeof item.companyDate === 'string') days.add(item.companyDate);
    // What the readers answer before: the unsharded day keys are read too.
    for (const key of days) {
      const [company, day] = key.split('#') as [string, string];
      before.set(key, await pksOf(callsOfDay(localTargets(env), company, day)));
    }
  }, 60_000);

  test('the fixture is what the previous version wrote: unsharded day keys, no job shard, no phone hash', async () => {
    const calls = await scanCalls();
    expect(calls.length).toBe(fixture.calls.length);
    expect([...days].every((key) => /^[^#]+#\d{4}-\d{2}-\d{2}$/.test(key))).toBe(true);
    expect(calls.some((item) => 'jobShard' in item || 'phoneHash' in item || 'expiresAt' in item)).toBe(
      false,
    );
    expect([...before.values()].flat().length).toBeGreaterThan(60);
  });

  test('interrupted after one page, resumed, beside a delivery: every call gets its shard, job shard, phone hash and expiry', async () => {
    const targets = localTargets(env);
    const first = await migrateTables(
      targets,
      { shards: 16, policy },
      { stateFile, restart: true, pageSize: 20, maxPages: 1 },
    );
    expect(first.phase).toBe('calls');
    expect(first.calls.scanned).toBe(20);
    expect(first.lastKey).toBeDefined();

    // A delivery changes an item the run has not reached yet, between the scan and the write.
    let raced = false;
    const racing: Targets = {
      ...targets,
      doc: new Proxy(targets.doc, {
        get(target, property, receiver) {
          if (property !== 'send') return Reflect.get(target, property, receiver);
          return async (command: { input?: { Key?: { pk?: string }; UpdateExpression?: string } }) => {
            const key = command.input?.Key?.pk;
            if (!raced && command instanceof UpdateCommand && key?.startsWith('out#')) {
              raced = true;
              await target.send(
                new UpdateCommand({
                  TableName: env.resources.callsTable,
                  Key: { pk: key },
                  UpdateExpression: 'ADD deliveries :one',
                  ExpressionAttributeValues: { ':one': 1 },
                }),
              );
            }
            return target.send(command as never);
          };
        },
      }),
    };
    const done = await migrateTables(racing, { shards: 16, policy }, { stateFile, pageSize: 20 });
    expect(done.phase).toBe('done');
    // Every item of the table (the fan-out test's own share it), each once.
    let total = 0;
    for await (const page of paginateScan({ client: env.doc }, { TableName: env.resources.callsTable }))
      total += page.Items?.length ?? 0;
    expect(done.calls.scanned).toBe(total);
    expect(done.calls.raced).toBeGreaterThanOrEqual(1);
    expect(done.jobs.scanned).toBe(fixture.jobs.length);

    const hash = phoneHasher(LOCAL_PHONE_HASH_KEY);
    for (const item of await scanCalls()) {
      const callId = item.callId as string;
      const shard = shardOf(callId, 16);
      if (item.companyDate) expect(item.companyDate).toMatch(new RegExp(`#${shard}$`));
      if (item.callJobId)
        expect((item as { jobShard?: string }).jobShard).toBe(jobShardOf(item.callJobId, shard));
      expect(item.expiresAt).toBe(Math.floor(Date.parse(item.sortTime as string) / 1000) + 400 * 86_400);
      const number = item.record?.customerTelephone ?? item.missing?.customerTelephone;
      if (typeof number === 'string' && /^\d{11}$/.test(number)) expect(item.phoneHash).toBe(hash(number));
    }
  });

  test('the readers answer as before; the jobs and the numbers are found through their new indexes', async () => {
    const targets = localTargets(env);
    for (const [key, pks] of before) {
      const [company, day] = key.split('#') as [string, string];
      expect(await pksOf(callsOfDay(targets, company, day))).toEqual(pks);
    }
    const calls = await scanCalls();
    const jobs = new Set(calls.map((item) => item.callJobId).filter((id): id is string => Boolean(id)));
    expect(jobs.size).toBeGreaterThan(2);
    for (const job of jobs) {
      const expected = calls
        .filter((item) => item.callJobId === job)
        .map((item) => ({ pk: item.pk, sortTime: item.sortTime as string }))
        .sort(byTimeThenKey)
        .map((item) => item.pk);
      expect(await pksOf(callsOfJob(targets, job))).toEqual(expected);
    }
    const simulated = calls.find((item) => /^\d{11}$/.test(String(item.record?.customerTelephone)));
    const found = await subjectReport(targets, String(simulated?.record?.customerTelephone));
    expect(found.calls.map((item) => (item as CallItem).pk)).toContain(simulated?.pk);
  });

  test('a second run changes nothing', async () => {
    const again = await migrateTables(localTargets(env), { shards: 16, policy }, { stateFile });
    expect(again).toMatchObject({ phase: 'done', calls: { updated: 0 }, jobs: { updated: 0 } });
  });
});
