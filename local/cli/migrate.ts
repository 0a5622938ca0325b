/**
 * `npm run migrate -- [--local] [--restart] [--state FILE]`: brings items written by earlier
 * versions up to this one (sharded index keys, `jobShard`, `phoneHash`, `expiresAt`; see
 * migration.ts). Safe to run beside live traffic, safe to run twice, and resumable: an interrupted
 * run continues where it stopped (the position is kept in `--state`, by default under
 * node_modules/.cache); `--restart` starts over.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { phoneHasher } from '../../functions/commons/personal/phone.js';
import { LOCAL_FLAGS } from '../local-config.js';
import { failureMessage } from './failure.js';
import { migrateTables } from './migration.js';
import { bar } from './progress.js';
import { TARGET_FLAGS, type Targets, targetsFromFlags } from './targets.js';

const CACHE = fileURLToPath(new URL('../../node_modules/.cache/byrobot-callbacks/', import.meta.url));

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      ...LOCAL_FLAGS,
      ...TARGET_FLAGS,
      restart: { type: 'boolean', default: false },
      state: { type: 'string' },
    },
  });
  const targets = await targetsFromFlags(values);
  try {
    const stateFile = values.state ?? `${CACHE}migrate-${targets.callsTable.replace(/[^\w.-]/g, '_')}.json`;
    const retentionDays = targets.retention?.retentionDays ?? 0;
    const policy = { retentionDays, hashPhone: phoneHasher(await targets.phoneHashKey()) };
    // An estimate (DynamoDB refreshes it every few hours): for the progress bar only.
    const totals = await itemCounts(targets);
    const tty = process.stderr.isTTY === true;
    const state = await migrateTables(
      targets,
      { shards: targets.indexShards, policy },
      {
        stateFile,
        restart: values.restart,
        ...(tty
          ? {
              onProgress: ({ table, scanned }) =>
                process.stderr.write(
                  `\r${table.padEnd(5)} ${bar(scanned, Math.max(scanned, totals[table]))} ${scanned}/${Math.max(scanned, totals[table])} items  `,
                ),
            }
          : {}),
      },
    );
    if (tty) process.stderr.write('\n');
    console.log(
      JSON.stringify(
        {
          done: state.phase === 'done',
          shards: state.shards,
          retentionDays,
          calls: state.calls,
          jobs: state.jobs,
          stateFile,
        },
        null,
        2,
      ),
    );
  } finally {
    targets.close();
  }
};

/** The tables' approximate item counts. */
const itemCounts = async (targets: Targets) => {
  const count = async (table: string) =>
    (await targets.doc.send(new DescribeTableCommand({ TableName: table }))).Table?.ItemCount ?? 0;
  return { calls: await count(targets.callsTable), jobs: await count(targets.jobsTable) };
};

main().catch((error: unknown) => {
  console.error(failureMessage('migrate', error));
  process.exit(1);
});
