/** Synthesizing the stack for template tests, and finding resources in the template by type and logical id. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type DeployTarget } from '../../lib/build-app.js';

export type Resource = { Type: string; Properties: Record<string, unknown> };

/** The stack's template for `context`, after a full synth (cdk-nag throws on an unacknowledged finding). */
export const synthChecked = (context: Record<string, unknown> = {}, target?: DeployTarget): Template => {
  const { app, stack } = buildApp({ outdir: mkdtempSync(join(tmpdir(), 'cdk-')), context }, target);
  app.synth();
  return Template.fromStack(stack);
};

export const entries = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.findResources(type) as Record<string, Resource>);

/** The one resource of `type` whose logical id contains `fragment`, with its id. */
export const one = (template: Template, type: string, fragment: string): [string, Resource] => {
  const found = entries(template, type).filter(([id]) => id.includes(fragment));
  if (found.length !== 1) throw new Error(`expected one ${type} with ${fragment}, found ${found.length}`);
  return found[0] as [string, Resource];
};

/** Whether an alarm watches the visible messages of the queue with this logical id. */
export const alarmsOnQueue = (template: Template, queueId: string): boolean =>
  entries(template, 'AWS::CloudWatch::Alarm').some(
    ([, alarm]) =>
      alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
      JSON.stringify(alarm.Properties.Dimensions).includes(queueId),
  );

export type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

/** The statements of the one IAM policy whose logical id contains `fragment`. */
export const statementsOf = (template: Template, fragment: string): Statement[] =>
  (one(template, 'AWS::IAM::Policy', fragment)[1].Properties.PolicyDocument as { Statement: Statement[] })
    .Statement;

export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** The environment variables of the one function whose logical id contains `fragment`. */
export const envOf = (template: Template, fragment: string): Record<string, unknown> =>
  (
    one(template, 'AWS::Lambda::Function', fragment)[1].Properties.Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;
