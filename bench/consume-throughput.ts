/**
 * Measure 2 — consume throughput and write units: reading + normalizing + merging each callback
 * into DynamoDB Local, against a raw PutItem of the very item our merge produced, in the same
 * run. Write units come from DynamoDB itself (ReturnConsumedCapacity on every write).
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { readCallback } from '../functions/commons/contract/read-callback.js';
import type { NormalizedRecord } from '../functions/commons/contract/types.js';
import type { CallsTarget } from '../functions/commons/store/call-store.js';
import { deliveryOf } from '../functions/commons/store/delivery.js';
import { documentClient } from '../functions/commons/store/document-client.js';
import { mergeRecord } from '../functions/commons/store/merge-record.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../local/emulators.js';
import { createLocalResources } from '../local/resources.js';
import { generateCallbacks } from '../local/simulator/generate.js';
import { Random } from '../local/simulator/random.js';
import { type Figure, interleave } from './stats.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const WARM_UP = 1;
/**
 * Callbacks per turn (~50–100 ms of DynamoDB Local work): inside each round ours and the raw
 * PutItems take turns every BLOCK callbacks (see `interleave`), so a slow spell of the JVM or of
 * the machine slows both sides of the round alike instead of whichever side it fell on.
 */
const BLOCK = 10;

/** Adds ReturnConsumedCapacity to every write and sums what DynamoDB reports, failed conditions included. */
const meter = (doc: DynamoDBDocumentClient) => {
  const consumed = { units: 0 };
  doc.middlewareStack.add(
    (next) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      try {
        const result = await next(args);
        consumed.units +=
          (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity
            ?.CapacityUnits ?? 0;
        return result;
      } catch (error) {
        // A failed conditional write is billed too; DynamoDB Local reports no units for it, so count one.
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') consumed.units += 1;
        throw error;
      }
    },
    { step: 'initialize', name: 'meterCapacity' },
  );
  return consumed;
};

/** The calls table as merges see it, with an object store that fails: a normal-size call stays one item write, so any S3 write is a regression. */
export const callsWithoutObjects = (doc: DynamoDBDocumentClient, table: string): CallsTarget => {
  const noObjects = async (): Promise<never> => {
    throw new Error('a normal-size call must not write to S3');
  };
  return { doc, table, objects: { put: noObjects, get: noObjects, list: noObjects, delete: noObjects } };
};

export interface ConsumeFigures {
  readonly figures: Figure[];
  readonly unitsPerCallback: number;
  readonly rawUnitsPerCallback: number;
  readonly averageItemBytes: number;
}

