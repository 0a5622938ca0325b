/**
 * The synthesized template, read with aws-cdk-lib/assertions: every security and reliability
 * property the stack promises, checked on the CloudFormation it would deploy.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CALLS_TABLE, JOBS_TABLE, QUEUE } from '../../functions/commons/definitions.js';
import { buildApp } from '../../lib/build-app.js';
import { ConfigError } from '../../lib/config.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

const synth = (context: Record<string, unknown> = {}) => {
  const { stack } = buildApp({ outdir: mkdtempSync(join(tmpdir(), 'cdk-')), context });
  return Template.fromStack(stack);
};

const SECRET = 'k3y-only-our-byrobot-knows';
let template: Template;
beforeAll(() => {
  template = synth({
    allowedIps: '120.55.46.3, 203.0.113.7/32, 2001:db8::/48',
    secretPathSegment: SECRET,
    alarmEmail: 'ops@example.com',
  });
});

const resources = (type: string): [string, Resource][] =>
  Object.entries(template.findResources(type) as Record<string, Resource>);
const only = (type: string, match: (id: string, resource: Resource) => boolean = () => true): Resource => {
  const found = resources(type).filter(([id, resource]) => match(id, resource));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return (found[0] as [string, Resource])[1];
};
const logicalId = (type: string, fragment: string): string => {
  const found = resources(type).filter(([id]) => id.includes(fragment));
  if (found.length !== 1)
    throw new Error(`expected one ${type} with ${fragment}, found ${found.map(([id]) => id).join(', ')}`);
  return (found[0] as [string, Resource])[0];
};

const statementsOf = (fragment: string) => {
  const policy = only('AWS::IAM::Policy', (id) => id.includes(fragment));
  return (
    policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }
  ).Statement;
};

describe('API', () => {
  test('the resource policy denies every source IP but the allowed ones', () => {
    const api = only('AWS::ApiGateway::RestApi');
    expect((api.Properties.Policy as { Statement: unknown[] }).Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Principal: { AWS: '*' }, Resource: 'execute-api:/*' },
      {
        Action: 'execute-api:Invoke',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: 'execute-api:/*',
        Condition: { NotIpAddress: { 'aws:SourceIp': ['120.55.46.3', '203.0.113.7/32', '2001:db8::/48'] } },
      },
    ]);
  });

  test("by default only 百应's documented callback sources (both platforms) are allowed; opening to all is explicit", () => {
    const statementsOf = (t: Template) =>
      (Object.values(t.findResources('AWS::ApiGateway::RestApi'))[0] as Resource).Properties.Policy as {
        Statement: { Condition?: unknown }[];
      };
    const byDefault = synth();
    expect(statementsOf(byDefault).Statement[1]?.Condition).toEqual({
      NotIpAddress: { 'aws:SourceIp': ['120.55.46.3', '42.192.127.32/27'] },
    });
    const open = synth({ allowAllIps: 'true' });
    expect(statementsOf(open).Statement).toHaveLength(1);
  });

  test('routes POST /<secret>/callbacks/call and /job, and outputs both URLs', () => {
    const paths = resources('AWS::ApiGateway::Resource').map(([, resource]) => resource.Properties.PathPart);
    expect(paths.sort()).toEqual([SECRET, 'call', 'callbacks', 'job'].sort());
    const methods = resources('AWS::ApiGateway::Method').map(
      ([, resource]) => resource.Properties.HttpMethod,
    );
    expect(methods).toEqual(['POST', 'POST']);
    const outputs = template.findOutputs('*');
    expect(JSON.stringify(outputs.CallRecordCallbackUrl?.Value)).toContain(`/${SECRET}/callbacks/call`);
    expect(JSON.stringify(outputs.JobStatusCallbackUrl?.Value)).toContain(`/${SECRET}/callbacks/job`);
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'CallsTableName',
        'JobsTableName',
        'QueueUrl',
        'DeadLetterQueueUrl',
        'BucketName',
        'AlarmTopicArn',
      ]),
    );
  });

  test('the stage is throttled and writes JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000, LoggingLevel: 'ERROR' }),
      ]),
      AccessLogSetting: Match.objectLike({
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('requestId'),
      }),
      // The functions are not traced (cold-start budget), so neither is the stage.
      TracingEnabled: false,
    });
    const format = JSON.parse(
      (only('AWS::ApiGateway::Stage').Properties.AccessLogSetting as { Format: string }).Format,
    );
    expect(Object.keys(format)).toEqual([
      'requestId',
      'ip',
      'httpMethod',
      'status',
      'integrationLatency',
      'errorMessage',
    ]);
    // Read only when investigating: the Infrequent Access class halves what each line costs.
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupClass: 'INFREQUENT_ACCESS',
      RetentionInDays: Match.anyValue(),
    });
    expect(
      resources('AWS::Logs::LogGroup').filter(([, group]) => group.Properties.LogGroupClass !== undefined),
    ).toHaveLength(1);
  });
});

describe('queue', () => {
  const queueId = () => logicalId('AWS::SQS::Queue', 'PipelineQueue');
  const dlqId = () => logicalId('AWS::SQS::Queue', 'PipelineDeadLetterQueue');

  test('encrypted, with a DLQ after 5 receives and 14 days of retention', () => {
    const queue = only('AWS::SQS::Queue', (id) => id === queueId());
    const dlq = only('AWS::SQS::Queue', (id) => id === dlqId());
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(dlq.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(), 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(dlq.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
    expect(queue.Properties.MaximumMessageSize).toBe(QUEUE.maxMessageBytes);
  });

  test('visibility timeout is at least six times the consumer timeout', () => {
    const queue = only('AWS::SQS::Queue', (id) => id === queueId());
    const consumer = only('AWS::Lambda::Function', (id) => id.includes('Consume'));
    expect(queue.Properties.VisibilityTimeout as number).toBeGreaterThanOrEqual(
      6 * (consumer.Properties.Timeout as number),
    );
  });

  test('every queue refuses requests without TLS', () => {
    const queues = resources('AWS::SQS::Queue').map(([id]) => id);
    const guarded = resources('AWS::SQS::QueuePolicy')
      .filter(([, policy]) =>
        JSON.stringify(policy.Properties.PolicyDocument).includes('"aws:SecureTransport":"false"'),
      )
      .flatMap(([, policy]) => (policy.Properties.Queues as { Ref: string }[]).map((queue) => queue.Ref));
    expect(guarded.sort()).toEqual(queues.sort());
    expect(queues.length).toBe(7); // callbacks, recordings, their DLQs, the events DLQ, undelivered runs and alarms
  });

  test('the consumer reads it in batches with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: QUEUE.batchSize,
      MaximumBatchingWindowInSeconds: QUEUE.maxBatchingWindowSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 50 },
    });
  });
});

describe('tables and bucket', () => {
  test.each([
    ['Calls', CALLS_TABLE],
    ['Jobs', JOBS_TABLE],
  ])(
    '%s table: on demand, PITR, deletion protection, encryption, retained, indexes from the shared definition',
    (name, definition) => {
      const id = logicalId('AWS::DynamoDB::GlobalTable', `${name}Table`);
      const table = template.toJSON().Resources[id];
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(table.Properties.Replicas[0]).toMatchObject({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(table.Properties.KeySchema).toEqual([
        { AttributeName: definition.partitionKey, KeyType: 'HASH' },
      ]);
      // Indexes copy only a few slow-changing attributes, so a delivery does not rewrite them.
      for (const index of table.Properties.GlobalSecondaryIndexes)
        expect(index.Projection.ProjectionType).toBe('INCLUDE');
      expect(
        table.Properties.GlobalSecondaryIndexes.map((index: { IndexName: string; KeySchema: unknown }) => [
          index.IndexName,
          index.KeySchema,
        ]),
      ).toEqual(
        definition.indexes.map((index) => [
          index.name,
          [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
        ]),
      );
    },
  );

  test('bucket: no public access, TLS only, encrypted, versioned, archive moves to colder storage, retained', () => {
    const id = logicalId('AWS::S3::Bucket', 'DataBucket');
    const bucket = template.toJSON().Resources[id];
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(
      bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toBe('AES256');
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const archiveRule = bucket.Properties.LifecycleConfiguration.Rules.find(
      (rule: { Prefix?: string }) => rule.Prefix === 'archive/',
    );
    expect(
      archiveRule.Transitions.map((t: { StorageClass: string; TransitionInDays: number }) => [
        t.StorageClass,
        t.TransitionInDays,
      ]),
    ).toEqual([
      ['STANDARD_IA', 30],
      ['GLACIER_IR', 90],
    ]);
    expect(archiveRule.ExpirationInDays).toBeUndefined();
    const policy = only('AWS::S3::BucketPolicy', (_, resource) =>
      JSON.stringify(resource.Properties.Bucket).includes(id),
    );
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });
});

describe('functions', () => {
  test('arm64, Node.js 24, no X-Ray, JSON logs into a log group with retention', () => {
    const functions = resources('AWS::Lambda::Function').filter(([id]) => id.includes('Pipeline'));
    expect(functions).toHaveLength(2);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        LoggingConfig: expect.objectContaining({ LogFormat: 'JSON', SystemLogLevel: 'WARN' }),
        Handler: 'index.handler',
      });
      expect(fn.Properties.TracingConfig).toBeUndefined();
    }
    const groups = resources('AWS::Logs::LogGroup').map(([, group]) => group.Properties.RetentionInDays);
    expect(groups.length).toBeGreaterThanOrEqual(3);
    expect(groups.every((days) => days === 90)).toBe(true);
  });

  const statementsOf = (fragment: string) => {
    const policy = only('AWS::IAM::Policy', (id) => id.includes(fragment));
    return (
      policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }
    ).Statement;
  };
  const actionsOf = (fragment: string) =>
    statementsOf(fragment).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

  test('ingest may only send to the queue and put claim checks (plus its logs)', () => {
    expect(actionsOf('PipelineIngestRole').sort()).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:PutObject',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
    const statements = statementsOf('PipelineIngestRole');
    const s3 = statements.find((s) => s.Action === 's3:PutObject');
    expect(JSON.stringify(s3?.Resource)).toContain('/claims/*');
    const sqsStatement = statements.find((s) => JSON.stringify(s.Action).includes('sqs:SendMessage'));
    expect(sqsStatement?.Resource).toEqual({
      'Fn::GetAtt': [logicalId('AWS::SQS::Queue', 'PipelineQueue'), 'Arn'],
    });
    expect(actionsOf('PipelineIngestRole').some((action) => action.startsWith('dynamodb:'))).toBe(false);
  });

  test('consume may read the queue, merge into the two tables and write archive/quarantine/records', () => {
    const statements = statementsOf('PipelineConsumeRole');
    const dynamo = statements.find((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    expect(dynamo?.Action).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(JSON.stringify(dynamo?.Resource)).toContain(logicalId('AWS::DynamoDB::GlobalTable', 'CallsTable'));
    expect(JSON.stringify(dynamo?.Resource)).toContain(logicalId('AWS::DynamoDB::GlobalTable', 'JobsTable'));
    const puts = statements.filter((s) => s.Action === 's3:PutObject').map((s) => JSON.stringify(s.Resource));
    expect(puts.join()).toContain('/archive/*');
    expect(puts.join()).toContain('/quarantine/*');
    expect(puts.join()).toContain('/records/*');
    expect(puts.join()).not.toContain('/claims/*');
    // Never the whole bucket: every put is scoped to one prefix.
    expect(puts.every((resource) => /\/(archive|quarantine|records)\/\*/.test(resource))).toBe(true);
    // It deletes only claim-checked bodies it has stored, nothing else.
    const deletes = statements.filter((s) => JSON.stringify(s.Action).includes('s3:DeleteObject'));
    expect(deletes.map((s) => JSON.stringify(s.Resource))).toEqual([expect.stringContaining('/claims/*')]);
  });

  test('claims outlive any redrive of their message: a backstop of 45 days, well past SQS retention', () => {
    const bucket = only('AWS::S3::Bucket', (id) => id.includes('Archive') || id.includes('Bucket'));
    const rules = (
      bucket.Properties.LifecycleConfiguration as { Rules: { Prefix?: string; ExpirationInDays?: number }[] }
    ).Rules;
    const claims = rules.find((rule) => rule.Prefix === 'claims/');
    expect(claims?.ExpirationInDays).toBeGreaterThanOrEqual(30);
  });

  test('no role carries an AWS managed policy', () => {
    for (const [id, role] of resources('AWS::IAM::Role').filter(([id]) => id.includes('Pipeline'))) {
      expect([id, role.Properties.ManagedPolicyArns]).toEqual([id, undefined]);
    }
  });
});

