/**
 * The store's edges, through the real ingest and consume on DynamoDB Local and the S3/SQS
 * emulator: oversized calls, the index day, manual changes without a level, vendor time,
 * poison keys, and which failures are quarantined at once.
 */

import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3ObjectStore } from '../../functions/commons/consume/s3-object-store.js';
import { BUCKET_PREFIXES } from '../../functions/commons/definitions.js';
import type { CallItem } from '../../functions/commons/store/items.js';
import { companyDateOf } from '../../functions/commons/store/keys.js';
import { OverflowIntegrityError, reassembleCall } from '../../functions/commons/store/overflow.js';
import { DEFAULT_INDEX_SHARDS, shardOf } from '../../functions/commons/store/shards.js';
import { deliverThrough, getCall, getJob, useLocalEnv } from '../support/local-env.js';
import { variantOf } from '../support/vendor.js';

type Json = Record<string, unknown>;
/** A call item read back as the readers type it. */
const asItem = (item: Json) => item as unknown as CallItem;

const env = useLocalEnv({ prefix: 'edges' });

/** Posts bodies through ingest (claim check above 256 KB, as deployed) and consumes everything queued. */
const deliver = async (deliveries: Parameters<typeof deliverThrough>[1]) => {
  const delivered = await deliverThrough(env, deliveries, { maxMessageBytes: 256 * 1024 });
  expect(delivered.replies.map((reply) => reply.body)).toEqual(deliveries.map(() => 'success'));
  return delivered;
};

const objectsUnder = async (prefix: string): Promise<string[]> =>
  (
    await env.clients.s3.send(new ListObjectsV2Command({ Bucket: env.resources.bucket, Prefix: prefix }))
  ).Contents?.map((object) => object.Key as string) ?? [];

const scene = (inner: Json) => inner.sceneInstance as Json;

/** The vendor's outbound example as call `callId`. */
const outboundCall = (callId: number) =>
  variantOf('outbound', (inner) => {
    scene(inner).callInstanceId = callId;
  });

const bigCall = (callId: number, options: { propertiesBytes: number; lines: number; lineChars: number }) =>
  variantOf('outbound', (inner) => {
    scene(inner).callInstanceId = callId;
    scene(inner).properties = JSON.stringify({ notes: '备'.repeat(Math.floor(options.propertiesBytes / 3)) });
    (inner.phoneLog as Json).phoneLogs = Array.from({ length: options.lines }, (_, i) => ({
      sceneInstanceLogId: 5_000_000 + i,
      speaker: i % 2 === 0 ? 'AI' : 'ME',
      content: `第${i}句 ${'话'.repeat(options.lineChars)}`,
      startTime: i * 1000,
      endTime: i * 1000 + 800,
    }));
  });

