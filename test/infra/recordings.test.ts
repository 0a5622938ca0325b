/**
 * The recordings worker in the template: its own encrypted, TLS-only queue and DLQ, a function
 * that may only put objects under `recordings/` and read/update the calls table, the lifecycle
 * of `recordings/`, its alarms, and `recordings=off` removing all of it.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { RECORDINGS } from '../../functions/commons/definitions.js';
import { buildApp } from '../../lib/build-app.js';
import { ConfigError } from '../../lib/config.js';
import { actionsOf, alarmsOnQueue, entries, envOf, one, statementsOf, synthChecked } from './template.js';

let template: Template;
beforeAll(() => {
  template = synthChecked();
});

test('its queue is encrypted, TLS-only, and parks a task in its DLQ only after a day of retries', () => {
  const [queueId, queue] = one(template, 'AWS::SQS::Queue', 'RecordingsQueue');
  const [dlqId, dlq] = one(template, 'AWS::SQS::Queue', 'RecordingsDeadLetterQueue');
  expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
  expect(dlq.Properties.SqsManagedSseEnabled).toBe(true);
  expect(queue.Properties.RedrivePolicy).toEqual({
    deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
    maxReceiveCount: RECORDINGS.maxReceiveCount,
  });
  // Longer than the function's timeout, as SQS event sources need.
  expect(Number(queue.Properties.VisibilityTimeout)).toBeGreaterThanOrEqual(RECORDINGS.timeoutSeconds * 6);
  for (const id of [queueId, dlqId]) {
    const guarded = entries(template, 'AWS::SQS::QueuePolicy').some(
      ([, policy]) =>
        JSON.stringify(policy.Properties.Queues).includes(id) &&
        JSON.stringify(policy.Properties.PolicyDocument).includes('"aws:SecureTransport":"false"'),
    );
    expect([id, guarded]).toEqual([id, true]);
  }
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
    BatchSize: RECORDINGS.batchSize,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
});

test('the function: arm64, newest runtime, the default host allowlist and size cap', () => {
  const [, fn] = one(template, 'AWS::Lambda::Function', 'RecordingsCopy');
  expect(fn.Properties.Architectures).toEqual(['arm64']);
  expect(fn.Properties.Runtime).toBe('nodejs24.x');
  expect(envOf(template, 'RecordingsCopy')).toMatchObject({
    RECORDING_HOSTS: '*.aliyuncs.com,pre-crm.indata.cc,*.byrobot.cn,*.byai.com',
    RECORDING_MAX_BYTES: String(200 * 1024 * 1024),
  });
  // The local-only switches never reach a deployed function.
  expect(envOf(template, 'RecordingsCopy')).not.toHaveProperty('RECORDING_EXEMPT_HOSTS');
  expect(envOf(template, 'RecordingsCopy')).not.toHaveProperty('RECORDING_ONLY_EXEMPT');
});

test('its role: objects under recordings/ only (write), the calls table only (get, update)', () => {
  const [callsId] = one(template, 'AWS::DynamoDB::GlobalTable', 'CallsTable');
  const statements = statementsOf(template, 'RecordingsCopyRole');
  const s3 = statements.filter((statement) =>
    actionsOf(statement).some((action) => action.startsWith('s3:')),
  );
  // Writes its copies; deletes one (every version) only when its call was erased during the copy.
  expect(s3.flatMap(actionsOf).sort()).toEqual([
    's3:AbortMultipartUpload',
    's3:DeleteObject',
    's3:DeleteObjectVersion',
    's3:ListBucket',
    's3:ListBucketVersions',
    's3:PutObject',
  ]);
  for (const statement of s3) {
    if (actionsOf(statement).includes('s3:ListBucket')) {
      // Listing only under recordings/.
      expect(statement.Condition).toEqual({ StringLike: { 's3:prefix': 'recordings/*' } });
    } else {
      expect(JSON.stringify(statement.Resource)).toMatch(/\/recordings\/\*"/);
    }
  }
  const dynamo = statements.filter((statement) =>
    actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
  );
  expect(dynamo.flatMap(actionsOf).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  expect(dynamo.map((statement) => statement.Resource)).toEqual([{ 'Fn::GetAtt': [callsId, 'Arn'] }]);
});

test('consume may send tasks to the recordings queue and is told its URL', () => {
  const [queueId] = one(template, 'AWS::SQS::Queue', 'RecordingsQueue');
  expect(envOf(template, 'PipelineConsume').RECORDINGS_QUEUE_URL).toEqual({ Ref: queueId });
  const send = statementsOf(template, 'PipelineConsumeRole').find((statement) =>
    actionsOf(statement).includes('sqs:SendMessage'),
  );
  expect(send?.Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
});

test('recordings/ moves to Infrequent Access after 30 days and Glacier IR after 90, kept unless told', () => {
  const [, bucket] = one(template, 'AWS::S3::Bucket', 'DataBucket');
  const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
  expect(rules.find((rule) => rule.Id === 'recordings')).toEqual({
    Id: 'recordings',
    Prefix: 'recordings/',
    Status: 'Enabled',
    Transitions: [
      { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
      { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
    ],
  });
  const custom = synthChecked({
    recordingsInfrequentAccessDays: '0',
    recordingsGlacierDays: '60',
    recordingsExpireDays: '400',
  });
  const [, customBucket] = one(custom, 'AWS::S3::Bucket', 'DataBucket');
  const rule = (
    customBucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }
  ).Rules.find((item) => item.Id === 'recordings');
  expect(rule).toMatchObject({
    Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 60 }],
    ExpirationInDays: 400,
  });
});

test('alarms: DLQ not empty, FAILED, EXPIRED and REFUSED recordings, each to the alarm topic', () => {
  const alarms = entries(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
  const byMetric = (name: string) => alarms.find((alarm) => alarm.MetricName === name);
  for (const name of ['RecordingsFailed', 'RecordingsExpired', 'RecordingsRefused']) {
    expect(byMetric(name)).toMatchObject({
      Namespace: 'ByrobotCallbacks',
      Dimensions: [{ Name: 'service', Value: 'recordings' }],
      Threshold: 1,
      AlarmActions: [expect.anything()],
    });
  }
  const [dlqId] = one(template, 'AWS::SQS::Queue', 'RecordingsDeadLetterQueue');
  expect(alarmsOnQueue(template, dlqId)).toBe(true);
});

test('custom hosts and cap from context reach the function', () => {
  const custom = synthChecked({
    recordingHosts: 'rec.example.cn, *.oss.example.com',
    recordingMaxBytes: '1048576',
  });
  expect(envOf(custom, 'RecordingsCopy')).toMatchObject({
    RECORDING_HOSTS: 'rec.example.cn,*.oss.example.com',
    RECORDING_MAX_BYTES: '1048576',
  });
});

test('recordings=off: no queue, function, alarm, lifecycle rule or consume setting (nag still clean)', () => {
  const off = synthChecked({ recordings: 'off' });
  const ids = Object.keys(off.toJSON().Resources as Record<string, unknown>);
  expect(ids.filter((id) => id.startsWith('Recordings'))).toEqual([]);
  expect(envOf(off, 'PipelineConsume')).not.toHaveProperty('RECORDINGS_QUEUE_URL');
  const [, bucket] = one(off, 'AWS::S3::Bucket', 'DataBucket');
  expect(JSON.stringify(bucket.Properties.LifecycleConfiguration)).not.toContain('recordings/');
});

test.each([
  [{ recordings: 'maybe' }, 'recordings must be on or off'],
  [{ recordingHosts: '' }, 'recordingHosts is empty'],
  [{ recordingHosts: 'bad host!' }, '"bad host!" is not a host name'],
  [{ recordingHosts: '*.com.' }, 'is not a host name'],
  [{ recordingMaxBytes: '10' }, 'recordingMaxBytes must be at least 1024'],
  [{ recordingsInfrequentAccessDays: '10' }, 'at least 30'],
  [{ recordingsGlacierDays: '20' }, 'must come after recordingsInfrequentAccessDays'],
  [{ recordingsExpireDays: '60', recordingsGlacierDays: '90' }, 'recordingsExpireDays must come after'],
])('%j is refused with a clear message', (context, message) => {
  expect(() => buildApp({ context })).toThrow(ConfigError);
  expect(() => buildApp({ context })).toThrow(message);
});
