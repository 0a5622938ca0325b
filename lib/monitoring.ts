/**
 * Alarms on everything that means a callback may be late or lost, one SNS topic for them
 * (encrypted, optional e-mail subscription), and one dashboard that shows the flow end to end.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE as NAMESPACE } from '../functions/commons/definitions.js';
import { deadLetterQueue } from './dead-letter-queue.js';
import type { ReceiverFunction } from './lambda-function.js';

export interface MonitoringProps {
  readonly api: apigateway.RestApi;
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
  readonly ingest: ReceiverFunction;
  readonly consume: ReceiverFunction;
  /** The reconcile function and how often it runs: its alarms evaluate once per run. */
  readonly reconcile?: { readonly fn: ReceiverFunction; readonly everyMinutes: number };
  /** The recordings worker (absent when recordings are off). */
  readonly recordings?: { readonly dlq: sqs.IQueue; readonly fn: ReceiverFunction };
  /** The events publisher (DynamoDB streams → EventBridge). */
  readonly events?: { readonly dlq: sqs.IQueue; readonly fn: ReceiverFunction };
  readonly alarmEmail?: string;
  /** The caps on the path, alarmed on before they are reached. */
  readonly caps?: {
    /** The API stage's steady rate (requests a second). */
    readonly throttleRate: number;
    /** The consume event source's maximum concurrency. */
    readonly consumeConcurrency: number;
  };
  /** Tables (and their indexes) whose throttled writes are alarmed on. */
  readonly tables?: readonly {
    /** For the alarm ids: `Calls`, `Jobs`. */
    readonly label: string;
    readonly name: string;
    readonly indexes: readonly string[];
  }[];
}

/** Alarms fire at this share of a cap: time to raise it before callbacks wait. */
export const NEAR_CAP = 0.8;

/** What each alarm means, for the README's operations section and the alarm descriptions. */
export interface AlarmSpec {
  readonly id: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly evaluationPeriods?: number;
  /** @default NOT_BREACHING */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  readonly description: string;
}

