/**
 * Recordings: consume puts one small task per recording link of a stored call on this queue;
 * the recordings function copies the file into the bucket (`recordings/`) and notes the outcome
 * on the call item. Off the 百应-facing path: a slow or dead recording host never delays a reply.
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUCKET_PREFIXES, RECORDINGS } from '../functions/commons/definitions.js';
import { grantTableKey } from './encryption.js';
import type { FunctionSettings, ReceiverFunction } from './lambda-function.js';
import { queueWorker } from './queue-worker.js';

export interface RecordingsProps {
  readonly calls: dynamodb.ITableV2;
  readonly bucket: s3.IBucket;
  /** Hosts recordings may be fetched from. */
  readonly hosts: readonly string[];
  readonly maxBytes: number;
  readonly functions: FunctionSettings;
  /** The customer-managed key of the queues and the data. @default AWS-managed keys */
  readonly encryptionKey?: kms.IKey;
}

export class Recordings extends Construct {
  /** Where the function that stores calls puts one task per recording link (the pipeline grants itself). */
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
  readonly fn: ReceiverFunction;

  constructor(scope: Construct, id: string, props: RecordingsProps) {
    super(scope, id);
    const worker = queueWorker(this, {
      ids: { queue: 'Queue', dlq: 'DeadLetterQueue', worker: 'Copy' },
      dlqHolds: 'of the recordings queue; it is alarmed on and redriven by operators',
      retentionDays: RECORDINGS.retentionDays,
      maxReceiveCount: RECORDINGS.maxReceiveCount,
      worker: {
        handler: 'recordings',
        description: "Copies 百应's temporary recording links into the bucket before they expire",
        timeout: Duration.seconds(RECORDINGS.timeoutSeconds),
        memorySize: RECORDINGS.memorySize,
        settings: props.functions,
        environment: {
          CALLS_TABLE: props.calls.tableName,
          BUCKET_NAME: props.bucket.bucketName,
          RECORDING_HOSTS: props.hosts.join(','),
          RECORDING_MAX_BYTES: String(props.maxBytes),
        },
      },
      ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
      source: { batchSize: RECORDINGS.batchSize, maxConcurrency: 5 },
    });
    this.queue = worker.queue;
    this.dlq = worker.dlq;
    this.fn = worker.worker;
    // The worker changes a failed task's visibility to schedule its retry.
    this.fn.fn.addEnvironment('RECORDINGS_QUEUE_URL', this.queue.queueUrl);
    // Reads whether a recording is already archived, and writes the outcome; nothing else.
    this.fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [props.calls.tableArn],
      }),
    );
    grantTableKey(props.encryptionKey, this.fn.role);
    // PutObject covers the multipart upload of a large file (create, parts, complete);
    // AbortMultipartUpload cleans up a copy that failed halfway.
    this.fn.grantObjects(
      ['s3:PutObject', 's3:AbortMultipartUpload'],
      props.bucket,
      BUCKET_PREFIXES.recordings,
    );
    // A call erased while its recording was being copied: the copy is deleted, every version.
    this.fn.grantObjects(
      ['s3:DeleteObject', 's3:DeleteObjectVersion'],
      props.bucket,
      BUCKET_PREFIXES.recordings,
    );
    this.fn.grantListing(props.bucket, BUCKET_PREFIXES.recordings, true);
  }
}
