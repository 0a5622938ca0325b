/**
 * Domain events in the template: both tables stream NEW_AND_OLD_IMAGES to a publisher that may only
 * PutEvents on its bus (created by the stack, or the one given), with bisecting, partial batch
 * responses and a DLQ on failure; alarms on the DLQ, unpublished events and lag.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/build-app.js';
import { ConfigError } from '../../lib/config.js';
import { alarmsOnQueue, entries, one, synthChecked } from './template.js';

const idOf = (template: Template, type: string, fragment: string): string => one(template, type, fragment)[0];

let template: Template;
beforeAll(() => {
  template = synthChecked();
});

test('both tables stream their items’ old and new images', () => {
  const tables = entries(template, 'AWS::DynamoDB::GlobalTable');
  expect(tables).toHaveLength(2);
  for (const [, table] of tables) {
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  }
});

test('a bus named for the stack; the publisher may only PutEvents on it and is told its ARN', () => {
  template.hasResourceProperties('AWS::Events::EventBus', { Name: 'ByrobotCallbacks-events' });
  const busId = idOf(template, 'AWS::Events::EventBus', 'EventsBus');
  const [, policy] =
    entries(template, 'AWS::IAM::Policy').find(([id]) => id.includes('EventsPublishRole')) ?? [];
  if (!policy) throw new Error('no policy for the publisher role');
  const statements = (
    policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }
  ).Statement;
  const put = statements.filter((statement) => JSON.stringify(statement.Action).includes('events:'));
  expect(put).toEqual([
    expect.objectContaining({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } }),
  ]);
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: Match.objectLike({
        EVENT_BUS_NAME: { 'Fn::GetAtt': [busId, 'Arn'] },
        EVENTS_INCLUDE_PHONE: 'false',
      }),
    },
  });
});

test('one mapping per table: from the start of the stream, bisecting, partial failures, DLQ on failure', () => {
  const dlqId = idOf(template, 'AWS::SQS::Queue', 'EventsDeadLetterQueue');
  const mappings = entries(template, 'AWS::Lambda::EventSourceMapping').filter(([, mapping]) =>
    JSON.stringify(mapping.Properties.EventSourceArn).includes('StreamArn'),
  );
  expect(mappings).toHaveLength(2);
  for (const [, mapping] of mappings) {
    expect(mapping.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ParallelizationFactor: 1,
      MaximumRetryAttempts: 10,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
  }
});

test('alarms: events DLQ not empty, events not published, publisher behind', () => {
  const alarms = entries(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
  expect(alarms.find((alarm) => alarm.MetricName === 'EventsNotPublished')).toMatchObject({
    Namespace: 'ByrobotCallbacks',
    Dimensions: [{ Name: 'service', Value: 'events' }],
  });
  expect(alarms.find((alarm) => alarm.MetricName === 'IteratorAge')).toMatchObject({ Threshold: 300_000 });
  const dlqId = idOf(template, 'AWS::SQS::Queue', 'EventsDeadLetterQueue');
  expect(alarmsOnQueue(template, dlqId)).toBe(true);
});

test('eventBusArn: no bus created, PutEvents on that bus; eventsIncludePhone reaches the function', () => {
  const arn = 'arn:aws:events:us-east-1:123456789012:event-bus/crm-bus';
  const given = synthChecked({ eventBusArn: arn, eventsIncludePhone: 'true' });
  expect(entries(given, 'AWS::Events::EventBus')).toHaveLength(0);
  given.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: arn, EVENTS_INCLUDE_PHONE: 'true' }) },
  });
  given.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([Match.objectLike({ Action: 'events:PutEvents', Resource: arn })]),
    },
  });
});

test.each([
  [{ eventBusArn: 'crm-bus' }, 'eventBusArn must be an EventBridge event bus ARN'],
  [{ eventBusArn: 'arn:aws:sqs:us-east-1:123456789012:q' }, 'eventBusArn must be'],
  [{ eventsIncludePhone: 'yes' }, 'eventsIncludePhone'],
])('%j is refused with a clear message', (context, message) => {
  expect(() => buildApp({ context })).toThrow(ConfigError);
  expect(() => buildApp({ context })).toThrow(message);
});
