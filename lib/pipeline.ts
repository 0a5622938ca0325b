/**
 * The hot path's resources: the queue and its DLQ, the ingest function (may only send to the
 * queue and put claim checks) and the consume function (reads the queue, writes the tables and
 * the archive/quarantine prefixes).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  BUCKET_PREFIXES,
  LOG_LINE_METRICS,
  METRICS_NAMESPACE,
  QUEUE,
  type SignatureMode,
} from '../functions/commons/definitions.js';
import type { DataStore } from './data-store.js';
import { grantTableKey } from './encryption.js';
import { type FunctionSettings, ReceiverFunction } from './lambda-function.js';
import { queueWorker } from './queue-worker.js';

/** The callback signature check ingest runs (README: signatures). */
export interface SignatureSettings {
  /** `log` reports a bad signature, `enforce` answers 401. @default off (from context `callbackSignature`) */
  readonly mode: Exclude<SignatureMode, 'off'>;
  /** The 百应 credentials (the reconciler's secret): the signature key is the appSecret. */
  readonly secret: secretsmanager.ISecret;
  /** How far a signed dateTime may be from now. @default 600 (from context) */
  readonly maxAgeSeconds: number;
}

export interface PipelineProps {
  readonly data: DataStore;
  /** The companies whose callbacks consume stores; empty: every company. @default [] (from context `companyIds`) */
  readonly companyIds: readonly string[];
  /** The recordings worker's queue: consume puts one task per recording link on it. @default none (recordings off) */
  readonly recordingsQueue?: sqs.IQueue;
  /** Runtime, architecture and log retention of the two functions. */
  readonly functions: FunctionSettings;
  /** Most consume batches at once (the event source's maximum concurrency). */
  readonly consumeConcurrency: number;
  /** Shards of the calls' index keys. */
  readonly indexShards: number;
}

/** The consumer's timeout; the queue's visibility timeout is six times this. */
export const CONSUMER_TIMEOUT = Duration.seconds(QUEUE.consumerTimeoutSeconds);

export class Pipeline extends Construct {
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
  readonly ingest: ReceiverFunction;
  readonly consume: ReceiverFunction;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { data } = props;

    const consumer = queueWorker(this, {
      ids: { queue: 'Queue', dlq: 'DeadLetterQueue', worker: 'Consume' },
      dlqHolds: 'of the callbacks queue; it is alarmed on and redriven by operators',
      retentionDays: QUEUE.retentionDays,
      maxReceiveCount: QUEUE.maxReceiveCount,
      maxMessageBytes: QUEUE.maxMessageBytes,
      worker: {
        handler: 'consume',
        description: 'Normalizes queued 百应 callbacks and merges them into DynamoDB',
        timeout: CONSUMER_TIMEOUT,
        memorySize: 1024,
        settings: props.functions,
        environment: {
          CALLS_TABLE: data.calls.tableName,
          JOBS_TABLE: data.jobs.tableName,
          BUCKET_NAME: data.bucket.bucketName,
          ...(props.companyIds.length > 0 ? { COMPANY_IDS: props.companyIds.join(',') } : {}),
          ...(props.recordingsQueue ? { RECORDINGS_QUEUE_URL: props.recordingsQueue.queueUrl } : {}),
          PHONE_HASH_KEY_SECRET_ARN: data.phoneHashKey.secretArn,
          RETENTION_DAYS: String(data.retentionDays),
          INDEX_SHARDS: String(props.indexShards),
        },
      },
      ...(data.encryptionKey ? { encryptionKey: data.encryptionKey } : {}),
      source: {
        batchSize: QUEUE.batchSize,
        maxBatchingWindow: Duration.seconds(QUEUE.maxBatchingWindowSeconds),
        maxConcurrency: props.consumeConcurrency,
      },
    });
    this.queue = consumer.queue;
    this.dlq = consumer.dlq;
    this.consume = consumer.worker;

    this.ingest = new ReceiverFunction(this, 'Ingest', {
      handler: 'ingest',
      description: 'Checks a 百应 callback envelope, enqueues it, replies success',
      timeout: Duration.seconds(10),
      // Its work is one SendMessage round trip and a little CPU: at 256 MB the smaller CPU share
      // costs less than the doubled GB-seconds of 512 MB.
      memorySize: 256,
      settings: props.functions,
      environment: {
        QUEUE_URL: this.queue.queueUrl,
        BUCKET_NAME: data.bucket.bucketName,
        MAX_MESSAGE_BYTES: String(QUEUE.inlineMessageBytes),
      },
    });
    this.queue.grantSendMessages(this.ingest.role);
    this.countFromLogLines('ingest', this.ingest);
    this.ingest.grantObjects(['s3:PutObject'], data.bucket, BUCKET_PREFIXES.claims);

    const tableActions = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];
    this.consume.role.addToPolicy(
      new iam.PolicyStatement({
        actions: tableActions,
        resources: [data.calls.tableArn, data.jobs.tableArn],
      }),
    );
    grantTableKey(data.encryptionKey, this.consume.role);
    data.phoneHashKey.grantRead(this.consume.role);
    this.consume.grantObjects(['s3:PutObject'], data.bucket, BUCKET_PREFIXES.archive);
    this.consume.grantObjects(['s3:PutObject'], data.bucket, BUCKET_PREFIXES.quarantine);
    // The large parts of calls too big for one DynamoDB item.
    this.consume.grantObjects(['s3:PutObject'], data.bucket, BUCKET_PREFIXES.records);
    // Reads a claim-checked body, and deletes it once the body is stored.
    this.consume.grantObjects(['s3:GetObject', 's3:DeleteObject'], data.bucket, BUCKET_PREFIXES.claims);
    props.recordingsQueue?.grantSendMessages(this.consume.role);
  }

  /**
   * The LOG_LINE_METRICS of a function: one filter with the metric's dimension, one with
   * `service` alone (the set the alarms and the dashboard read), as the EMF lines would declare.
   */
  private countFromLogLines(service: string, fn: ReceiverFunction): void {
    for (const metric of LOG_LINE_METRICS.filter((candidate) => candidate.service === service)) {
      const common = {
        logGroup: fn.logGroup,
        filterPattern: logs.FilterPattern.stringValue('$.message', '=', metric.message),
        metricNamespace: METRICS_NAMESPACE,
        metricName: metric.metricName,
        metricValue: '1',
        unit: cloudwatch.Unit.COUNT,
      };
      new logs.MetricFilter(this, `${metric.metricName}Total`, {
        ...common,
        dimensions: { service: '$.service' },
      });
      new logs.MetricFilter(this, `${metric.metricName}By${metric.dimension.name}`, {
        ...common,
        dimensions: { service: '$.service', [metric.dimension.name]: `$.${metric.dimension.field}` },
      });
    }
  }

  /**
   * Turns on ingest's callback signature check: ingest may read the credentials secret and is
   * told the mode. The pipeline wires its own function; the secret belongs to the reconciler,
   * which is built after the pipeline (it needs the queue), so this is a step rather than a prop.
   */
  checkSignatures(settings: SignatureSettings): void {
    settings.secret.grantRead(this.ingest.role);
    this.ingest.fn.addEnvironment('CALLBACK_SIGNATURE', settings.mode);
    this.ingest.fn.addEnvironment('BYROBOT_SECRET_ID', settings.secret.secretArn);
    this.ingest.fn.addEnvironment('SIGNATURE_MAX_AGE_SECONDS', String(settings.maxAgeSeconds));
  }
}
