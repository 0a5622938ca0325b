/**
 * Measure 8 — the per-company and per-job write ceiling. One company's calls, all of one job on
 * one Beijing day, arrive at a fixed rate on a logical clock: each call's record, 百应's
 * redeliveries of some, manual intent changes for some, the recordings worker's outcome. Every
 * write goes to DynamoDB Local with ReturnConsumedCapacity=INDEXES, which reports the write units
 * it cost on the table and on each index; they are summed per partition key (the item's, or its
 * key in each index) per logical second. DynamoDB takes at most 1,000 write units a second on one
 * partition key, so the rate at which the busiest key would reach that is
 *
 *     ceiling = rate × 1,000 / (busiest key's write units in its busiest second).
 *
 * Measured for the sharded keys as deployed and, in the same run, for one shard (every call of
 * the day and of the job on one key, as before sharding). The target is 5,000 calls a second for
 * one company and for one job; the logical clock makes the figure independent of this machine's
 * speed, and a second's sample at a high rate keeps the busiest-shard estimate close to its mean.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../functions/commons/consume/map-limit.js';
import { readCallback } from '../functions/commons/contract/read-callback.js';
import type { NormalizedRecord } from '../functions/commons/contract/types.js';
import { DEFAULT_INDEX_SHARDS } from '../functions/commons/definitions.js';
import { writeRecording } from '../functions/commons/recordings/recording-state.js';
import type { CallsTarget } from '../functions/commons/store/call-store.js';
import { deliveryOf } from '../functions/commons/store/delivery.js';
import { documentClient } from '../functions/commons/store/document-client.js';
import type { CallItem } from '../functions/commons/store/items.js';
import { mergeRecord } from '../functions/commons/store/merge-record.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../local/emulators.js';
import { localPolicy } from '../local/local-config.js';
import { createLocalResources } from '../local/resources.js';
import { generateCallbacks } from '../local/simulator/generate.js';
import { Random } from '../local/simulator/random.js';
import type { Figure } from './stats.js';

/** Calls a logical second, and for how many seconds. */
const RATE = Number(process.env.BENCH_CEILING_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_CEILING_SECONDS ?? 3);
/** What the issue asks of one company and of one job. */
export const CEILING_TARGET = 5000;
/** DynamoDB's write limit on one partition key. */
const KEY_WCU_PER_SECOND = 1000;

const COMPANY = '9001';
const JOB = '424242';
const DAY_NOON = Date.parse('2026-12-01T12:00:00+08:00');

/** A write at a logical time: one record merged, or one recording outcome noted. */
interface Step {
  readonly at: number;
  readonly pk: string;
  readonly run: (calls: CallsTarget, jobsTable: string) => Promise<unknown>;
}

/** Every `companyId` and `callJobId` in a callback's data set to ours. */
const ours = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(ours);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === 'companyId' ? Number(COMPANY) : key === 'callJobId' ? Number(JOB) : ours(inner),
    ]),
  );
};

const recordsOf = (body: string): readonly NormalizedRecord[] => {
  const read = readCallback(body);
  if (!read.ok) throw new Error(`a generated callback does not read: ${read.error.message}`);
  return read.records;
};

