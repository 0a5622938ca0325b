/**
 * Lambda's DynamoDB stream event source, locally: reads the tables' streams on DynamoDB Local and
 * hands each batch to the handler as a DynamoDBStreamEvent, in order per shard. A record the
 * handler reports failed is handed over again (from that record on) after a short pause.
 */

import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './emulators.js';

export interface StreamDriver {
  stop(): Promise<void>;
}

/**
 * The SDK's Streams client reads an empty map attribute (`{"M":{}}` on the wire) back as `{}`, a
 * value of no type, which unmarshall refuses; Lambda delivers it as `{"M":{}}`. Put it back.
 */
type Attribute = Record<string, unknown>;

const restoreValue = (value: Attribute): Attribute => {
  if (Object.keys(value).length === 0) return { M: {} };
  if (value.M) return { M: restoreImage(value.M as Record<string, Attribute>) };
  if (Array.isArray(value.L)) return { L: (value.L as Attribute[]).map(restoreValue) };
  return value;
};

const restoreImage = (attributes: Record<string, Attribute>): Record<string, Attribute> =>
  Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, restoreValue(value)]));

const image = (attributes: unknown) => restoreImage(attributes as Record<string, Attribute>) as never;

const toLambdaRecord = (record: StreamRecord, streamArn: string): DynamoDBRecord => {
  const change = record.dynamodb ?? {};
  const created = change.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: LOCAL_REGION,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: created
        ? Math.floor(new Date(created).getTime() / 1000)
        : Math.floor(Date.now() / 1000),
      Keys: change.Keys as never,
      ...(change.NewImage ? { NewImage: image(change.NewImage) } : {}),
      ...(change.OldImage ? { OldImage: image(change.OldImage) } : {}),
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType as never,
    },
  };
};

export const startStreamDriver = (options: {
  readonly dynamo: DynamoDBClient;
  readonly dynamoEndpoint: string;
  readonly tables: readonly string[];
  readonly handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;
  readonly onError?: (error: unknown) => void;
  readonly pollMs?: number;
}): StreamDriver => {
  const streams = new DynamoDBStreamsClient({
    endpoint: options.dynamoEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const pollMs = options.pollMs ?? 200;
  let running = true;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Follows one shard to its end, handing over each batch; returns when the shard closes or we stop. */
  const followShard = async (streamArn: string, shardId: string): Promise<void> => {
    /** The last sequence number handed over and accepted: where a fresh iterator starts. */
    let last: string | undefined;
    const iteratorFrom = async () =>
      (
        await streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ...(last
              ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last }
              : { ShardIteratorType: 'TRIM_HORIZON' }),
          }),
        )
      ).ShardIterator;
    let iterator = await iteratorFrom();
    let pending: DynamoDBRecord[] = [];
    while (running && (iterator || pending.length > 0)) {
      if (pending.length === 0 && iterator) {
        let page: GetRecordsCommandOutput;
        try {
          page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
        } catch (error) {
          // DynamoDB Local expires and trims iterators eagerly: start again after the last record taken.
          const name = (error as { name?: string }).name;
          if (name !== 'TrimmedDataAccessException' && name !== 'ExpiredIteratorException') throw error;
          await pause(pollMs);
          iterator = await iteratorFrom();
          continue;
        }
        iterator = page.NextShardIterator;
        pending = (page.Records ?? []).map((record) => toLambdaRecord(record, streamArn));
        if (pending.length === 0) {
          await pause(pollMs);
          continue;
        }
      }
      let failedAt = -1;
      try {
        const response = await options.handler({ Records: pending });
        const failed = response?.batchItemFailures?.[0]?.itemIdentifier;
        failedAt = failed ? pending.findIndex((record) => record.dynamodb?.SequenceNumber === failed) : -1;
      } catch (error) {
        options.onError?.(error);
        failedAt = 0;
      }
      const taken = failedAt < 0 ? pending : pending.slice(0, failedAt);
      last = taken.at(-1)?.dynamodb?.SequenceNumber ?? last;
      if (failedAt < 0) {
        pending = [];
      } else {
        pending = pending.slice(failedAt);
        await pause(pollMs * 5);
      }
    }
  };

  const followTable = async (table: string): Promise<void> => {
    const followed = new Set<string>();
    const active = new Set<Promise<void>>();
    while (running) {
      try {
        const { Table } = await options.dynamo.send(new DescribeTableCommand({ TableName: table }));
        const streamArn = Table?.LatestStreamArn;
        if (streamArn) {
          const { StreamDescription } = await streams.send(
            new DescribeStreamCommand({ StreamArn: streamArn }),
          );
          // Shards are followed in order: a child shard only after its parent is done.
          for (const shard of StreamDescription?.Shards ?? []) {
            const id = shard.ShardId as string;
            if (followed.has(id) || (shard.ParentShardId && !followed.has(shard.ParentShardId))) continue;
            followed.add(id);
            const run = followShard(streamArn, id).catch((error) => options.onError?.(error));
            active.add(run);
            await run;
            active.delete(run);
          }
        }
      } catch (error) {
        if (running) options.onError?.(error);
      }
      await pause(pollMs * 5);
    }
    await Promise.all(active);
  };

  const loops = options.tables.map((table) => followTable(table));
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      streams.destroy();
    },
  };
};
