/**
 * Which tables, bucket and queue a CLI works on: the local stack's (`--local`), or a deployed
 * stack's, taken from flags or from the stack's outputs (`--stack`, default ByrobotCallbacks).
 */

import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_BUCKET, QUEUE, RECORDINGS } from '../../functions/commons/definitions.js';
import { fetchSecretKey } from '../../functions/commons/personal/hash-key.js';
import { documentClient } from '../../functions/commons/store/document-client.js';
import { DEFAULT_INDEX_SHARDS, indexShardsFrom } from '../../functions/commons/store/shards.js';
import {
  LOCAL_INDEX_SHARDS,
  LOCAL_PHONE_HASH_KEY,
  LOCAL_RETENTION_DAYS,
  localEndpoints,
} from '../local-config.js';
import { localClients } from '../resources.js';

export interface Targets {
  readonly callsTable: string;
  readonly jobsTable: string;
  readonly bucket: string;
  readonly queueUrl: string;
  /** The recordings worker's queue; undefined when recordings are off. */
  readonly recordingsQueueUrl?: string;
  readonly doc: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  /** Shards of the index keys, as the stack writes them (its output `IndexShards`). */
  readonly indexShards: number;
  /** The stack's phone hash key (the local one, or read from the secret the stack's outputs name). */
  phoneHashKey(): Promise<string>;
  /** How long each copy of the data lives, as the stack was deployed (its outputs); undefined when unknown. */
  readonly retention?: Retention;
  close(): void;
}

/** Days each copy lives; 0 keeps it. */
export interface Retention {
  readonly retentionDays: number;
  readonly archiveExpireDays: number;
  readonly quarantineExpireDays: number;
  readonly recordingsExpireDays: number;
}

export const TARGET_FLAGS = {
  stack: { type: 'string', default: 'ByrobotCallbacks' },
  'calls-table': { type: 'string' },
  'jobs-table': { type: 'string' },
  bucket: { type: 'string' },
  'queue-url': { type: 'string' },
  'recordings-queue-url': { type: 'string' },
} as const;

export interface TargetOptions {
  readonly local: boolean;
  readonly dynamoPort: number;
  readonly awsPort: number;
  readonly stack?: string;
  readonly callsTable?: string;
  readonly jobsTable?: string;
  readonly bucket?: string;
  readonly queueUrl?: string;
  readonly recordingsQueueUrl?: string;
}

const LOCAL_PREFIX = 'byrobot-callbacks-local';

/** The names and the clients, with one `close` for the clients. */
const targetsOf = (
  names: Pick<
    Targets,
    'callsTable' | 'jobsTable' | 'bucket' | 'queueUrl' | 'phoneHashKey' | 'indexShards'
  > & {
    recordingsQueueUrl?: string;
    retention?: Retention | undefined;
  },
  clients: { dynamo: DynamoDBClient; s3: S3Client; sqs: SQSClient },
): Targets => {
  const { retention, ...rest } = names;
  return {
    ...rest,
    ...(names.recordingsQueueUrl ? { recordingsQueueUrl: names.recordingsQueueUrl } : {}),
    ...(retention ? { retention } : {}),
    doc: documentClient(clients.dynamo),
    s3: clients.s3,
    sqs: clients.sqs,
    close: () => {
      for (const client of [clients.dynamo, clients.s3, clients.sqs]) client.destroy();
    },
  };
};

/** The targets a CLI's parsed LOCAL_FLAGS and TARGET_FLAGS name. */
export const targetsFromFlags = (values: {
  readonly local: boolean;
  readonly 'dynamo-port': string;
  readonly 'aws-port': string;
  readonly stack: string;
  readonly 'calls-table'?: string | undefined;
  readonly 'jobs-table'?: string | undefined;
  readonly bucket?: string | undefined;
  readonly 'queue-url'?: string | undefined;
  readonly 'recordings-queue-url'?: string | undefined;
}): Promise<Targets> =>
  resolveTargets({
    local: values.local,
    dynamoPort: Number(values['dynamo-port']),
    awsPort: Number(values['aws-port']),
    stack: values.stack,
    ...(values['calls-table'] ? { callsTable: values['calls-table'] } : {}),
    ...(values['jobs-table'] ? { jobsTable: values['jobs-table'] } : {}),
    ...(values.bucket ? { bucket: values.bucket } : {}),
    ...(values['queue-url'] ? { queueUrl: values['queue-url'] } : {}),
    ...(values['recordings-queue-url'] ? { recordingsQueueUrl: values['recordings-queue-url'] } : {}),
  });