/** The day's traffic of one company and one job, on a logical clock (seconds). */
const traffic = (): Step[] => {
  const random = new Random(8);
  const generated = generateCallbacks(random, {
    count: Math.ceil(RATE * SECONDS * 1.6),
    companyId: COMPANY,
    platform: 'classic',
    idBase: 800_000_000,
    around: DAY_NOON,
  });
  const steps: Step[] = [];
  const calls = generated.filter((item) => item.kind === 'outbound').slice(0, RATE * SECONDS);
  const changes = generated.filter((item) => item.kind === 'manualIntent');
  const receivedAt = (at: number) => DAY_NOON + 3600_000 + at * 1000;
  const merge = (pk: string, at: number, body: string, id: string): Step => ({
    at,
    pk,
    run: async (target, jobsTable) => {
      for (const record of recordsOf(body))
        await mergeRecord(
          target,
          jobsTable,
          record,
          deliveryOf({
            requestId: id,
            receivedAt: new Date(receivedAt(at)).toISOString(),
            source: 'callback',
          }),
        );
    },
  });
  for (const [i, call] of calls.entries()) {
    const at = i / RATE;
    const body = JSON.stringify(ours(JSON.parse(call.body)));
    steps.push(merge(call.key, at, body, `${call.key}#1`));
    // 百应 retries one delivery in five (its reply was lost): a duplicate, a few seconds later.
    if (random.chance(0.2)) steps.push(merge(call.key, at + random.int(1, 5), body, `${call.key}#1`));
    // The recordings worker notes the copy a few seconds on (a map entry: no index attribute).
    steps.push({
      at: at + random.int(1, 4),
      pk: call.key,
      run: (target) =>
        writeRecording(
          target.doc,
          target.table,
          call.key,
          'call',
          {
            status: 'ARCHIVED',
            url: 'https://x.aliyuncs.com/a.wav',
            attempts: 1,
            updatedAt: new Date().toISOString(),
          },
          undefined,
        ),
    });
  }
  // A third of the calls get a manual intent change within the minute.
  for (const change of changes.slice(0, Math.floor(calls.length / 3))) {
    const at = random.int(0, SECONDS * 1000) / 1000 + random.int(0, 2);
    steps.push(merge(change.key, at, JSON.stringify(ours(JSON.parse(change.body))), `${change.key}#m`));
  }
  return steps.sort((a, b) => a.at - b.at);
};

interface Metered {
  readonly pk: string;
  readonly at: number;
  readonly table: number;
  readonly indexes: Readonly<Record<string, number>>;
}

/** The doc client with ReturnConsumedCapacity=INDEXES on every write, reporting to `record`. */
const metered = (
  doc: DynamoDBDocumentClient,
  onWrite: (pk: string, table: number, indexes: Record<string, number>) => void,
) => {
  doc.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as {
        ReturnConsumedCapacity?: string;
        Key?: { pk?: string };
        Item?: { pk?: string };
        UpdateExpression?: string;
      };
      const pk = input.Key?.pk ?? input.Item?.pk;
      const isWrite = input.UpdateExpression !== undefined || input.Item !== undefined;
      if (!isWrite || pk === undefined) return next(args);
      input.ReturnConsumedCapacity = 'INDEXES';
      try {
        const result = await next(args);
        const consumed = (
          result.output as {
            ConsumedCapacity?: {
              Table?: { CapacityUnits?: number };
              GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
            };
          }
        ).ConsumedCapacity;
        onWrite(
          pk,
          consumed?.Table?.CapacityUnits ?? 0,
          Object.fromEntries(
            Object.entries(consumed?.GlobalSecondaryIndexes ?? {}).map(([name, units]) => [
              name,
              units.CapacityUnits ?? 0,
            ]),
          ),
        );
        return result;
      } catch (error) {
        // A failed conditional write costs a write unit on the table; DynamoDB Local reports none.
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') onWrite(pk, 1, {});
        throw error;
      }
    },
    { step: 'initialize', name: 'meterIndexes' },
  );
};

export interface CeilingRun {
  readonly shards: number;
  /** Write units of the busiest key in its busiest second, per table/index. */
  readonly busiest: Readonly<Record<string, { key: string; units: number }>>;
  readonly companyCeiling: number;
  readonly jobCeiling: number;
  readonly writes: number;
}

const INDEX_ATTRIBUTE: Readonly<Record<string, keyof CallItem | 'jobShard'>> = {
  byCompanyDate: 'companyDate',
  byJobShard: 'jobShard',
  byPhone: 'phoneHash',
};

