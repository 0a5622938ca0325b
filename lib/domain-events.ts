/**
 * Domain events for the customer's systems: the tables' DynamoDB streams drive a small publisher
 * function that derives events from each item change and puts them on an EventBridge bus — one
 * the stack creates, or an existing one (`eventBusArn`). Records it cannot publish after its
 * retries (bisecting a failing batch) go to a dead-letter queue, alarmed.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.js';
import { type FunctionSettings, ReceiverFunction } from './lambda-function.js';

export interface DomainEventsProps {
  readonly calls: dynamodb.ITableV2;
  readonly jobs: dynamodb.ITableV2;
  /** Publish to this bus instead of creating one. */
  readonly eventBusArn?: string;
  /** Full phone numbers in events; masked otherwise. @default false */
  readonly includePhone: boolean;
  readonly functions: FunctionSettings;
  /** The customer-managed key of the DLQ (the tables' key is granted with their streams). @default AWS-managed keys */
  readonly encryptionKey?: kms.IKey;
}

export class DomainEvents extends Construct {
  readonly bus: events.IEventBus;
  readonly fn: ReceiverFunction;
  readonly dlq: sqs.Queue;

  constructor(scope: Construct, id: string, props: DomainEventsProps) {
    super(scope, id);
    this.bus = props.eventBusArn
      ? events.EventBus.fromEventBusArn(this, 'Bus', props.eventBusArn)
      : new events.EventBus(this, 'Bus', {
          eventBusName: `${Stack.of(this).stackName}-events`,
          description:
            'byrobot-callbacks domain events (call.recorded, call.intent-changed, job.status-changed, …)',
        });

    this.dlq = deadLetterQueue(
      this,
      'DeadLetterQueue',
      'of the events stream mappings (their on-failure destination); it is alarmed on',
      props.encryptionKey,
    );

    this.fn = new ReceiverFunction(this, 'Publish', {
      handler: 'events',
      description: 'Turns calls/jobs item changes (DynamoDB streams) into domain events on EventBridge',
      timeout: Duration.seconds(60),
      memorySize: 256,
      settings: props.functions,
      environment: {
        CALLS_TABLE: props.calls.tableName,
        JOBS_TABLE: props.jobs.tableName,
        EVENT_BUS_NAME: this.bus.eventBusArn,
        EVENTS_INCLUDE_PHONE: String(props.includePhone),
      },
    });
    this.fn.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }),
    );
    for (const table of [props.calls, props.jobs]) {
      this.fn.fn.addEventSource(
        new DynamoEventSource(table, {
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: 100,
          maxBatchingWindow: Duration.seconds(1),
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          retryAttempts: 10,
          maxRecordAge: Duration.days(1),
          // Changes of one item stay in order: one batch at a time per shard.
          parallelizationFactor: 1,
          onFailure: new SqsDlq(this.dlq),
        }),
      );
    }
  }
}
