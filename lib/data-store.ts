/**
 * Where the data lives: the `calls` and `jobs` tables (from the shared definition), the bucket
 * for the raw archive, claim checks and quarantine, and the key of the phone hash. Everything is
 * retained when the stack is deleted: these hold our users' leads.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  BUCKET_PREFIXES,
  BY_COMPANY_DATE,
  BY_JOB_SHARD,
  BY_PHONE,
  CALLS_TABLE,
  FOREIGN_PREFIX,
  type IndexDefinition,
  JOBS_TABLE,
  LEGACY_BY_JOB,
  type TableDefinition,
  TTL_ATTRIBUTE,
} from '../functions/commons/definitions.js';

/** Claims left behind (a failed delete) expire after this many days. */
export const CLAIM_BACKSTOP_DAYS = 45;

/** Other companies' callbacks, once data has a retention: kept this long at most (a week to add a forgotten company). */
export const FOREIGN_QUARANTINE_DAYS = 7;

/** Storage classes and retention of copied recordings (context `recordings*Days`); 0 = never. */
export interface RecordingsRetention {
  readonly infrequentAccessDays: number;
  readonly glacierDays: number;
  readonly expireDays: number;
}

export interface DataStoreProps {
  /** Days calls, jobs and the large parts of calls are kept; 0 keeps them. */
  readonly retentionDays: number;
  /** Days after which archived raw bodies expire; 0 keeps them. */
  readonly archiveExpireDays: number;
  /** Days after which quarantined bodies expire; 0 keeps them (other companies' go sooner, see below). */
  readonly quarantineExpireDays: number;
  /** Set when recordings are copied: the lifecycle of `recordings/`. */
  readonly recordings?: RecordingsRetention;
  /** The customer-managed key of the tables, the bucket and the secret. @default AWS-managed keys */
  readonly encryptionKey?: kms.IKey;
  /** A step of the index upgrade of a stack deployed before sharding (README: Upgrading). */
  readonly upgradeStep?: 1 | 2;
}

/**
 * The calls table's indexes at each step of the upgrade from the unsharded `byJob`: DynamoDB
 * creates or deletes one index per table update, so the three changes take three deploys —
 * `byPhone` added, `byJobShard` added, `byJob` deleted. A new stack is created with the last set.
 */
export const callsIndexesFor = (step: 1 | 2 | undefined): readonly IndexDefinition[] => {
  switch (step) {
    case 1:
      return [BY_COMPANY_DATE, LEGACY_BY_JOB, BY_PHONE];
    case 2:
      return [BY_COMPANY_DATE, LEGACY_BY_JOB, BY_PHONE, BY_JOB_SHARD];
    default:
      return CALLS_TABLE.indexes;
  }
};

/** Recordings are read rarely after the first weeks (quality review, disputes): colder, cheaper classes. */
const recordingsRule = (retention: RecordingsRetention): s3.LifecycleRule => {
  const transitions: s3.Transition[] = [];
  if (retention.infrequentAccessDays > 0) {
    transitions.push({
      storageClass: s3.StorageClass.INFREQUENT_ACCESS,
      transitionAfter: Duration.days(retention.infrequentAccessDays),
    });
  }
  if (retention.glacierDays > 0) {
    transitions.push({
      storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
      transitionAfter: Duration.days(retention.glacierDays),
    });
  }
  return {
    id: 'recordings',
    prefix: BUCKET_PREFIXES.recordings,
    ...(transitions.length > 0 ? { transitions } : {}),
    ...(retention.expireDays > 0 ? { expiration: Duration.days(retention.expireDays) } : {}),
  };
};

