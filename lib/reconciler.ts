/**
 * The reconciler: an EventBridge schedule runs the reconcile function, which reads the 百应
 * credentials and company ids from a Secrets Manager secret (a new one, or an existing one by
 * ARN), asks 百应 for failed deliveries, and puts recovered calls on the pipeline's queue.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUCKET_PREFIXES, BY_COMPANY, BY_COMPANY_DATE } from '../functions/commons/definitions.js';
import { deadLetterQueue } from './dead-letter-queue.js';
import { grantTableKey } from './encryption.js';
import { type FunctionSettings, ReceiverFunction } from './lambda-function.js';

export interface ReconcilerProps {
  readonly calls: dynamodb.ITableV2;
  /** The open-platform reconciler reads which jobs the stack has seen. */
  readonly jobs: dynamodb.ITableV2;
  readonly queue: sqs.IQueue;
  readonly bucket: s3.IBucket;
  readonly existingSecretArn?: string;
  readonly everyMinutes: number;
  readonly lookBackDays: number;
  readonly byrobotApiUrl: string;
  readonly openApiUrl: string;
  readonly openTokenUrl: string;
  /** Runtime, architecture and log retention of the reconcile function. */
  readonly functions: FunctionSettings;
  /** The phone hash key and the retention, for the MISSING markers it writes. */
  readonly phoneHashKey: secretsmanager.ISecret;
  readonly retentionDays: number;
  /** Shards of the calls' index keys (markers written, days read). */
  readonly indexShards: number;
  /** The customer-managed key of the data and of a secret the stack creates. @default AWS-managed keys */
  readonly encryptionKey?: kms.IKey;
}

export class Reconciler extends Construct {
  readonly fn: ReceiverFunction;
  readonly secret: secretsmanager.ISecret;
  readonly undeliveredRuns: sqs.Queue;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    if (props.existingSecretArn) {
      this.secret = secretsmanager.Secret.fromSecretCompleteArn(this, 'Secret', props.existingSecretArn);
    } else {
      const secret = new secretsmanager.Secret(this, 'Secret', {
        description:
          '百应 credentials and the companies to reconcile: {"appKey","appSecret","companyIds":[…]} (classic OpenAPI) and/or {"open":{"clientId","clientSecret","companyIds":[…]}} (open platform)',
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ appKey: 'REPLACE_WITH_APP_KEY', companyIds: [] }),
          generateStringKey: 'appSecret',
          excludePunctuation: true,
        },
        ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          "The 百应 appKey/appSecret are issued and rotated in 百应's console; AWS cannot rotate them. Replace the value after a rotation there.",
      });
      this.secret = secret;
    }

    this.fn = new ReceiverFunction(this, 'Reconcile', {
      handler: 'reconcile',
      description:
        'Recovers deliveries 百应 failed to make (classic: queryUnCallBack → phoneLogInfo; open platform: calldone) onto the queue',
      timeout: Duration.minutes(5),
      memorySize: 512,
      settings: props.functions,
      environment: {
        CALLS_TABLE: props.calls.tableName,
        QUEUE_URL: props.queue.queueUrl,
        BUCKET_NAME: props.bucket.bucketName,
        BYROBOT_SECRET_ID: this.secret.secretArn,
        BYROBOT_API_URL: props.byrobotApiUrl,
        JOBS_TABLE: props.jobs.tableName,
        OPEN_API_URL: props.openApiUrl,
        OPEN_TOKEN_URL: props.openTokenUrl,
        LOOK_BACK_DAYS: String(props.lookBackDays),
        REQUESTS_PER_SECOND: '5',
        PHONE_HASH_KEY_SECRET_ARN: props.phoneHashKey.secretArn,
        RETENTION_DAYS: String(props.retentionDays),
        INDEX_SHARDS: String(props.indexShards),
      },
    });
    this.secret.grantRead(this.fn.role);
    props.phoneHashKey.grantRead(this.fn.role);
    grantTableKey(props.encryptionKey, this.fn.role);
    props.queue.grantSendMessages(this.fn.role);
    this.fn.grantObjects(['s3:PutObject'], props.bucket, BUCKET_PREFIXES.claims);
    // Reads which listed calls are present; writes only MISSING markers for inbound misses, and
    // its run counter (which company and direction goes first).
    this.fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
        resources: [props.calls.tableArn],
      }),
    );
    // The jobs a company's calls and job statuses name, by index only (never a scan).
    this.fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [
          `${props.calls.tableArn}/index/${BY_COMPANY_DATE.name}`,
          `${props.jobs.tableArn}/index/${BY_COMPANY.name}`,
        ],
      }),
    );

    const rule = new events.Rule(this, 'Schedule', {
      description: `Runs the 百应 reconciler every ${props.everyMinutes} minutes`,
      schedule: events.Schedule.rate(Duration.minutes(props.everyMinutes)),
    });
    // Schedule events EventBridge could not deliver to the function (throttling, permissions) are kept.
    this.undeliveredRuns = deadLetterQueue(this, 'UndeliveredRuns', 'of the reconciler schedule');
    // A failed run is not retried by Lambda either (async invocations retry twice by default):
    // the next scheduled run lists the same misses again, and a retry would overlap it.
    // A failed run's event is kept with the undelivered ones, for the operator to see.
    this.fn.fn.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.minutes(props.everyMinutes),
      onFailure: new destinations.SqsDestination(this.undeliveredRuns),
    });
    // A missed run is not retried: the next one lists the same misses again.
    rule.addTarget(
      new targets.LambdaFunction(this.fn.fn, {
        retryAttempts: 0,
        maxEventAge: Duration.minutes(props.everyMinutes),
        deadLetterQueue: this.undeliveredRuns,
      }),
    );
  }
}