describe('monitoring', () => {
  test('alarms on DLQ, oldest message age, 5xx, 4xx, enqueue failures, consumer errors and quarantine — each described and wired to the topic', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const names = alarms.map((alarm) => alarm.MetricName);
    expect(names).toEqual(
      expect.arrayContaining([
        'ApproximateNumberOfMessagesVisible',
        'ApproximateAgeOfOldestMessage',
        '5XXError',
        '4XXError',
        'EnqueueFailures',
        'Errors',
        'ConsumeFailures',
        'CallbacksQuarantined',
        'ReconcileFailures',
        'MissesToRecover',
      ]),
    );
    const topicId = logicalId('AWS::SNS::Topic', 'AlarmTopic');
    for (const alarm of alarms) {
      expect(typeof alarm.AlarmDescription).toBe('string');
      expect((alarm.AlarmDescription as string).length).toBeGreaterThan(40);
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });

  test("CallbacksReceived comes from ingest's accepted line (metric filters), in total and per DataType", () => {
    const ingestLogs = logicalId('AWS::Logs::LogGroup', 'PipelineIngestLogs');
    const filters = resources('AWS::Logs::MetricFilter').map(([, filter]) => filter.Properties);
    expect(filters).toHaveLength(2);
    for (const filter of filters) {
      expect(filter.LogGroupName).toEqual({ Ref: ingestLogs });
      expect(filter.FilterPattern).toBe('{ $.message = "callback accepted" }');
    }
    expect(
      filters.map((filter) => (filter.MetricTransformations as Record<string, unknown>[])[0]).sort(),
    ).toEqual(
      expect.arrayContaining([
        {
          MetricNamespace: 'ByrobotCallbacks',
          MetricName: 'CallbacksReceived',
          MetricValue: '1',
          Unit: 'Count',
          Dimensions: [{ Key: 'service', Value: '$.service' }],
        },
        {
          MetricNamespace: 'ByrobotCallbacks',
          MetricName: 'CallbacksReceived',
          MetricValue: '1',
          Unit: 'Count',
          Dimensions: [
            { Key: 'service', Value: '$.service' },
            { Key: 'DataType', Value: '$.dataType' },
          ],
        },
      ]),
    );
  });

  test('the alarm topic is KMS-encrypted and mails the configured address', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('reconciler', () => {
  test('runs on an EventBridge schedule (every 30 minutes by default), without retries, with a DLQ for undelivered runs', () => {
    const rule = only('AWS::Events::Rule');
    expect(rule.Properties.ScheduleExpression).toBe('rate(30 minutes)');
    const target = (rule.Properties.Targets as Record<string, unknown>[])[0];
    expect(target).toMatchObject({
      Arn: { 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'ReconcileFunction'), 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: 0 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId('AWS::SQS::Queue', 'UndeliveredRuns'), 'Arn'] } },
    });
  });

  test('reads the credentials secret, sends to the queue, reads presence and writes markers on calls only', () => {
    const statements = statementsOf('ReconcilerReconcileRole');
    const byAction = (prefix: string) => statements.filter((s) => JSON.stringify(s.Action).includes(prefix));
    expect(byAction('secretsmanager:')[0]?.Resource).toEqual({
      Ref: logicalId('AWS::SecretsManager::Secret', 'ReconcilerSecret'),
    });
    expect(byAction('dynamodb:')[0]).toMatchObject({
      Action: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
      Resource: { 'Fn::GetAtt': [logicalId('AWS::DynamoDB::GlobalTable', 'CallsTable'), 'Arn'] },
    });
    expect(byAction('sqs:SendMessage')[0]?.Resource).toEqual({
      'Fn::GetAtt': [logicalId('AWS::SQS::Queue', 'PipelineQueue'), 'Arn'],
    });
    expect(template.findOutputs('ByrobotSecretArn')).toBeDefined();
    // The jobs a company's calls and statuses name: a query of the two indexes, nothing else.
    const query = byAction('dynamodb:Query')[0];
    expect(query?.Action).toEqual('dynamodb:Query');
    expect(JSON.stringify(query?.Resource)).toContain('/index/byCompanyDate');
    expect(JSON.stringify(query?.Resource)).toContain('/index/byCompany"');
    expect(
      statements.filter((statement) => JSON.stringify(statement.Action).includes('dynamodb:Scan')),
    ).toEqual([]);
  });

  test('talks to both 百应 platforms: the classic OpenAPI and the open platform (token and API URLs), https by default', () => {
    const variables = (
      only('AWS::Lambda::Function', (id) => id.includes('ReconcileFunction')).Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(variables).toMatchObject({
      BYROBOT_API_URL: 'https://api.byrobot.cn',
      OPEN_API_URL: 'https://open.byai.com',
      OPEN_TOKEN_URL: 'https://open-tcs.byai.com/oauth/token',
      JOBS_TABLE: { Ref: logicalId('AWS::DynamoDB::GlobalTable', 'JobsTable') },
    });
  });

  test('an existing secret can be referenced instead of creating one', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:byrobot-AbCdEf';
    const withExisting = synth({ existingSecretArn: arn });
    // Only the phone hash key is created: the 百应 credentials are the existing secret.
    expect(Object.keys(withExisting.findResources('AWS::SecretsManager::Secret'))).toEqual([
      expect.stringMatching(/^DataPhoneHashKey/),
    ]);
    withExisting.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { BYROBOT_SECRET_ID: arn } },
    });
  });
});