const measure = async (
  doc: DynamoDBDocumentClient,
  tables: { calls: string; jobs: string },
  shards: number,
  steps: readonly Step[],
): Promise<CeilingRun> => {
  const writes: Metered[] = [];
  let now = 0;
  metered(doc, (pk, table, indexes) => writes.push({ pk, at: now, table, indexes }));
  const target: CallsTarget = {
    doc,
    table: tables.calls,
    objects: {
      put: async () => {},
      get: async () => new Uint8Array(),
      list: async () => [],
      delete: async () => {},
    },
    policy: localPolicy(),
    shards,
  };
  // Steps of one tenth of a logical second run together (one item's in order); the next tenth after.
  const ticks = new Map<number, Step[]>();
  for (const step of steps)
    ticks.set(Math.floor(step.at * 10), [...(ticks.get(Math.floor(step.at * 10)) ?? []), step]);
  for (const [tick, batch] of [...ticks.entries()].sort((a, b) => a[0] - b[0])) {
    now = tick / 10;
    const byItem = new Map<string, Step[]>();
    for (const step of batch) byItem.set(step.pk, [...(byItem.get(step.pk) ?? []), step]);
    await mapLimit([...byItem.values()], 16, async (ordered) => {
      for (const step of ordered) await step.run(target, tables.jobs);
    });
  }
  // Each item's keys in each index, as the run left them.
  const keysOf = new Map<string, Record<string, string>>();
  for await (const page of paginateScan({ client: doc }, { TableName: tables.calls }))
    for (const item of (page.Items ?? []) as Record<string, unknown>[])
      keysOf.set(
        item.pk as string,
        Object.fromEntries(
          Object.entries(INDEX_ATTRIBUTE).map(([index, attribute]) => [index, String(item[attribute])]),
        ),
      );
  // Units per (table or index, key, logical second).
  const sums = new Map<string, number>();
  const add = (where: string, key: string, second: number, units: number) => {
    const id = `${where}\u0000${key}\u0000${second}`;
    sums.set(id, (sums.get(id) ?? 0) + units);
  };
  for (const write of writes) {
    const second = Math.floor(write.at);
    add('table', write.pk, second, write.table);
    for (const [index, units] of Object.entries(write.indexes))
      add(index, keysOf.get(write.pk)?.[index] ?? '?', second, units);
  }
  const busiest: Record<string, { key: string; units: number }> = {};
  for (const [id, units] of sums) {
    const [where, key] = id.split('\u0000') as [string, string];
    if ((busiest[where]?.units ?? 0) < units) busiest[where] = { key, units };
  }
  // The table's keys are the calls themselves: their load does not grow with the rate.
  const ceiling = (where: string) => (RATE * KEY_WCU_PER_SECOND) / Math.max(1, busiest[where]?.units ?? 0);
  return {
    shards,
    busiest,
    companyCeiling: ceiling('byCompanyDate'),
    jobCeiling: ceiling('byJobShard'),
    writes: writes.length,
  };
};

export interface CeilingFigures {
  readonly figures: Figure[];
  readonly rows: string[];
}

export const runIndexCeiling = async (): Promise<CeilingFigures> => {
  const emulators = await startEmulators();
  try {
    const steps = traffic();
    const runs: CeilingRun[] = [];
    for (const shards of [DEFAULT_INDEX_SHARDS, 1]) {
      const resources = await createLocalResources(emulators, { prefix: `ceiling-${shards}` });
      const client = new DynamoDBClient({
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
        endpoint: emulators.dynamoEndpoint,
      });
      try {
        runs.push(
          await measure(
            documentClient(client),
            { calls: resources.callsTable, jobs: resources.jobsTable },
            shards,
            steps,
          ),
        );
      } finally {
        client.destroy();
      }
    }
    const [sharded, single] = runs as [CeilingRun, CeilingRun];
    const line = (name: string, ours: number): Figure => ({
      name,
      ours: [ours],
      baseline: [CEILING_TARGET],
      unit: 'calls/s',
      target: { kind: 'min', ratio: 1 },
    });
    const figures: Figure[] = [
      line('per-company ceiling (calls/s)', sharded.companyCeiling),
      line('per-job ceiling (calls/s)', sharded.jobCeiling),
      {
        name: 'per-company ceiling vs one shard',
        ours: [sharded.companyCeiling],
        baseline: [single.companyCeiling],
        unit: 'calls/s',
        target: { kind: 'report', ratio: 1 },
      },
    ];
    const rows = runs.map(
      (run) =>
        `${String(run.shards).padStart(2)} shard(s), ${RATE} calls/s for ${SECONDS} s (${run.writes} writes): busiest key's units in a second — ${Object.entries(
          run.busiest,
        )
          .map(([where, { units }]) => `${where} ${units}`)
          .join(
            ', ',
          )}; ceiling company ${run.companyCeiling.toFixed(0)}/s, job ${run.jobCeiling.toFixed(0)}/s`,
    );
    return { figures, rows };
  } finally {
    await emulators.stop();
  }
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { figures, rows } = await runIndexCeiling();
  const { ratioLine } = await import('./stats.js');
  for (const row of rows) console.log(row);
  for (const figure of figures) console.log(ratioLine(figure));
}
