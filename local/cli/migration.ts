/**
 * Brings items written by earlier versions up to this one, in place: a call's `companyDate` gets
 * its shard (same day), `jobShard` is added (the `byJobShard` index), `phoneHash` where the item
 * holds a readable number (the `byPhone` index), `expiresAt` when a retention is set; a job gets
 * its `expiresAt`. Readers find unsharded day keys without it; the job and phone indexes, and
 * retention, need it.
 *
 * Idempotent (an item already right is not written), resumable (the scan position is saved after
 * every page), and safe beside live traffic: each write is guarded by the item's delivery count,
 * so a merge in between makes the item be read and worked out again rather than overwritten.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from '../../functions/commons/definitions.js';
import { type DataPolicy, expiresAtOf, phoneHashOf } from '../../functions/commons/personal/policy.js';
import type { CallItem, JobItem } from '../../functions/commons/store/items.js';
import { companyDateOf, jobShardOf } from '../../functions/commons/store/keys.js';
import { shardOf } from '../../functions/commons/store/shards.js';
import type { Targets } from './targets.js';

export interface MigrationContext {
  readonly shards: number;
  readonly policy: DataPolicy;
}

type Changes = Record<string, unknown>;

/** `<company>#<yyyy-MM-dd>` or `<company>#<yyyy-MM-dd>#<shard>`: the company and the day. */
const DAY_KEY = /^(.+)#(\d{4}-\d{2}-\d{2})(?:#\d+)?$/;

/** What a call item lacks or holds in an earlier form; {} when it is up to date. */
export const callChanges = (item: CallItem, context: MigrationContext): Changes => {
  // Items that are not calls (the reconciler's run counter) have no call id.
  if (typeof item.callId !== 'string') return {};
  const changes: Changes = {};
  const shard = shardOf(item.callId, context.shards);
  const day = typeof item.companyDate === 'string' ? DAY_KEY.exec(item.companyDate) : null;
  if (day) {
    const sharded = companyDateOf(day[1] as string, day[2] as string, shard);
    if (sharded !== item.companyDate) changes.companyDate = sharded;
  }
  if (typeof item.callJobId === 'string') {
    const jobShard = jobShardOf(item.callJobId, shard);
    if (jobShard !== (item as { jobShard?: string }).jobShard) changes.jobShard = jobShard;
  }
  if (item.erasedAt === undefined && item.phoneHash === undefined) {
    const phoneHash = phoneHashOf(context.policy, item as Parameters<typeof phoneHashOf>[1]);
    if (phoneHash) changes.phoneHash = phoneHash;
  }
  if (item.expiresAt === undefined) {
    const expiresAt = expiresAtOf(context.policy, item.sortTime ?? item.firstReceivedAt);
    if (expiresAt !== undefined) changes[TTL_ATTRIBUTE] = expiresAt;
  }
  return changes;
};

/** What a job item lacks: its expiry, from its newest status. */
export const jobChanges = (item: JobItem, context: MigrationContext): Changes => {
  if (item.expiresAt !== undefined) return {};
  const expiresAt = expiresAtOf(context.policy, item.job?.modifiedAt ?? item.lastReceivedAt);
  return expiresAt === undefined ? {} : { [TTL_ATTRIBUTE]: expiresAt };
};

export interface MigrationCounts {
  scanned: number;
  updated: number;
  /** Items changed by a delivery while being migrated, worked out again. */
  raced: number;
}

export interface MigrationState {
  readonly tables: { readonly calls: string; readonly jobs: string };
  readonly shards: number;
  phase: 'calls' | 'jobs' | 'done';
  lastKey?: Record<string, unknown>;
  calls: MigrationCounts;
  jobs: MigrationCounts;
}

export interface MigrationOptions {
  /** Where the scan position is kept between runs. */
  readonly stateFile: string;
  /** Ignore a saved position and start over. */
  readonly restart?: boolean;
  /** Items per scan page (and per save of the position). @default 100 */
  readonly pageSize?: number;
  /** Stop after this many pages (an interrupted run, in tests). */
  readonly maxPages?: number;
  readonly onProgress?: (progress: { table: 'calls' | 'jobs'; scanned: number }) => void;
}

const counts = (): MigrationCounts => ({ scanned: 0, updated: 0, raced: 0 });