const custom = (service: string, metricName: string): cloudwatch.Metric =>
  new cloudwatch.Metric({
    namespace: NAMESPACE,
    metricName,
    dimensionsMap: { service },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
  });

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts the byrobot-callbacks alarm topic',
    });
    // CloudWatch alarms publish to an encrypted topic only if they may use its key.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      masterKey: key,
      enforceSSL: true,
      displayName: 'byrobot-callbacks alarms',
    });
    if (props.alarmEmail) {
      // Notifications SNS could not deliver are kept rather than dropped.
      const undelivered = deadLetterQueue(this, 'UndeliveredAlarms', 'of the alarm e-mail subscription');
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(props.alarmEmail, { deadLetterQueue: undelivered }),
      );
    }

    const five = { period: Duration.minutes(5) };
    /** A dead-letter queue that holds anything: something failed every attempt and waits for an operator. */
    const notEmpty = (id: string, queue: sqs.IQueue, description: string): AlarmSpec => ({
      id,
      metric: queue.metricApproximateNumberOfMessagesVisible({
        ...five,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      description,
    });
    const specs: AlarmSpec[] = [
      notEmpty(
        'DlqNotEmpty',
        props.dlq,
        'A callback failed processing 5 times and is in the dead-letter queue. It is not lost: fix the cause, then redrive the DLQ (README: Operations).',
      ),
      {
        id: 'OldestMessageAge',
        metric: props.queue.metricApproximateAgeOfOldestMessage({
          ...five,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 900,
        evaluationPeriods: 2,
        description:
          'Callbacks have waited on the queue for over 15 minutes: the consumer is failing, throttled or stopped.',
      },
      {
        id: 'Ingest5xx',
        metric: props.api.metricServerError({ ...five, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        description:
          'The API answered 5xx: callbacks were not stored and 百应 will retry them. Check the ingest logs and the queue.',
      },
      {
        id: 'Ingest4xx',
        metric: props.api.metricClientError({ ...five, statistic: cloudwatch.Stats.SUM }),
        threshold: 20,
        description:
          'Many 4xx answers: callers outside the IP allowlist, or bodies that are not 百应 envelopes (kept in quarantine). Check the access log.',
      },
      {
        id: 'EnqueueFailures',
        metric: custom('ingest', 'EnqueueFailures'),
        threshold: 1,
        description:
          'Ingest could not put callbacks on the queue and answered 503; 百应 retries them. Check SQS and the ingest role.',
      },
      {
        id: 'ConsumerErrors',
        metric: props.consume.fn.metricErrors({ ...five, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        description:
          'The consume function failed whole invocations (e.g. the batch archive could not be written); messages will be retried.',
      },
      {
        id: 'ConsumeFailures',
        metric: custom('consume', 'ConsumeFailures'),
        threshold: 1,
        description:
          'Single callbacks failed to merge into DynamoDB and will be retried (then go to the DLQ). Check the consume logs.',
      },
      {
        id: 'Quarantined',
        metric: custom('consume', 'CallbacksQuarantined'),
        threshold: 1,
        description:
          'A body could not be read as a 百应 callback and was quarantined whole under quarantine/ in the bucket. Inspect it with `npm run records -- quarantine`.',
      },
      {
        id: 'ForeignCallbacks',
        metric: custom('consume', 'ForeignCallbacks'),
        threshold: 1,
        description:
          'Callbacks for a 百应 company not on companyIds arrived: kept under quarantine/foreign/, not stored. Someone on 百应 points callbacks at this URL, or one of your companies is missing: add it to companyIds, deploy, then `npm run replay -- --quarantine --reason FOREIGN_COMPANY`.',
      },
    ];
    if (props.reconcile) {
      // The reconciler reports once per run: one period per run, and no data between runs keeps
      // the state (IGNORE) instead of turning every ALARM into an OK five minutes later.
      const perRun = { period: Duration.minutes(props.reconcile.everyMinutes) };
      const sparse = (service: string, name: string) =>
        custom(service, name).with({ ...perRun, statistic: cloudwatch.Stats.SUM });
      specs.push(
        {
          id: 'ReconcileFailures',
          metric: sparse('reconcile', 'ReconcileFailures'),
          threshold: 1,
          treatMissingData: cloudwatch.TreatMissingData.IGNORE,
          description:
            'The reconciler could not ask 百应 for failed deliveries or fetch a missed call. Check its logs and the 百应 credentials secret.',
        },
        {
          id: 'MissesFound',
          metric: sparse('reconcile', 'MissesToRecover'),
          threshold: 1,
          treatMissingData: cloudwatch.TreatMissingData.IGNORE,
          description:
            '百应 reports deliveries it could not make that we do not hold yet. The reconciler recovers outbound calls; inbound misses become MISSING markers.',
        },
        {
          id: 'ReconcilerErrors',
          metric: props.reconcile.fn.fn.metricErrors({ ...perRun, statistic: cloudwatch.Stats.SUM }),
          threshold: 1,
          treatMissingData: cloudwatch.TreatMissingData.IGNORE,
          description:
            'The reconcile function itself failed; the next scheduled run continues where it stopped.',
        },
      );
    }
    if (props.recordings) {
      specs.push(
        notEmpty(
          'RecordingsDlqNotEmpty',
          props.recordings.dlq,
          'A recordings task failed every attempt and is in its dead-letter queue. Check the recordings logs, then redrive it while the link is still valid.',
        ),
        {
          id: 'RecordingsFailed',
          metric: custom('recordings', 'RecordingsFailed'),
          threshold: 1,
          description:
            'A recording could not be copied after a day of retries (status FAILED on the call item). Its 百应 link may still work for a while: copy it by hand.',
        },
        {
          id: 'RecordingsExpired',
          metric: custom('recordings', 'RecordingsExpired'),
          threshold: 1,
          description:
            "百应 answered 403/404 for a recording link (status EXPIRED): the recording is gone from 百应's storage. Frequent ones mean copies start too late.",
        },
        {
          id: 'RecordingsRefused',
          metric: custom('recordings', 'RecordingsRefused'),
          threshold: 1,
          description:
            'A recording link was refused (host not on recordingHosts, not https, a private address, or over recordingMaxBytes); the reason is on the call item. Widen recordingHosts if 百应 moved its storage.',
        },
      );
    }
    if (props.caps) {
      const minute = { period: Duration.minutes(1) };
      specs.push(
        {
          id: 'ApiNearThrottle',
          metric: props.api.metricCount({ ...minute, statistic: cloudwatch.Stats.SUM }),
          threshold: Math.floor(NEAR_CAP * props.caps.throttleRate * 60),
          evaluationPeriods: 3,
          description: `The API took over ${NEAR_CAP * 100}% of its throttle (throttleRate ${props.caps.throttleRate}/s) for 3 minutes; above it 百应 is answered 429 and must retry. Raise throttleRate/throttleBurst (README: Scaling).`,
        },
        {
          id: 'ConsumeNearConcurrencyCap',
          metric: props.consume.fn.metric('ConcurrentExecutions', {
            ...minute,
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
          threshold: Math.ceil(NEAR_CAP * props.caps.consumeConcurrency),
          evaluationPeriods: 5,
          description: `Consume ran at over ${NEAR_CAP * 100}% of its concurrency cap (consumeConcurrency ${props.caps.consumeConcurrency}) for 5 minutes: callbacks start to wait on the queue. Raise consumeConcurrency (README: Scaling).`,
        },
      );
    }
    for (const table of props.tables ?? []) {
      for (const index of [undefined, ...table.indexes]) {
        const where = index
          ? `the ${table.label.toLowerCase()} table's index ${index}`
          : `the ${table.label.toLowerCase()} table`;
        specs.push({
          id: `WriteThrottles${table.label}${index ? index.charAt(0).toUpperCase() + index.slice(1) : ''}`,
          metric: new cloudwatch.Metric({
            namespace: 'AWS/DynamoDB',
            metricName: 'WriteThrottleEvents',
            dimensionsMap: { TableName: table.name, ...(index ? { GlobalSecondaryIndexName: index } : {}) },
            statistic: cloudwatch.Stats.SUM,
            period: Duration.minutes(5),
          }),
          threshold: 1,
          description: `DynamoDB throttled writes to ${where}: a partition key took more than its 1,000 write units a second, or the table its account quota. Consume retries them; if it persists, raise indexShards (README: Scaling).`,
        });
      }
    }
    if (props.events) {
      specs.push(
        notEmpty(
          'EventsDlqNotEmpty',
          props.events.dlq,
          'Item changes whose domain events could not be published after every retry are in the events DLQ (each message names the stream records). The data is in the tables; re-publish from there.',
        ),
        {
          id: 'EventsNotPublished',
          metric: custom('events', 'EventsNotPublished'),
          threshold: 1,
          description:
            'PutEvents refused domain events after retries; the stream retries them (bisecting). Check the bus, its policy and the events logs.',
        },
        {
          id: 'EventsBehind',
          metric: props.events.fn.fn.metric('IteratorAge', { ...five, statistic: cloudwatch.Stats.MAXIMUM }),
          threshold: 300_000,
          evaluationPeriods: 2,
          description:
            'Domain events lag item changes by over 5 minutes: the publisher is failing or throttled.',
        },
      );
    }
    for (const spec of specs) {
      const alarm = new cloudwatch.Alarm(this, spec.id, {
        metric: spec.metric,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods ?? 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: spec.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: spec.description,
      });
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
      alarm.addOkAction(new actions.SnsAction(this.topic));
      this.alarms.push(alarm);
    }

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: '1. 百应 → API (requests, 4xx, 5xx)',
        left: [
          props.api.metricCount(five),
          props.api.metricClientError(five),
          props.api.metricServerError(five),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: '2. Ingest (accepted, rejected, enqueue failures)',
        left: [
          custom('ingest', 'CallbacksReceived'),
          custom('ingest', 'CallbacksRejected'),
          custom('ingest', 'EnqueueFailures'),
        ],
        right: [props.ingest.fn.metricDuration({ ...five, statistic: 'p99' })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: '3. Queue (depth, oldest age, DLQ)',
        left: [
          props.queue.metricApproximateNumberOfMessagesVisible(five),
          props.dlq.metricApproximateNumberOfMessagesVisible(five),
        ],
        right: [props.queue.metricApproximateAgeOfOldestMessage(five)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: '4. Consume (stored, quarantined, failures)',
        left: [
          custom('consume', 'RecordsStored'),
          custom('consume', 'CallbacksQuarantined'),
          custom('consume', 'ConsumeFailures'),
        ],
        right: [props.consume.fn.metricErrors(five), props.consume.fn.metricThrottles(five)],
        width: 12,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 12 }),
    );
    if (props.reconcile) {
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: '5. Reconciler, per platform (misses listed, recovered, failed)',
          left: (['classic', 'open'] as const).flatMap((platform) =>
            ['MissesListed', 'Recovered', 'ReconcileFailures'].map((name) =>
              custom('reconcile', name).with({
                dimensionsMap: { service: 'reconcile', Platform: platform },
                label: `${name} (${platform})`,
              }),
            ),
          ),
          width: 24,
        }),
      );
    }
  }
}