describe('context validation', () => {
  test.each([
    [{ allowedIps: 'not-an-ip' }, 'allowedIps must hold'],
    [{ allowedIps: '' }, 'allowedIps is empty'],
    [{ allowedIps: ' , ' }, 'allowedIps is empty'],
    [{ allowedIps: '0.0.0.0/0' }, 'opens the API to every address'],
    [{ allowedIps: '120.55.46.3,::/0' }, 'opens the API to every address'],
    [{ allowedIps: '300.1.2.3' }, '"300.1.2.3" is neither'],
    [{ allowedIps: '10.0.0.0/33' }, '"10.0.0.0/33" is neither'],
    [{ allowedIps: '2001:db8::/129' }, 'is neither'],
    [{ allowedIps: '1.2.3.4/8/1' }, 'is neither'],
    [{ secretPathSegment: 'short' }, 'secretPathSegment must be'],
    [{ alarmEmail: 'nope' }, 'alarmEmail must be'],
    [{ allowAllIps: 'true', allowedIps: '1.2.3.4' }, 'not both'],
    [{ reconcileLookBackDays: '1' }, 'reconcileLookBackDays must be at least 2'],
    [{ byrobotApiUrl: 'http://api.byrobot.cn' }, 'byrobotApiUrl must be an https URL'],
    [{ byrobotApiUrl: 'not a url' }, 'byrobotApiUrl must be a URL'],
    [{ openApiUrl: 'http://open.byai.com' }, 'openApiUrl must be an https URL'],
    [{ openTokenUrl: 'ftp://open-tcs.byai.com/oauth/token' }, 'openTokenUrl must be an https URL'],
  ])('%j is refused with a clear message', (context, message) => {
    expect(() => buildApp({ context })).toThrow(ConfigError);
    expect(() => buildApp({ context })).toThrow(message);
  });
});

