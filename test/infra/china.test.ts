/**
 * The AWS China regions (partition aws-cn): the app synthesizes for Beijing and Ningxia with
 * cdk-nag clean, names no `arn:aws:` literally, uses only resource types and features those
 * regions offer (X-Ray for Lambda, which they lack, is not used anywhere). The runtime and
 * architecture come from context for regions that lag.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/build-app.js';
import { LAMBDA_RUNTIMES } from '../../lib/config.js';

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** The AWS China regions (partition `aws-cn`): Beijing and Ningxia. */
const CHINA_REGIONS = ['cn-north-1', 'cn-northwest-1'] as const;

/**
 * Every resource type this stack may use, each checked as available in both China regions
 * (AWS "Getting Started with Amazon Web Services in China", per service). A new type fails
 * this test until it is checked and added here.
 */
const AVAILABLE_IN_CHINA = new Set([
  'AWS::ApiGateway::Account',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Stage',
  'AWS::CDK::Metadata',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::DynamoDB::GlobalTable',
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::IAM::Policy',
  'AWS::IAM::Role',
  'AWS::KMS::Key',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::Function',
  'AWS::Lambda::Permission',
  'AWS::Logs::LogGroup',
  // Metric filters: docs.amazonaws.cn/en_us/AmazonCloudWatch/latest/logs/MonitoringPolicyExamples.html
  'AWS::Logs::MetricFilter',
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'AWS::SNS::Subscription',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
  'AWS::SecretsManager::Secret',
]);

/** Service principals the stack grants, as IAM names them in aws-cn (no `.amazonaws.com.cn` form needed). */
const PRINCIPALS = new Set([
  'apigateway.amazonaws.com',
  'cloudwatch.amazonaws.com',
  'events.amazonaws.com',
  'lambda.amazonaws.com',
  // Delivers the alarm e-mail's undeliverable notices to their queue.
  'sns.amazonaws.com',
]);

const synthFor = (region: string, context: Record<string, string> = {}) => {
  const { app, stack } = buildApp(
    { outdir: mkdtempSync(join(tmpdir(), 'china-')), context: { alarmEmail: 'ops@example.com', ...context } },
    { account: '123456789012', region },
  );
  // Synth runs cdk-nag (both packs): it throws on any unacknowledged finding.
  const assembly = app.synth();
  return { template: Template.fromStack(stack), artifact: assembly.getStackByName(stack.stackName) };
};

const resourcesOf = (template: Template) =>
  Object.entries(template.toJSON().Resources as Record<string, Resource>);

const principalsIn = (value: unknown, out = new Set<string>()): Set<string> => {
  if (Array.isArray(value)) for (const item of value) principalsIn(item, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Service') for (const name of [inner].flat()) out.add(String(name));
      else principalsIn(inner, out);
    }
  }
  return out;
};

describe.each(CHINA_REGIONS)('%s', (region) => {
  const { template, artifact } = synthFor(region);
  const json = JSON.stringify(template.toJSON());

  test('synthesizes for the aws-cn partition with cdk-nag clean', () => {
    expect(artifact.environment.region).toBe(region);
    expect(resourcesOf(template).length).toBeGreaterThan(40);
  });

  test('no literal arn:aws: — every ARN goes through the partition', () => {
    expect(json).not.toMatch(/arn:aws:/);
    expect(json).toContain('"Ref":"AWS::Partition"');
  });

  test('every resource type is one the China regions offer', () => {
    const types = [...new Set(resourcesOf(template).map(([, resource]) => resource.Type))];
    expect(types.filter((type) => !AVAILABLE_IN_CHINA.has(type))).toEqual([]);
  });

  test('service principals are the aws-cn ones', () => {
    expect([...principalsIn(template.toJSON().Resources)].sort()).toEqual([...PRINCIPALS].sort());
  });

  test('no X-Ray (Lambda has no X-Ray integration there; the stack does not trace anywhere)', () => {
    const functions = resourcesOf(template).filter(
      ([, resource]) => resource.Type === 'AWS::Lambda::Function',
    );
    expect(functions).toHaveLength(5);
    for (const [, fn] of functions) expect(fn.Properties?.TracingConfig).toBeUndefined();
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: false });
    expect(json).not.toContain('xray:');
  });

  test('no feature the China regions lack: regional endpoint only, no function URLs, no SMS or mobile push, no Cognito', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    expect(json).not.toMatch(/"EDGE"|AWS::Lambda::Url|COGNITO_USER_POOLS/);
    const protocols = resourcesOf(template)
      .filter(([, resource]) => resource.Type === 'AWS::SNS::Subscription')
      .map(([, resource]) => resource.Properties?.Protocol);
    // The alarm e-mail works there (SNS in China lacks only SMS and mobile push).
    expect(protocols).toEqual(['email']);
  });

  test('the callback URLs are built from the region and AWS::URLSuffix (amazonaws.com.cn there)', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const url = JSON.stringify(outputs.CallRecordCallbackUrl?.Value);
    expect(url).toContain(`.execute-api.${region}.`);
    expect(url).toContain('AWS::URLSuffix');
    expect(url).not.toContain('amazonaws.com"');
  });

  test('the newest Node runtime on arm64 by default', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Runtime: LAMBDA_RUNTIMES[0], Architectures: ['arm64'] },
      5,
    );
  });
});

describe('runtime and architecture from context', () => {
  test('lambdaRuntime=nodejs22.x and lambdaArchitecture=x86_64 apply to every function, nag still clean', () => {
    const { template } = synthFor('cn-north-1', {
      lambdaRuntime: 'nodejs22.x',
      lambdaArchitecture: 'x86_64',
    });
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Runtime: 'nodejs22.x', Architectures: ['x86_64'] },
      5,
    );
  });

  test('the bundle targets the chosen runtime', async () => {
    const { bundlingTargetOf } = await import('../../lib/bundling.js');
    expect(LAMBDA_RUNTIMES.map(bundlingTargetOf)).toEqual(['node24', 'node22', 'node20']);
  });

  test.each([
    [{ lambdaRuntime: 'nodejs18.x' }, 'lambdaRuntime must be one of nodejs24.x, nodejs22.x, nodejs20.x'],
    [{ lambdaArchitecture: 'arm' }, 'lambdaArchitecture must be arm64 or x86_64'],
  ])('%j is refused with a clear message', (context, message) => {
    expect(() => synthFor('cn-north-1', context)).toThrow(message);
  });
});

describe('the same template everywhere', () => {
  test('a standard region gets the same resources and settings as the China regions', () => {
    // The API deployment's id hashes its (region-specific) content; every other id is stable.
    const types = (template: Template) =>
      resourcesOf(template).map(
        ([id, resource]) => `${id.replace(/^(\w+Deployment\w{8})\w+$/, '$1')}:${resource.Type}`,
      );
    expect(types(synthFor('ap-east-1').template)).toEqual(types(synthFor('cn-north-1').template));
  });
});