export const runConsumeThroughput = async (): Promise<ConsumeFigures> => {
  const emulators = await startEmulators();
  try {
    const resources = await createLocalResources(emulators, { prefix: 'bench' });
    const raw = await createLocalResources(emulators, { prefix: 'bench-raw' });
    const client = new DynamoDBClient({
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: emulators.dynamoEndpoint,
    });
    const doc = documentClient(client);
    const consumed = meter(doc);
    const calls = callsWithoutObjects(doc, resources.callsTable);
    type Target = { calls: typeof calls; jobsTable: string };
    const mergeInto = (target: Target, record: NormalizedRecord, requestId: string) => {
      const delivery = deliveryOf(
        { requestId, receivedAt: new Date().toISOString(), source: 'callback' },
        `archive/bench.jsonl.gz#${requestId}`,
      );
      return mergeRecord(target.calls, target.jobsTable, record, delivery);
    };
    const consumeAll = async (target: Target, bodies: readonly string[], tag: string) => {
      for (const [index, body] of bodies.entries()) {
        const read = readCallback(body);
        if (!read.ok) throw new Error(read.error.message);
        for (const record of read.records) await mergeInto(target, record, `${tag}-${index}`);
      }
    };
    const measured: Target = { calls, jobsTable: resources.jobsTable };

    // One set of callbacks per round (warm-up included), merged once by ours. The raw baseline
    // PutItems the very items a merge of the same set produced, built before measuring in a
    // scratch table so that either side may run first in a round.
    const sets = Array.from({ length: ROUNDS + WARM_UP }, (_, round) =>
      generateCallbacks(new Random(3 + round), {
        count: COUNT,
        companyId: String(10 + round),
        idBase: 700_000_000 + round * 1_000_000,
        around: Date.now(),
      }).map((item) => ({ key: item.key, body: item.body })),
    );
    const scratch = await createLocalResources(emulators, { prefix: 'bench-scratch' });
    const scratchTarget: Target = {
      calls: { ...calls, table: scratch.callsTable },
      jobsTable: scratch.jobsTable,
    };
    /** Per round, the stored item of each callback (by its index in the set), as a raw PutItem writes it. */
    const rawSets: ({ table: string; item: Record<string, unknown> } | undefined)[][] = [];
    for (const [round, set] of sets.entries()) {
      await consumeAll(
        scratchTarget,
        set.map((item) => item.body),
        `prep-${round}`,
      );
      const items = [];
      for (const { key } of set) {
        const isJob = key.startsWith('job#');
        const table = isJob ? scratch.jobsTable : scratch.callsTable;
        const stored = (await doc.send(new GetCommand({ TableName: table, Key: { pk: key } }))).Item;
        items.push(stored ? { table: isJob ? raw.jobsTable : raw.callsTable, item: stored } : undefined);
      }
      rawSets.push(items);
    }

    // DynamoDB Local runs on the JVM, whose JIT keeps improving for a few thousand requests:
    // warm it up well (the scratch merges above count too), so neither side pays for it.
    const warm = generateCallbacks(new Random(99), {
      count: 1000,
      companyId: '2',
      idBase: 600_000_000,
      around: Date.now(),
    });
    await consumeAll(
      measured,
      warm.map((item) => item.body),
      'warm',
    );
    for (const [index, item] of warm.entries())
      await doc.send(
        new PutCommand({ TableName: raw.callsTable, Item: { pk: `warm#${index}`, body: item.body } }),
      );

    const units = { ours: 0, callbacks: 0, raw: 0, rawItems: 0, bytes: 0 };
    const blockOf = <T>(items: readonly T[], block: number) =>
      items.slice(block * BLOCK, (block + 1) * BLOCK);
    const timed = await interleave(
      ROUNDS,
      Math.ceil(COUNT / BLOCK),
      COUNT,
      async (round, block) => {
        const set = blockOf(sets[round] as (typeof sets)[number], block);
        consumed.units = 0;
        await consumeAll(
          measured,
          set.map((item) => item.body),
          `round-${round}-${block}`,
        );
        if (round < WARM_UP) return;
        units.ours += consumed.units;
        units.callbacks += set.length;
      },
      async (round, block) => {
        consumed.units = 0;
        for (const [offset, entry] of blockOf(rawSets[round] as (typeof rawSets)[number], block).entries()) {
          if (!entry) continue;
          const { table, item } = entry;
          const index = block * BLOCK + offset;
          await doc.send(
            new PutCommand({ TableName: table, Item: { ...item, pk: `${item.pk}#${round}#${index}` } }),
          );
        }
        if (round < WARM_UP) return;
        units.raw += consumed.units;
      },
      WARM_UP,
    );
    // Outside the timed blocks: the items each measured round wrote, counted and sized.
    const written = rawSets.slice(WARM_UP).map((set) => set.filter((entry) => entry !== undefined));
    const writtenItems = written.flat();
    for (const { item } of writtenItems) {
      units.bytes += Buffer.byteLength(JSON.stringify(item, (_k, v) => (v instanceof Set ? [...v] : v)));
    }
    units.rawItems = writtenItems.length;
    // `interleave` gives µs per callback of the round on both sides; the raw side wrote one item
    // per callback that has one (a few share or lack one), so its figure is per item written.
    const perSecond = (us: number) => 1e6 / us;
    const rounds = {
      ours: timed.ours.map(perSecond),
      baseline: timed.baseline.map((us, i) => perSecond((us * COUNT) / (written[i] as unknown[]).length)),
    };
    client.destroy();
    return {
      figures: [
        {
          name: `consume throughput (${COUNT} callbacks)`,
          ...rounds,
          unit: 'callbacks/s',
          target: { kind: 'min', ratio: 0.8 },
        },
      ],
      // Measured rounds only (the warm-up round writes the same kinds of items).
      unitsPerCallback: units.ours / units.callbacks,
      rawUnitsPerCallback: units.raw / units.rawItems,
      averageItemBytes: units.bytes / units.rawItems,
    };
  } finally {
    await emulators.stop();
  }
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ratioLine } = await import('./stats.js');
  const result = await runConsumeThroughput();
  for (const figure of result.figures) console.log(ratioLine(figure));
  console.log(
    `write units per callback: ours ${result.unitsPerCallback.toFixed(2)} vs a raw PutItem of the same item ${result.rawUnitsPerCallback.toFixed(2)} ` +
      `(${(result.unitsPerCallback / result.rawUnitsPerCallback).toFixed(2)}×); average item ${(result.averageItemBytes / 1024).toFixed(1)} KB`,
  );
}