const readState = (options: MigrationOptions, targets: Targets, shards: number): MigrationState => {
  const fresh: MigrationState = {
    tables: { calls: targets.callsTable, jobs: targets.jobsTable },
    shards,
    phase: 'calls',
    calls: counts(),
    jobs: counts(),
  };
  if (options.restart) return fresh;
  try {
    const saved = JSON.parse(readFileSync(options.stateFile, 'utf8')) as MigrationState;
    // A position in other tables, or for another shard count, means nothing here.
    const same =
      saved.tables.calls === fresh.tables.calls &&
      saved.tables.jobs === fresh.tables.jobs &&
      saved.shards === shards;
    // A finished run is not resumed: the next one checks every item again (and finds nothing to do).
    return same && saved.phase !== 'done' ? saved : fresh;
  } catch {
    return fresh;
  }
};

const saveState = (file: string, state: MigrationState): void => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
};

/** Writes `changes` if the item has not taken a delivery since it was read; false if it has. */
const apply = async (targets: Targets, table: string, item: CallItem | JobItem, changes: Changes) => {
  const names: Record<string, string> = { '#pk': 'pk', '#deliveries': 'deliveries' };
  const values: Record<string, unknown> = {};
  const sets = Object.entries(changes).map(([attribute, value], i) => {
    names[`#a${i}`] = attribute;
    values[`:v${i}`] = value;
    return `#a${i} = :v${i}`;
  });
  const count = item.deliveries;
  if (typeof count === 'number') values[':count'] = count;
  try {
    await targets.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: `attribute_exists(#pk) AND ${
          typeof count === 'number' ? '#deliveries = :count' : 'attribute_not_exists(#deliveries)'
        }`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** Migrates one item, reading it again as long as deliveries change it under the write. */
const migrateItem = async (
  targets: Targets,
  table: string,
  item: CallItem | JobItem,
  changesOf: (item: never) => Changes,
  tally: MigrationCounts,
): Promise<void> => {
  let current: CallItem | JobItem | undefined = item;
  for (let attempt = 0; attempt < 5 && current; attempt += 1) {
    const changes = changesOf(current as never);
    if (Object.keys(changes).length === 0) return;
    if (await apply(targets, table, current, changes)) {
      tally.updated += 1;
      return;
    }
    tally.raced += 1;
    current = (
      await targets.doc.send(new GetCommand({ TableName: table, Key: { pk: item.pk }, ConsistentRead: true }))
    ).Item as CallItem | JobItem | undefined;
  }
  if (current) throw new Error(`${item.pk} kept changing during its migration; run migrate again`);
};

/** Runs (or resumes) the migration of both tables; resolves with the counts, `phase: 'done'` when finished. */
export const migrateTables = async (
  targets: Targets,
  context: MigrationContext,
  options: MigrationOptions,
): Promise<MigrationState> => {
  const state = readState(options, targets, context.shards);
  let pages = 0;
  const phases = [
    {
      phase: 'calls' as const,
      table: targets.callsTable,
      changesOf: (item: CallItem) => callChanges(item, context),
    },
    {
      phase: 'jobs' as const,
      table: targets.jobsTable,
      changesOf: (item: JobItem) => jobChanges(item, context),
    },
  ];
  for (const { phase, table, changesOf } of phases) {
    if (state.phase === 'done' || (state.phase === 'jobs' && phase === 'calls')) continue;
    const tally = state[phase];
    do {
      if (options.maxPages !== undefined && pages >= options.maxPages) return state;
      const page = await targets.doc.send(
        new ScanCommand({
          TableName: table,
          Limit: options.pageSize ?? 100,
          ...(state.lastKey ? { ExclusiveStartKey: state.lastKey } : {}),
        }),
      );
      for (const item of (page.Items ?? []) as (CallItem & JobItem)[]) {
        await migrateItem(targets, table, item, changesOf as (item: never) => Changes, tally);
        tally.scanned += 1;
      }
      pages += 1;
      if (page.LastEvaluatedKey) state.lastKey = page.LastEvaluatedKey;
      else delete state.lastKey;
      saveState(options.stateFile, state);
      options.onProgress?.({ table: phase, scanned: tally.scanned });
    } while (state.lastKey);
    state.phase = phase === 'calls' ? 'jobs' : 'done';
    saveState(options.stateFile, state);
  }
  return state;
};
