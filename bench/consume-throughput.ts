/**
 * Measure 2 — consume throughput and write units: reading + normalizing + merging each callback
 * into DynamoDB Local, against a raw PutItem of the very item our merge produced, in the same
 * run. Write units come from DynamoDB itself (ReturnConsumedCapacity on every write).
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { readCallback } from '../functions/commons/contract/read-callback.js';
import type { NormalizedRecord } from '../functions/commons/contract/types.js';
import { mergeCall, mergeManualIntent } from '../functions/commons/store/call-store.js';
import { deliveryOf } from '../functions/commons/store/delivery.js';
import { documentClient } from '../functions/commons/store/document-client.js';
import { mergeJob } from '../functions/commons/store/job-store.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../local/emulators.js';
import { createLocalResources } from '../local/resources.js';
import { generateCallbacks } from '../local/simulator/generate.js';
import { Random } from '../local/simulator/random.js';
import type { Figure } from './stats.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 1000);

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
    // Normal-size calls stay one item write: any S3 write here would be a regression.
    const noObjects = async (): Promise<never> => {
      throw new Error('a normal-size call must not write to S3');
    };
    const calls = {
      doc,
      table: resources.callsTable,
      objects: { put: noObjects, get: noObjects, list: noObjects, delete: noObjects },
    };
    const generated = generateCallbacks(new Random(3), {
      count: COUNT,
      companyId: '1',
      idBase: 700_000_000,
      around: Date.now(),
    });
    const merge = (record: NormalizedRecord, index: number) => {
      const delivery = deliveryOf(
        { requestId: `bench-${index}`, receivedAt: new Date(Date.now()).toISOString(), source: 'callback' },
        `archive/bench.jsonl.gz#${index}`,
      );
      if (record.kind === 'call') return mergeCall(calls, record, delivery);
      if (record.kind === 'manualIntent') return mergeManualIntent(calls, record, delivery);
      return mergeJob(doc, resources.jobsTable, record, delivery);
    };

    // DynamoDB Local runs on the JVM: warm it up first, so neither side pays the JIT.
    const warm = generateCallbacks(new Random(99), {
      count: 400,
      companyId: '2',
      idBase: 600_000_000,
      around: Date.now(),
    });
    for (const [index, item] of warm.entries()) {
      const read = readCallback(item.body);
      if (read.ok) for (const record of read.records) await merge(record, -1 - index);
      await doc.send(
        new PutCommand({ TableName: raw.callsTable, Item: { pk: `warm#${index}`, body: item.body } }),
      );
    }
    consumed.units = 0;

    let started = performance.now();
    for (const [index, item] of generated.entries()) {
      const read = readCallback(item.body);
      if (!read.ok) throw new Error(read.error.message);
      for (const record of read.records) await merge(record, index);
    }
    const oursMs = performance.now() - started;
    const oursUnits = consumed.units;

    // The raw baseline writes each resulting item once, as it now stands, with a plain PutItem.
    const items = [];
    for (const item of generated) {
      const table = item.key.startsWith('job#') ? resources.jobsTable : resources.callsTable;
      const stored = (await doc.send(new GetCommand({ TableName: table, Key: { pk: item.key } }))).Item;
      if (stored)
        items.push({ table: table === resources.jobsTable ? raw.jobsTable : raw.callsTable, item: stored });
    }
    const bytes = items.reduce(
      (sum, { item }) =>
        sum + Buffer.byteLength(JSON.stringify(item, (_k, v) => (v instanceof Set ? [...v] : v))),
      0,
    );
    consumed.units = 0;
    started = performance.now();
    for (const [index, { table, item }] of items.entries()) {
      await doc.send(new PutCommand({ TableName: table, Item: { ...item, pk: `${item.pk}#${index}` } }));
    }
    const rawMs = ((performance.now() - started) / items.length) * generated.length;
    const rawUnits = consumed.units / items.length;
    client.destroy();
    return {
      figures: [
        {
          name: `consume throughput (${COUNT} callbacks)`,
          ours: (generated.length / oursMs) * 1000,
          baseline: (generated.length / rawMs) * 1000,
          unit: 'callbacks/s',
          target: { kind: 'min', ratio: 0.5 },
        },
      ],
      unitsPerCallback: oursUnits / generated.length,
      rawUnitsPerCallback: rawUnits,
      averageItemBytes: bytes / items.length,
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