describe('callback signature mode', () => {
  test('off by default: ingest has no secret access and no signature setting', () => {
    expect(JSON.stringify(statementsOf('PipelineIngestRole'))).not.toContain('secretsmanager');
    const ingest = only('AWS::Lambda::Function', (id) => id.includes('PipelineIngest'));
    expect(
      (ingest.Properties.Environment as { Variables: Record<string, unknown> }).Variables.CALLBACK_SIGNATURE,
    ).toBeUndefined();
  });

  test('enforce: ingest gets the mode, the secret and read access to it only', () => {
    const enforced = synth({ callbackSignature: 'enforce', signatureMaxAgeSeconds: '300' });
    const fns = Object.entries(enforced.findResources('AWS::Lambda::Function') as Record<string, Resource>);
    const ingest = fns.find(([id]) => id.includes('PipelineIngest'))?.[1];
    const environment = ingest?.Properties.Environment as { Variables: Record<string, unknown> } | undefined;
    expect(environment?.Variables).toMatchObject({
      CALLBACK_SIGNATURE: 'enforce',
      SIGNATURE_MAX_AGE_SECONDS: '300',
      BYROBOT_SECRET_ID: { Ref: expect.stringContaining('ReconcilerSecret') },
    });
    const policies = Object.entries(enforced.findResources('AWS::IAM::Policy') as Record<string, Resource>);
    const ingestPolicy = policies.find(([id]) => id.includes('PipelineIngestRole'))?.[1];
    const document = ingestPolicy?.Properties.PolicyDocument as
      | { Statement: { Action: unknown; Resource: unknown }[] }
      | undefined;
    const secretStatement = document?.Statement.find((s) =>
      JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'),
    );
    expect(secretStatement?.Resource).toEqual({ Ref: expect.stringContaining('ReconcilerSecret') });
  });

  test('an unknown mode is refused', () => {
    expect(() => buildApp({ context: { callbackSignature: 'strict' } })).toThrow(
      'callbackSignature must be one of off, log, enforce',
    );
  });
});

