/**
 * `companyIds`: which 百应 companies' callbacks the stack stores. Validated at synth, handed to
 * consume, warned about when absent (every company is stored), and alarmed on when another
 * company's callbacks arrive.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/build-app.js';
import { ConfigError } from '../../lib/config.js';
import { one } from './template.js';

const build = (context: Record<string, unknown> = {}) =>
  buildApp({ outdir: mkdtempSync(join(tmpdir(), 'cdk-')), context }).stack;

const consumeEnvironment = (template: Template): Record<string, unknown> =>
  (
    one(template, 'AWS::Lambda::Function', 'Consume')[1].Properties.Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;

test('companyIds reach consume as COMPANY_IDS, normalized; no warning then', () => {
  const stack = build({ companyIds: '151, 0241,151' });
  expect(consumeEnvironment(Template.fromStack(stack)).COMPANY_IDS).toBe('151,241');
  Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('companyIds is not set'));
});

test('without companyIds consume stores every company, and synth warns that it does', () => {
  const stack = build();
  expect(consumeEnvironment(Template.fromStack(stack)).COMPANY_IDS).toBeUndefined();
  Annotations.fromStack(stack).hasWarning(
    '*',
    Match.stringLikeRegexp('companyIds is not set.*every 百应 company'),
  );
});

test.each([
  [{ companyIds: '151,abc' }, '"abc" is not a 百应 company id'],
  [{ companyIds: '-1' }, '"-1" is not a 百应 company id'],
])('%j is refused with a clear message', (context, message) => {
  expect(() => build(context)).toThrow(ConfigError);
  expect(() => build(context)).toThrow(message);
});

test('another company’s callbacks are alarmed on, with what to do', () => {
  const template = Template.fromStack(build({ companyIds: '1' }));
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ForeignCallbacks',
    Threshold: 1,
    AlarmDescription: Match.stringLikeRegexp('companyIds.*replay -- --quarantine'),
  });
});