describe('1. calls larger than one DynamoDB item are stored whole', () => {
  test.each([
    ['a 1.2 MB call', 7001, { propertiesBytes: 300_000, lines: 600, lineChars: 500 }],
    [
      '600 KB of properties and 900 transcript lines',
      7002,
      { propertiesBytes: 600_000, lines: 900, lineChars: 40 },
    ],
  ])(
    '%s: the item keeps the small fields, S3 the rest, and it reads back whole',
    async (_name, callId, size) => {
      const body = bigCall(callId, size);
      expect(Buffer.byteLength(body)).toBeGreaterThan(500_000);
      const { failures, consumeAgain } = await deliver([{ body }]);
      expect(failures).toEqual([]);
      const item = (await getCall(env, `out#${callId}`)) as Json;
      expect(item.state).toBe('RECORDED');
      expect(item.companyDate).toBe(
        companyDateOf('1', '2019-01-12', shardOf(String(callId), DEFAULT_INDEX_SHARDS)),
      );
      const pointer = item.recordOverflow as { key: string; sha256: string; fields: string[] };
      expect(pointer.key.startsWith(`${BUCKET_PREFIXES.records}out/${callId}/`)).toBe(true);
      // The largest parts moved; every other field stayed in the item.
      expect(pointer.fields.length).toBeGreaterThan(0);
      for (const field of pointer.fields) expect((item.record as Json)[field]).toBeUndefined();
      expect((item.record as Json).durationSeconds).toBe(35);
      expect((item.record as Json).customerTelephone).toBe('137xxxxxxxx');

      const whole = await reassembleCall(asItem(item), s3ObjectStore(env.clients.s3, env.resources.bucket));
      const record = whole.record as unknown as Json;
      expect((record.transcript as unknown[]).length).toBe(size.lines);
      expect((record.transcript as Json[])[size.lines - 1]?.content).toBe(
        `第${size.lines - 1}句 ${'话'.repeat(size.lineChars)}`,
      );
      expect(((record.properties as Json).notes as string).length).toBe(Math.floor(size.propertiesBytes / 3));

      // A replay of the same message writes the same object again: no second object, no new delivery.
      await consumeAgain();
      expect(await objectsUnder(`${BUCKET_PREFIXES.records}out/${callId}/`)).toEqual([pointer.key]);
      expect(((await getCall(env, `out#${callId}`)) as Json).deliveries).toBe(1);
    },
  );

  test('a stored part that no longer matches its sha256 is refused on read, never returned as the call', async () => {
    await deliver([{ body: bigCall(7004, { propertiesBytes: 600_000, lines: 10, lineChars: 10 }) }]);
    const item = (await getCall(env, 'out#7004')) as Json;
    const pointer = item.recordOverflow as { key: string };
    const objects = s3ObjectStore(env.clients.s3, env.resources.bucket);
    // Someone (or something) rewrote the part: valid gzip JSON, different content.
    const { gzipSync } = await import('node:zlib');
    await objects.put(
      pointer.key,
      gzipSync(JSON.stringify({ properties: { notes: 'changed' } })),
      'application/gzip',
    );
    await expect(reassembleCall(asItem(item), objects)).rejects.toBeInstanceOf(OverflowIntegrityError);
    await expect(reassembleCall(asItem(item), objects)).rejects.toThrow(pointer.key);
  });

  test('a normal call is one item write and leaves nothing under records/', async () => {
    await deliver([{ body: bigCall(7003, { propertiesBytes: 3_000, lines: 30, lineChars: 20 }) }]);
    const item = (await getCall(env, 'out#7003')) as Json;
    expect(item.recordOverflow).toBeUndefined();
    expect(((item.record as Json).transcript as unknown[]).length).toBe(30);
    expect(await objectsUnder(`${BUCKET_PREFIXES.records}out/7003/`)).toEqual([]);
  });
});

describe('3. the index day is stable', () => {
  // 23:59:50 and 00:00:10 Beijing on either side of midnight (UTC+8).
  const beforeMidnight = Date.UTC(2026, 10, 26, 15, 59, 50);
  const afterMidnight = Date.UTC(2026, 10, 26, 16, 0, 10);

  test('a call without any time of its own stays on the day it first arrived when redelivered after midnight', async () => {
    const body = variantOf('outbound', (inner) => {
      scene(inner).callInstanceId = 7101;
      for (const key of ['startTime', 'endTime', 'gmtCreate', 'gmtModified']) delete scene(inner)[key];
    });
    await deliver([{ body, receivedAt: beforeMidnight }]);
    await deliver([{ body, receivedAt: afterMidnight }]);
    const item = (await getCall(env, 'out#7101')) as Json;
    expect(item.deliveries).toBe(2);
    expect(item.companyDate).toBe(companyDateOf('1', '2026-11-26', shardOf('7101', DEFAULT_INDEX_SHARDS)));
    expect(item.sortTime).toBe('2026-11-26T23:59:50+08:00');
  });

  test('a call with only an end time is filed by it', async () => {
    const body = variantOf('outbound', (inner) => {
      scene(inner).callInstanceId = 7102;
      delete scene(inner).startTime;
    });
    await deliver([{ body, receivedAt: afterMidnight }]);
    expect(((await getCall(env, 'out#7102')) as Json).companyDate).toBe(
      companyDateOf('1', '2019-01-12', shardOf('7102', DEFAULT_INDEX_SHARDS)),
    );
  });

  test('a manual change filed by receive time moves to the call’s own day once the record comes', async () => {
    const manual = variantOf('manualIntent', (inner) => {
      inner.taskResult = [
        { companyId: 1, sceneInstanceId: 7103, resultName: '客户意向等级', resultValue: 'A' },
      ];
    });
    await deliver([{ body: manual, receivedAt: afterMidnight }]);
    const shard = shardOf('7103', DEFAULT_INDEX_SHARDS);
    expect(((await getCall(env, 'out#7103')) as Json).companyDate).toBe(
      companyDateOf('1', '2026-11-27', shard),
    );
    const record = variantOf('outbound', (inner) => {
      scene(inner).callInstanceId = 7103;
    });
    await deliver([{ body: record, receivedAt: afterMidnight + 60_000 }]);
    const item = (await getCall(env, 'out#7103')) as Json;
    expect(item.companyDate).toBe(companyDateOf('1', '2019-01-12', shard));
    expect(item.sortTime).toBe('2019-01-12T16:09:32+08:00');
    expect((item.intent as Json).level).toBe('A');
  });
});