describe('the secret path never leaves the API', () => {
  test('it appears only in the API resource that routes it and in the URLs printed for 百应', () => {
    const json = template.toJSON() as {
      Resources: Record<string, Resource>;
      Outputs: Record<string, unknown>;
    };
    const holders = Object.entries(json.Resources)
      .filter(([, resource]) => JSON.stringify(resource).includes(SECRET))
      .map(([, resource]) => resource.Type);
    // The path part itself, and the deployment/stage that must redeploy when it changes (by hash, not text).
    expect(holders).toEqual(['AWS::ApiGateway::Resource']);
    const outputs = Object.entries(json.Outputs)
      .filter(([, output]) => JSON.stringify(output).includes(SECRET))
      .map(([name]) => name)
      .sort();
    expect(outputs).toEqual(['CallRecordCallbackUrl', 'JobStatusCallbackUrl']);
  });

  test('access logs name no path, per-method metrics (Resource dimension) are off, no tracing', () => {
    const stage = only('AWS::ApiGateway::Stage');
    const format = JSON.stringify((stage.Properties.AccessLogSetting as { Format: string }).Format);
    expect(format).toContain('requestId');
    expect(format).not.toMatch(/resourcePath|context\.path|\$context\.resourceId/);
    expect(stage.Properties.TracingEnabled).toBe(false);
    expect(stage.Properties.MethodSettings).toEqual([
      expect.objectContaining({ ResourcePath: '/*', HttpMethod: '*', MetricsEnabled: false }),
    ]);
  });

  test('no function environment holds the secret', () => {
    for (const [, fn] of resources('AWS::Lambda::Function')) {
      expect(JSON.stringify(fn.Properties.Environment ?? {})).not.toContain(SECRET);
    }
  });
});

