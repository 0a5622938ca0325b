/**
 * Where the data lives: the `calls` and `jobs` tables (from the shared definition) and the bucket
 * for the raw archive, claim checks and quarantine. Everything is retained when the stack is
 * deleted: these hold our users' leads.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  BUCKET_PREFIXES,
  CALLS_TABLE,
  JOBS_TABLE,
  type TableDefinition,
} from '../functions/commons/definitions.js';

/** Claims left behind (a failed delete) expire after this many days. */
export const CLAIM_BACKSTOP_DAYS = 45;

/** Storage classes and retention of copied recordings (context `recordings*Days`); 0 = never. */
export interface RecordingsRetention {
  readonly infrequentAccessDays: number;
  readonly glacierDays: number;
  readonly expireDays: number;
}

export interface DataStoreProps {
  /** Days after which archived raw bodies expire; 0 keeps them. */
  readonly archiveExpireDays: number;
  /** Set when recordings are copied: the lifecycle of `recordings/`. */
  readonly recordings?: RecordingsRetention;
}

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

const tableFrom = (scope: Construct, definition: TableDefinition): dynamodb.TableV2 =>
  new dynamodb.TableV2(scope, definition.id === 'calls' ? 'CallsTable' : 'JobsTable', {
    partitionKey: { name: definition.partitionKey, type: dynamodb.AttributeType.STRING },
    billing: dynamodb.Billing.onDemand(),
    encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    // Item changes, before and after: the events publisher turns them into domain events.
    dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
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

  constructor(scope: Construct, id: string, props: DataStoreProps) {
    super(scope, id);
    this.calls = tableFrom(this, CALLS_TABLE);
    this.jobs = tableFrom(this, JOBS_TABLE);

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
      encryption: s3.BucketEncryption.S3_MANAGED,
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
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
          ],
        },
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
