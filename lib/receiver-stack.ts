/** The one stack a 百应 customer deploys: data, pipeline, API, reconciler and monitoring. */
import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { CallbackApi } from './api.js';
import type { ReceiverConfig } from './config.js';
import { DataStore } from './data-store.js';
import { DomainEvents } from './domain-events.js';
import type { FunctionSettings } from './lambda-function.js';
import { Monitoring } from './monitoring.js';
import { Pipeline } from './pipeline.js';
import { Reconciler } from './reconciler.js';
import { Recordings } from './recordings.js';

export interface ReceiverStackProps extends StackProps {
  readonly config: ReceiverConfig;
}

const retentionOf = (days: number): logs.RetentionDays => {
  const allowed = Object.values(logs.RetentionDays).filter(
    (value): value is number => typeof value === 'number' && value > 0,
  );
  const fit = allowed.sort((a, b) => a - b).find((value) => value >= days);
  return (fit ?? logs.RetentionDays.TEN_YEARS) as logs.RetentionDays;
};

export class ReceiverStack extends Stack {
  readonly data: DataStore;
  readonly pipeline: Pipeline;
  readonly api: CallbackApi;
  readonly reconciler: Reconciler;
  readonly monitoring: Monitoring;
  readonly events: DomainEvents;
  /** The recordings worker; undefined with `recordings=off`. */
  readonly recordings?: Recordings;

  constructor(scope: Construct, id: string, props: ReceiverStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = retentionOf(config.logRetentionDays);
    const functions: FunctionSettings = {
      runtime: config.lambdaRuntime,
      architecture: config.lambdaArchitecture,
      logRetention,
    };

    const recordingsOn = config.recordings === 'on';
    this.data = new DataStore(this, 'Data', {
      archiveExpireDays: config.archiveExpireDays,
      ...(recordingsOn
        ? {
            recordings: {
              infrequentAccessDays: config.recordingsInfrequentAccessDays,
              glacierDays: config.recordingsGlacierDays,
              expireDays: config.recordingsExpireDays,
            },
          }
        : {}),
    });
    if (recordingsOn) {
      this.recordings = new Recordings(this, 'Recordings', {
        calls: this.data.calls,
        bucket: this.data.bucket,
        hosts: config.recordingHosts,
        maxBytes: config.recordingMaxBytes,
        functions,
      });
    }
    this.pipeline = new Pipeline(this, 'Pipeline', {
      data: this.data,
      functions,
      companyIds: config.companyIds,
      ...(this.recordings ? { recordingsQueue: this.recordings.queue } : {}),
    });
    if (config.companyIds.length === 0) {
      Annotations.of(this).addWarningV2(
        'byrobot-callbacks:companyIds',
        "companyIds is not set: callbacks of every 百应 company are stored. 百应's callback addresses are shared by all its customers, so set -c companyIds=<your ids> (README: Threat model).",
      );
    }
    this.api = new CallbackApi(this, 'Callbacks', {
      ingest: this.pipeline.ingest.fn,
      allowedIps: config.allowedIps,
      allowAllIps: config.allowAllIps,
      ...(config.secretPathSegment ? { secretPathSegment: config.secretPathSegment } : {}),
      throttleRate: config.throttleRate,
      throttleBurst: config.throttleBurst,
      logRetention,
    });
    this.reconciler = new Reconciler(this, 'Reconciler', {
      calls: this.data.calls,
      jobs: this.data.jobs,
      queue: this.pipeline.queue,
      bucket: this.data.bucket,
      ...(config.existingSecretArn ? { existingSecretArn: config.existingSecretArn } : {}),
      everyMinutes: config.reconcileEveryMinutes,
      lookBackDays: config.reconcileLookBackDays,
      byrobotApiUrl: config.byrobotApiUrl,
      openApiUrl: config.openApiUrl,
      openTokenUrl: config.openTokenUrl,
      functions,
    });
    if (config.callbackSignature !== 'off') {
      // The signature check uses the same 百应 credentials as the reconciler.
      this.pipeline.checkSignatures({
        mode: config.callbackSignature,
        secret: this.reconciler.secret,
        maxAgeSeconds: config.signatureMaxAgeSeconds,
      });
    }
    this.events = new DomainEvents(this, 'Events', {
      calls: this.data.calls,
      jobs: this.data.jobs,
      ...(config.eventBusArn ? { eventBusArn: config.eventBusArn } : {}),
      includePhone: config.eventsIncludePhone,
      functions,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      api: this.api.api,
      queue: this.pipeline.queue,
      dlq: this.pipeline.dlq,
      ingest: this.pipeline.ingest,
      consume: this.pipeline.consume,
      reconcile: { fn: this.reconciler.fn, everyMinutes: config.reconcileEveryMinutes },
      ...(this.recordings ? { recordings: { dlq: this.recordings.dlq, fn: this.recordings.fn } } : {}),
      events: { dlq: this.events.dlq, fn: this.events.fn },
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });

    const outputs: Record<string, [string, string]> = {
      CallRecordCallbackUrl: [
        this.api.callUrl,
        'Paste into 百应: 通话记录回调地址 (call records, manual intent changes, inbound calls)',
      ],
      JobStatusCallbackUrl: [this.api.jobUrl, 'Paste into 百应: 任务状态回调地址 (job status)'],
      CallsTableName: [this.data.calls.tableName, 'DynamoDB table with one item per call'],
      JobsTableName: [this.data.jobs.tableName, 'DynamoDB table with one item per job'],
      QueueUrl: [this.pipeline.queue.queueUrl, 'SQS queue between ingest and consume'],
      DeadLetterQueueUrl: [this.pipeline.dlq.queueUrl, 'Messages that failed 5 times (alarmed)'],
      BucketName: [this.data.bucket.bucketName, 'Raw archive, claim checks and quarantine'],
      ByrobotSecretArn: [
        this.reconciler.secret.secretArn,
        'Put the 百应 credentials and companies here: appKey/appSecret/companyIds and/or open (README: Deploy)',
      ],
      AlarmTopicArn: [this.monitoring.topic.topicArn, 'SNS topic of every alarm'],
      EventBusArn: [
        this.events.bus.eventBusArn,
        'EventBridge bus of the domain events (source byrobot-callbacks)',
      ],
      EventBusName: [this.events.bus.eventBusName, 'Name of that bus, for rules'],
      ...(this.recordings
        ? {
            RecordingsQueueUrl: [
              this.recordings.queue.queueUrl,
              'Recording copy tasks (one per recording link)',
            ] as [string, string],
            RecordingsDeadLetterQueueUrl: [
              this.recordings.dlq.queueUrl,
              'Recording tasks that failed every attempt (alarmed)',
            ] as [string, string],
          }
        : {}),
    };
    for (const [name, [value, description]] of Object.entries(outputs))
      new CfnOutput(this, name, { value, description });
  }
}