const manualChange = (callId: number, results: Json[], extra: Json = {}) =>
  variantOf('manualIntent', (inner) => {
    inner.taskResult = results.map((result) => ({ companyId: 1, sceneInstanceId: callId, ...result }));
    Object.assign(inner, extra);
  });

describe('4. a manual change without the level leaves the level alone', () => {
  test('label-only change after a level change: level kept, both results kept, its warnings and extras stored', async () => {
    const callId = 7201;
    const t = Date.UTC(2026, 10, 26, 2, 0, 0);
    await deliver([
      { body: outboundCall(callId), receivedAt: t },
      {
        body: manualChange(callId, [{ resultName: '客户意向等级', resultValue: 'A级(较强)' }]),
        receivedAt: t + 1000,
      },
      {
        body: manualChange(
          callId,
          [
            {
              resultName: '客户标签',
              resultValue: '[7]',
              operator: 'agent-1',
              gmtCreate: '2026-11-26T10:00:01+08:00',
            },
          ],
          { dateTime: 'Thu, 26 Nov 2026 02:00:02 GMT' },
        ),
        receivedAt: t + 2000,
      },
    ]);
    const item = (await getCall(env, `out#${callId}`)) as Json;
    expect(item.intent).toMatchObject({ level: 'A', source: 'manual' });
    const results = item.manualResults as Record<string, Json>;
    expect(Object.keys(results).sort()).toEqual(['客户意向等级', '客户标签']);
    expect(results.客户标签).toMatchObject({ value: '[7]', valueParsed: [7] });
    const change = item.manualChange as Json;
    expect(change.signedAt).toBe('2026-11-26T10:00:02+08:00');
    expect(change.extra).toEqual({ 'data.data.taskResult[0].operator': 'agent-1' });
    expect((change.warnings as Json[]).map((warning) => warning.code)).toContain('time-format');
  });
});

describe('5. vendor time beats arrival time', () => {
  test('a job’s older status retried after a newer one does not win', async () => {
    const status = (code: number, modified: string) =>
      variantOf('job', (inner) => {
        inner.callJobId = 7301;
        inner.status = code;
        inner.gmtModified = modified;
      });
    const t = Date.UTC(2026, 10, 26, 2, 0, 0);
    await deliver([{ body: status(2, '2026-11-26 10:05:00'), receivedAt: t }]);
    await deliver([{ body: status(4, '2026-11-26 10:00:00'), receivedAt: t + 60_000 }]);
    const job = (await getJob(env, '7301')) as Json;
    expect(job.status).toEqual({ code: 2, name: 'COMPLETED' });
    expect(Object.keys(job.history as Json).sort()).toEqual([
      '2@2026-11-26T10:05:00+08:00',
      '4@2026-11-26T10:00:00+08:00',
    ]);
  });

  test('without a vendor time, receive time decides', async () => {
    const status = (code: number) =>
      variantOf('job', (inner) => {
        inner.callJobId = 7302;
        inner.status = code;
      });
    const t = Date.UTC(2026, 10, 26, 2, 0, 0);
    await deliver([{ body: status(4), receivedAt: t }]);
    await deliver([{ body: status(2), receivedAt: t + 60_000 }]);
    expect(((await getJob(env, '7302')) as Json).status).toEqual({ code: 2, name: 'COMPLETED' });
  });

  test('a manual change’s newer level (by gmtModified) is kept when an older one arrives later', async () => {
    const callId = 7303;
    const t = Date.UTC(2026, 10, 26, 2, 0, 0);
    const change = (value: string, modified: string) =>
      manualChange(callId, [{ resultName: '客户意向等级', resultValue: value, gmtModified: modified }]);
    await deliver([{ body: change('A', '2026-11-26 10:05:00'), receivedAt: t }]);
    await deliver([{ body: change('D', '2026-11-26 10:00:00'), receivedAt: t + 60_000 }]);
    expect(((await getCall(env, `out#${callId}`)) as Json).intent).toMatchObject({ level: 'A' });
  });
});

