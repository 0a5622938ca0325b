/**
 * The caps on the path in the template, each from its setting with a default that carries the
 * largest 百应 tenants, and alarmed on before it is reached: the API's throttle, consume's
 * concurrency, DynamoDB's per-key write limit (throttled writes on every table and index); the
 * shard count handed to the writers and readers; the index sets of the upgrade steps.
 */
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/build-app.js';
import { ConfigError } from '../../lib/config.js';
import { entries, envOf, one, synthChecked } from './template.js';

const alarm = (template: Template, id: string) =>
  one(template, 'AWS::CloudWatch::Alarm', `Monitoring${id}`)[1].Properties;
const indexesOf = (template: Template): string[] =>
  (
    one(template, 'AWS::DynamoDB::GlobalTable', 'CallsTable')[1].Properties.GlobalSecondaryIndexes as {
      IndexName: string;
    }[]
  )
    .map((index) => index.IndexName)
    .sort();

describe('defaults', () => {
  let template: Template;
  beforeAll(() => {
    template = synthChecked();
  });

  test('the API takes 1,000 requests a second (burst 2,000) and consume 50 batches at once', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 }),
      ]),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 25,
      ScalingConfig: { MaximumConcurrency: 50 },
    });
  });

  test('alarms fire at 80% of each cap, before callbacks are refused or wait', () => {
    expect(alarm(template, 'ApiNearThrottle')).toMatchObject({
      MetricName: 'Count',
      Namespace: 'AWS/ApiGateway',
      Period: 60,
      Threshold: 48_000,
      EvaluationPeriods: 3,
    });
    expect(alarm(template, 'ConsumeNearConcurrencyCap')).toMatchObject({
      MetricName: 'ConcurrentExecutions',
      Statistic: 'Maximum',
      Threshold: 40,
    });
    expect(String(alarm(template, 'ApiNearThrottle').AlarmDescription)).toContain('throttleRate');
  });

  test('throttled writes on each table and each index are alarmed', () => {
    const throttles = entries(template, 'AWS::CloudWatch::Alarm').filter(
      ([, resource]) => resource.Properties.MetricName === 'WriteThrottleEvents',
    );
    const indexes = throttles
      .map(
        ([, resource]) =>
          (resource.Properties.Dimensions as { Name: string; Value: unknown }[]).find(
            (d) => d.Name === 'GlobalSecondaryIndexName',
          )?.Value ?? '(table)',
      )
      .sort();
    expect(indexes).toEqual(
      ['(table)', '(table)', 'byCompany', 'byCompanyDate', 'byJobShard', 'byPhone'].sort(),
    );
  });

  test('the writers and the readers get the shard count; the stack says it', () => {
    for (const fn of ['PipelineConsume', 'ReconcilerReconcile'])
      expect(envOf(template, fn).INDEX_SHARDS).toBe('16');
    expect((template.toJSON().Outputs as Record<string, { Value: unknown }>).IndexShards?.Value).toBe('16');
    expect(indexesOf(template)).toEqual(['byCompanyDate', 'byJobShard', 'byPhone']);
  });
});

test('settings raise the caps and the shards, and move the alarms with them', () => {
  const template = synthChecked({
    throttleRate: '3000',
    throttleBurst: '6000',
    consumeConcurrency: '200',
    indexShards: '32',
  });
  template.hasResourceProperties('AWS::ApiGateway::Stage', {
    MethodSettings: Match.arrayWith([
      Match.objectLike({ ThrottlingRateLimit: 3000, ThrottlingBurstLimit: 6000 }),
    ]),
  });
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    ScalingConfig: { MaximumConcurrency: 200 },
  });
  expect(alarm(template, 'ApiNearThrottle').Threshold).toBe(144_000);
  expect(alarm(template, 'ConsumeNearConcurrencyCap').Threshold).toBe(160);
  expect(envOf(template, 'PipelineConsume').INDEX_SHARDS).toBe('32');
});

test.each([
  [{ upgradeStep: '1' }, ['byCompanyDate', 'byJob', 'byPhone'], 'deploy with -c upgradeStep=2'],
  [{ upgradeStep: '2' }, ['byCompanyDate', 'byJob', 'byJobShard', 'byPhone'], 'run npm run migrate'],
])(
  'upgrade %j: one index added to the previous set, and synth says what comes next',
  (context, indexes, next) => {
    const { app, stack } = buildApp({ context });
    app.synth();
    const template = synthChecked(context);
    expect(indexesOf(template)).toEqual(indexes);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(next)).length).toBe(1);
  },
);

test.each([
  [{ indexShards: '0' }, 'indexShards must be at least 1'],
  [{ indexShards: '65' }, 'indexShards must be at most 64'],
  [{ consumeConcurrency: '1' }, 'consumeConcurrency must be at least 2'],
  [{ consumeConcurrency: '1001' }, 'consumeConcurrency must be at most 1000'],
  [{ upgradeStep: '3' }, 'upgradeStep must be 1 or 2'],
])('%j is refused with a clear message', (context, message) => {
  expect(() => buildApp({ context })).toThrow(ConfigError);
  expect(() => buildApp({ context })).toThrow(message);
});
