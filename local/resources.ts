/**
 * Creates, on the emulators, the same tables, indexes, queue, DLQ and bucket that the CDK stack
 * deploys, from the one shared definition (functions/commons/definitions.ts).
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  LOCAL_BUCKET,
  QUEUE,
  RECORDINGS,
  TABLES,
  type TableDefinition,
  TTL_ATTRIBUTE,
} from '../functions/commons/definitions.js';
import { s3ClientConfig } from '../functions/commons/s3-config.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './emulators.js';

export interface LocalResources {
  readonly callsTable: string;
  readonly jobsTable: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly bucket: string;
  readonly recordingsQueueUrl: string;
  readonly recordingsDlqUrl: string;
  /** Where the local event bus also sends every event, for local subscribers. */
  readonly eventsQueueUrl: string;
}

export interface LocalEndpoints {
  readonly dynamoEndpoint: string;
  readonly awsEndpoint: string;
}

const clientConfig = (endpoint: string) => ({
  endpoint,
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
});

/** S3 client settings for the emulator (path-style, local credentials). */
export const localS3Config = (awsEndpoint: string): S3ClientConfig =>
  s3ClientConfig(awsEndpoint, { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

export const localClients = (endpoints: LocalEndpoints) => ({
  dynamo: new DynamoDBClient(clientConfig(endpoints.dynamoEndpoint)),
  sqs: new SQSClient(clientConfig(endpoints.awsEndpoint)),
  s3: new S3Client(localS3Config(endpoints.awsEndpoint)),
});

export const tableInput = (table: TableDefinition, name: string): CreateTableCommandInput => {
  const attributes = new Set([
    table.partitionKey,
    ...table.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ]);
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [{ AttributeName: table.partitionKey, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: table.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: {
        ProjectionType: 'INCLUDE',
        NonKeyAttributes: index.projection.filter((attribute) => attribute !== table.partitionKey),
      },
    })),
    // As deployed: item changes feed the events publisher.
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
};

/** Idempotent: creating what already exists (a persisted DynamoDB Local) is fine. */
export interface LocalResourceOptions {
  readonly prefix?: string;
  /** The deployed queue uses 6× the consumer timeout; tests shorten it to see redrives quickly. */
  readonly visibilityTimeoutSeconds?: number;
}

export const createLocalResources = async (
  endpoints: LocalEndpoints,
  options: LocalResourceOptions = {},
): Promise<LocalResources> => {
  const prefix = options.prefix ?? 'byrobot-callbacks-local';
  const { dynamo, sqs, s3 } = localClients(endpoints);
  try {
    const names = Object.fromEntries(TABLES.map((table) => [table.id, `${prefix}-${table.id}`]));
    for (const table of TABLES) {
      try {
        await dynamo.send(new CreateTableCommand(tableInput(table, names[table.id] as string)));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
        // A table kept from an earlier version (--persist) may have no stream yet.
        const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: names[table.id] }));
        if (!Table?.StreamSpecification?.StreamEnabled) {
          await dynamo.send(
            new UpdateTableCommand({
              TableName: names[table.id],
              StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
            }),
          );
        }
        // …nor an index added since (one per update, as DynamoDB allows).
        const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
        const input = tableInput(table, names[table.id] as string);
        for (const index of input.GlobalSecondaryIndexes ?? []) {
          if (present.has(index.IndexName)) continue;
          await dynamo.send(
            new UpdateTableCommand({
              TableName: names[table.id],
              AttributeDefinitions: input.AttributeDefinitions,
              GlobalSecondaryIndexUpdates: [{ Create: index }],
            }),
          );
        }
      }
      // As deployed (DynamoDB Local records the setting; it does not delete expired items).
      await dynamo
        .send(
          new UpdateTimeToLiveCommand({
            TableName: names[table.id],
            TimeToLiveSpecification: { Enabled: true, AttributeName: TTL_ATTRIBUTE },
          }),
        )
        .catch((error: unknown) => {
          // Enabling it again on a persisted table is refused: it is on already.
          if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
        });
    }
    const events = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${prefix}-events`,
        Attributes: { MessageRetentionPeriod: String(4 * 86_400) },
      }),
    );
    const dlq = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${prefix}-${QUEUE.dlqId}`,
        Attributes: { MessageRetentionPeriod: String(QUEUE.retentionDays * 86_400) },
      }),
    );
    const dlqUrl = dlq.QueueUrl as string;
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn as string;
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${prefix}-${QUEUE.id}`,
        Attributes: {
          VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? QUEUE.visibilityTimeoutSeconds),
          MaximumMessageSize: String(QUEUE.maxMessageBytes),
          MessageRetentionPeriod: String(QUEUE.retentionDays * 86_400),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: QUEUE.maxReceiveCount,
          }),
        },
      }),
    );
    const recordingsDlq = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${prefix}-${RECORDINGS.dlqId}`,
        Attributes: { MessageRetentionPeriod: String(QUEUE.retentionDays * 86_400) },
      }),
    );
    const recordingsDlqArn = (
      await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: recordingsDlq.QueueUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn as string;
    const recordingsQueue = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${prefix}-${RECORDINGS.queueId}`,
        Attributes: {
          VisibilityTimeout: String(RECORDINGS.timeoutSeconds * 2),
          MessageRetentionPeriod: String(RECORDINGS.retentionDays * 86_400),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: recordingsDlqArn,
            maxReceiveCount: RECORDINGS.maxReceiveCount,
          }),
        },
      }),
    );
    const bucket = prefix === 'byrobot-callbacks-local' ? LOCAL_BUCKET : `${prefix}-bucket`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: { name?: string }) => {
      if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
    });
    return {
      callsTable: names.calls as string,
      jobsTable: names.jobs as string,
      queueUrl: queue.QueueUrl as string,
      dlqUrl,
      bucket,
      recordingsQueueUrl: recordingsQueue.QueueUrl as string,
      eventsQueueUrl: events.QueueUrl as string,
      recordingsDlqUrl: recordingsDlq.QueueUrl as string,
    };
  } finally {
    dynamo.destroy();
    sqs.destroy();
    s3.destroy();
  }
};