const tableFrom = (
  scope: Construct,
  definition: TableDefinition,
  key: kms.IKey | undefined,
): dynamodb.TableV2 =>
  new dynamodb.TableV2(scope, definition.id === 'calls' ? 'CallsTable' : 'JobsTable', {
    partitionKey: { name: definition.partitionKey, type: dynamodb.AttributeType.STRING },
    billing: dynamodb.Billing.onDemand(),
    encryption: key
      ? dynamodb.TableEncryptionV2.customerManagedKey(key)
      : dynamodb.TableEncryptionV2.awsManagedKey(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    // Item changes, before and after: the events publisher turns them into domain events.
    dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    // Items carry `expiresAt` (epoch seconds) when a retention is set; those without never expire.
    timeToLiveAttribute: TTL_ATTRIBUTE,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    globalSecondaryIndexes: definition.indexes.map((index) => ({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: index.projection.filter((attribute) => attribute !== definition.partitionKey),
    })),
  });

export class DataStore extends Construct {
  readonly calls: dynamodb.TableV2;
  readonly jobs: dynamodb.TableV2;
  readonly bucket: s3.Bucket;
  /**
   * The key of the phone hash (`phoneHash`, the `byPhone` index): generated once, never rotated
   * (a new key would orphan every hash already stored), kept if the stack is deleted.
   */
  readonly phoneHashKey: secretsmanager.Secret;
  readonly retentionDays: number;
  readonly encryptionKey: kms.IKey | undefined;

  constructor(scope: Construct, id: string, props: DataStoreProps) {
    super(scope, id);
    this.retentionDays = props.retentionDays;
    this.encryptionKey = props.encryptionKey;
    this.calls = tableFrom(
      this,
      { ...CALLS_TABLE, indexes: callsIndexesFor(props.upgradeStep) },
      props.encryptionKey,
    );
    this.jobs = tableFrom(this, JOBS_TABLE, props.encryptionKey);
    this.phoneHashKey = new secretsmanager.Secret(this, 'PhoneHashKey', {
      description:
        "byrobot-callbacks: the key of the phone number hash that finds one person's calls (never change it)",
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.phoneHashKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A rotated key would hash the same number differently, and erasure and subject access would no longer find the calls already stored.',
    });

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket of the data bucket; logging it to itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3 Bucket Keys: one KMS request per object batch rather than per object.
      ...(props.encryptionKey
        ? { encryption: s3.BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'data-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'archive-to-colder-storage',
          prefix: BUCKET_PREFIXES.archive,
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) },
          ],
          ...(props.archiveExpireDays > 0 ? { expiration: Duration.days(props.archiveExpireDays) } : {}),
        },
        {
          // Consume deletes a claim once its body is stored; this only removes what a failed
          // delete left, long after any redrive of its message (SQS keeps a message 14 days,
          // and a redrive from the DLQ restarts that clock).
          id: 'claims-backstop',
          prefix: BUCKET_PREFIXES.claims,
          expiration: Duration.days(CLAIM_BACKSTOP_DAYS),
        },
        {
          id: 'quarantine-to-colder-storage',
          prefix: BUCKET_PREFIXES.quarantine,
          // Standard-IA bills at least 30 days: no transition for what expires by then.
          ...(props.quarantineExpireDays === 0 || props.quarantineExpireDays > 30
            ? {
                transitions: [
                  { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
                ],
              }
            : {}),
          ...(props.quarantineExpireDays > 0
            ? { expiration: Duration.days(props.quarantineExpireDays) }
            : {}),
        },
        ...(props.quarantineExpireDays > 0
          ? [
              {
                // Strangers' data: sooner still (where rules overlap, S3 applies the shortest expiration).
                id: 'foreign-quarantine',
                prefix: FOREIGN_PREFIX,
                expiration: Duration.days(Math.min(FOREIGN_QUARANTINE_DAYS, props.quarantineExpireDays)),
              },
            ]
          : []),
        ...(props.retentionDays > 0
          ? [
              {
                // The large parts of calls go when their calls do.
                id: 'records-retention',
                prefix: BUCKET_PREFIXES.records,
                expiration: Duration.days(props.retentionDays),
              },
            ]
          : []),
        ...(props.recordings ? [recordingsRule(props.recordings)] : []),
        {
          id: 'old-versions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }
}