describe('the API', () => {
  test('hands every body over as bytes (binary media */*), so ingest decodes by the declared charset', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
  });

  test('has a name unique to the stack, and the API alarms select exactly that name', () => {
    const api = only('AWS::ApiGateway::RestApi');
    expect(api.Properties.Name).toBe('ByrobotCallbacks-callbacks');
    const apiAlarms = resources('AWS::CloudWatch::Alarm').filter(
      ([, alarm]) => alarm.Properties.Namespace === 'AWS/ApiGateway',
    );
    expect(apiAlarms.length).toBeGreaterThanOrEqual(2);
    for (const [, alarm] of apiAlarms) {
      expect(alarm.Properties.Dimensions).toContainEqual({
        Name: 'ApiName',
        Value: 'ByrobotCallbacks-callbacks',
      });
    }
  });
});

describe('reconciler alarms fit its schedule', () => {
  const alarm = (fragment: string) => only('AWS::CloudWatch::Alarm', (id) => id.includes(fragment));

  test.each(['ReconcileFailures', 'MissesFound', 'ReconcilerErrors'])(
    '%s: one period per run (30 min), missing data between runs keeps the state',
    (id) => {
      expect(alarm(id).Properties).toMatchObject({
        Period: 1800,
        EvaluationPeriods: 1,
        TreatMissingData: 'ignore',
      });
    },
  );

  test('MissesFound counts only misses we do not hold yet', () => {
    expect(alarm('MissesFound').Properties.MetricName).toBe('MissesToRecover');
  });

  test('Lambda does not retry a failed run (the next run overlaps it)', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });
});
