/**
 * Recordings: consume puts one small task per recording link of a stored call on this queue;
 * the recordings function copies the file into the bucket (`recordings/`) and notes the outcome
 * on the call item. Off the 百应-facing path: a slow or dead recording host never delays a reply.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUCKET_PREFIXES, RECORDINGS } from '../functions/commons/definitions.js';
import { deadLetterQueue } from './dead-letter-queue.js';
import { type FunctionSettings, ReceiverFunction } from './lambda-function.js';

export interface RecordingsProps {
  readonly calls: dynamodb.ITableV2;
  readonly bucket: s3.IBucket;
  /** The function that stores calls: it may send tasks to the queue. */
  readonly producer: ReceiverFunction;
  /** Hosts recordings may be fetched from. */
  readonly hosts: readonly string[];
  readonly maxBytes: number;
  readonly functions: FunctionSettings;
}

export class Recordings extends Construct {
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
  readonly fn: ReceiverFunction;

  constructor(scope: Construct, id: string, props: RecordingsProps) {
    super(scope, id);
    this.dlq = deadLetterQueue(
      this,
      'DeadLetterQueue',
      'of the recordings queue; it is alarmed on and redriven by operators',
    );
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(RECORDINGS.retentionDays),
      // Longer than the function's timeout (AWS guidance for SQS event sources is 6×).
      visibilityTimeout: Duration.seconds(RECORDINGS.timeoutSeconds * 6),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: RECORDINGS.maxReceiveCount },
    });

    this.fn = new ReceiverFunction(this, 'Copy', {
      handler: 'recordings',
      description: "Copies 百应's temporary recording links into the bucket before they expire",
      timeout: Duration.seconds(RECORDINGS.timeoutSeconds),
      memorySize: RECORDINGS.memorySize,
      settings: props.functions,
      environment: {
        CALLS_TABLE: props.calls.tableName,
        BUCKET_NAME: props.bucket.bucketName,
        RECORDINGS_QUEUE_URL: this.queue.queueUrl,
        RECORDING_HOSTS: props.hosts.join(','),
        RECORDING_MAX_BYTES: String(props.maxBytes),
      },
    });
    // Reads whether a recording is already archived, and writes the outcome; nothing else.
    this.fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [props.calls.tableArn],
      }),
    );
    // PutObject covers the multipart upload of a large file (create, parts, complete);
    // AbortMultipartUpload cleans up a copy that failed halfway.
    this.fn.grantObjects(
      ['s3:PutObject', 's3:AbortMultipartUpload'],
      props.bucket,
      BUCKET_PREFIXES.recordings,
    );
    this.fn.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: RECORDINGS.batchSize,
        maxConcurrency: 5,
        reportBatchItemFailures: true,
      }),
    );
    Validations.of(this.fn.fn).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        "SQS event sources take no on-failure destination; failed tasks go to the queue's DLQ after maxReceiveCount.",
    });

    this.queue.grantSendMessages(props.producer.role);
    props.producer.fn.addEnvironment('RECORDINGS_QUEUE_URL', this.queue.queueUrl);
  }
}