describe('9. poison keys', () => {
  test('properties and fields named constructor, __proto__, toString are stored as plain data', async () => {
    const callId = 7401;
    const body = variantOf('outbound', (inner) => {
      scene(inner).callInstanceId = callId;
      scene(inner).properties = '{"constructor":"x","toString":{"a":1},"hasOwnProperty":2,"客户":"张三"}';
      scene(inner).userProperties = '{"__proto__":{"polluted":true},"ok":1}';
    }).replace('"jobFinished"', '"constructor": {"name": "Foo"}, "jobFinished"');
    const { failures, consume } = await deliver([{ body }]);
    expect(failures).toEqual([]);
    expect(consume.counter.total('CallbacksQuarantined')).toBe(0);
    const record = ((await getCall(env, `out#${callId}`)) as Json).record as Json;
    expect(record.properties).toEqual({
      constructor: 'x',
      toString: { a: 1 },
      hasOwnProperty: 2,
      客户: '张三',
    });
    // A map holding a __proto__ key is kept whole as its JSON text (the marshaller would drop the key).
    expect(JSON.parse((record.userProperties as { json: string }).json)).toEqual(
      JSON.parse('{"__proto__":{"polluted":true},"ok":1}'),
    );
    expect((record.extra as Json)['data.data.constructor']).toEqual({ name: 'Foo' });
    expect(({} as Json).polluted).toBeUndefined();
  });
});

describe('a failure that will not change on retry is quarantined at once', () => {
  const failingWith = (name: string) => {
    const doc = Object.create(env.doc) as typeof env.doc;
    doc.send = (() => {
      const error = new Error(`refused by the test (${name})`);
      error.name = name;
      return Promise.reject(error);
    }) as typeof env.doc.send;
    return doc;
  };

  test('ValidationException → quarantined (kept, counted), not retried', async () => {
    const { failures, consume } = await deliverThrough(env, [{ body: outboundCall(7501) }], {
      consumeDoc: failingWith('ValidationException'),
    });
    expect(failures).toEqual([]);
    expect(consume.counter.total('CallbacksQuarantined')).toBe(1);
    const warned = consume.logger.lines.find((line) => line.message === 'callback quarantined');
    expect(warned?.extra).toMatchObject({ reason: 'UNSTORABLE_RECORD' });
  });

  test('SerializationException → quarantined as UNSTORABLE_RECORD, not retried', async () => {
    const { failures, consume } = await deliverThrough(env, [{ body: outboundCall(7503) }], {
      consumeDoc: failingWith('SerializationException'),
    });
    expect(failures).toEqual([]);
    const warned = consume.logger.lines.find((line) => line.message === 'callback quarantined');
    expect(warned?.extra).toMatchObject({ reason: 'UNSTORABLE_RECORD' });
  });

  test('a job status too large for one item → quarantined as RECORD_TOO_LARGE, not retried into the DLQ', async () => {
    const body = variantOf('job', (inner) => {
      inner.callJobId = 7504;
      inner.remark = '备'.repeat(140_000);
    });
    const { failures, consume } = await deliverThrough(env, [{ body }]);
    expect(failures).toEqual([]);
    const warned = consume.logger.lines.find((line) => line.message === 'callback quarantined');
    expect(warned?.extra).toMatchObject({ reason: 'RECORD_TOO_LARGE' });
    expect(await getJob(env, '7504')).toBeUndefined();
  });

  test('throttling → reported for retry, not quarantined', async () => {
    const { failures, consume } = await deliverThrough(env, [{ body: outboundCall(7502) }], {
      consumeDoc: failingWith('ProvisionedThroughputExceededException'),
    });
    expect(failures).toHaveLength(1);
    expect(consume.counter.total('CallbacksQuarantined')).toBe(0);
  });
});
