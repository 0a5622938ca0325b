/** The one stack a 百应 customer deploys: data, pipeline, API, reconciler and monitoring. */
import { Annotations, Aspects, CfnOutput, Stack, type StackProps, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { JOBS_TABLE } from '../functions/commons/definitions.js';
import { CallbackApi } from './api.js';
import { ConfigError, type ReceiverConfig } from './config.js';
import { callsIndexesFor, DataStore } from './data-store.js';
import { DomainEvents } from './domain-events.js';
import { ExactKeyGrants, encryptionKeyOf } from './encryption.js';
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
    if (config.encryptionKey !== 'aws' && Token.isUnresolved(this.region)) {
      // The tables' replica settings name the key per region, so the region must be known.
      throw new ConfigError(
        'encryptionKey needs the region to deploy to: run cdk with AWS credentials and a region (CDK_DEFAULT_REGION), or set env in bin/app.ts',
      );
    }
    const encryptionKey = encryptionKeyOf(this, config.encryptionKey);
    if (encryptionKey) Aspects.of(this).add(new ExactKeyGrants());
    const keyed = encryptionKey ? { encryptionKey } : {};
    this.data = new DataStore(this, 'Data', {
      ...keyed,
      retentionDays: config.retentionDays,
      archiveExpireDays: config.archiveExpireDays,
      quarantineExpireDays: config.quarantineExpireDays,
      ...(config.upgradeStep ? { upgradeStep: config.upgradeStep } : {}),
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
        ...keyed,
      });
    }
    this.pipeline = new Pipeline(this, 'Pipeline', {
      data: this.data,
      functions,
      companyIds: config.companyIds,
      consumeConcurrency: config.consumeConcurrency,
      indexShards: config.indexShards,
      ...(this.recordings ? { recordingsQueue: this.recordings.queue } : {}),
    });
    if (config.retentionDays === 0) {
      Annotations.of(this).addWarningV2(
        'byrobot-callbacks:retentionDays',
        'retentionDays is not set: calls, jobs and the large parts of calls are kept forever. They hold personal information (PIPL, GDPR); set -c retentionDays=<days> (README: Personal data).',
      );
    }
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
      phoneHashKey: this.data.phoneHashKey,
      retentionDays: config.retentionDays,
      indexShards: config.indexShards,
      ...keyed,
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
      ...keyed,
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
      caps: { throttleRate: config.throttleRate, consumeConcurrency: config.consumeConcurrency },
      tables: [
        {
          label: 'Calls',
          name: this.data.calls.tableName,
          indexes: callsIndexesFor(config.upgradeStep).map((index) => index.name),
        },
        {
          label: 'Jobs',
          name: this.data.jobs.tableName,
          indexes: JOBS_TABLE.indexes.map((index) => index.name),
        },
      ],
    });
    if (config.upgradeStep) {
      Annotations.of(this).addWarningV2(
        'byrobot-callbacks:upgradeStep',
        config.upgradeStep === 1
          ? 'upgradeStep=1 adds the byPhone index; when the deploy is done, deploy with -c upgradeStep=2 (README: Upgrading).'
          : 'upgradeStep=2 adds the byJobShard index; when the deploy is done, run npm run migrate, then deploy without upgradeStep (README: Upgrading).',
      );
    }

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
      PhoneHashKeySecretArn: [
        this.data.phoneHashKey.secretArn,
        'Key of the phone number hash (records erase / subject read it; never change it)',
      ],
      RetentionDays: [String(config.retentionDays), 'Days calls and jobs are kept (0: kept forever)'],
      IndexShards: [
        String(config.indexShards),
        'Shards of the calls index keys (the records CLI reads them all)',
      ],
      ArchiveExpireDays: [String(config.archiveExpireDays), 'Days raw bodies stay in archive/ (0: kept)'],
      QuarantineExpireDays: [
        String(config.quarantineExpireDays),
        'Days bodies stay in quarantine/ (0: kept)',
      ],
      RecordingsExpireDays: [
        String(config.recordingsExpireDays),
        'Days copied recordings are kept (0: kept)',
      ],
      ...(encryptionKey
        ? {
            EncryptionKeyArn: [encryptionKey.keyArn, 'Customer-managed KMS key of the data'] as [
              string,
              string,
            ],
          }
        : {}),
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