export const resolveTargets = async (options: TargetOptions): Promise<Targets> => {
  if (options.local) {
    const endpoints = localEndpoints({ dynamo: options.dynamoPort, aws: options.awsPort });
    const { dynamo, s3, sqs } = localClients(endpoints);
    // The emulator matches queue URLs exactly, so ask it for the URL rather than building one.
    const urlOf = (id: string) =>
      sqs
        .send(new GetQueueUrlCommand({ QueueName: `${LOCAL_PREFIX}-${id}` }))
        .then((result) => result.QueueUrl ?? '')
        .catch(() => '');
    const [queueUrl, recordingsQueueUrl] = await Promise.all([urlOf(QUEUE.id), urlOf(RECORDINGS.queueId)]);
    return targetsOf(
      {
        callsTable: `${LOCAL_PREFIX}-calls`,
        jobsTable: `${LOCAL_PREFIX}-jobs`,
        bucket: LOCAL_BUCKET,
        queueUrl,
        recordingsQueueUrl,
        phoneHashKey: async () => LOCAL_PHONE_HASH_KEY,
        indexShards: LOCAL_INDEX_SHARDS,
        // The local stack keeps archive and quarantine (no lifecycle rules on the emulator).
        retention: {
          retentionDays: LOCAL_RETENTION_DAYS,
          archiveExpireDays: 0,
          quarantineExpireDays: 0,
          recordingsExpireDays: LOCAL_RETENTION_DAYS,
        },
      },
      { dynamo, s3, sqs },
    );
  }
  let outputs: Record<string, string> = {};
  // The outputs are read even when every name is a flag (they hold the phone hash key's secret
  // and the retention); they are required only for a name no flag gives.
  const named = Boolean(options.callsTable && options.jobsTable && options.bucket && options.queueUrl);
  const cloudformation = new CloudFormationClient({});
  try {
    const described = await cloudformation.send(
      new DescribeStacksCommand({ StackName: options.stack ?? 'ByrobotCallbacks' }),
    );
    outputs = Object.fromEntries(
      (described.Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
    );
  } catch (error) {
    if (!named) throw error;
  } finally {
    cloudformation.destroy();
  }
  const pick = (flag: string | undefined, output: string): string => {
    const value = flag ?? outputs[output];
    if (!value) throw new Error(`no ${output}: pass it as a flag or deploy the stack (its outputs name it)`);
    return value;
  };
  const recordingsQueueUrl = options.recordingsQueueUrl ?? outputs.RecordingsQueueUrl;
  const days = (name: string): number | undefined =>
    outputs[name] === undefined ? undefined : Number(outputs[name]);
  const retention = {
    retentionDays: days('RetentionDays'),
    archiveExpireDays: days('ArchiveExpireDays'),
    quarantineExpireDays: days('QuarantineExpireDays'),
    recordingsExpireDays: days('RecordingsExpireDays'),
  };
  const known = Object.values(retention).every((value) => value !== undefined && Number.isFinite(value));
  return targetsOf(
    {
      callsTable: pick(options.callsTable, 'CallsTableName'),
      jobsTable: pick(options.jobsTable, 'JobsTableName'),
      bucket: pick(options.bucket, 'BucketName'),
      queueUrl: pick(options.queueUrl, 'QueueUrl'),
      ...(recordingsQueueUrl ? { recordingsQueueUrl } : {}),
      phoneHashKey: () => fetchSecretKey(pick(undefined, 'PhoneHashKeySecretArn')),
      // A stack from before sharding has no such output: its keys are read as the legacy ones.
      indexShards: outputs.IndexShards ? indexShardsFrom(outputs.IndexShards) : DEFAULT_INDEX_SHARDS,
      retention: known ? (retention as Retention) : undefined,
    },
    { dynamo: new DynamoDBClient({}), s3: new S3Client({}), sqs: new SQSClient({}) },
  );
};
