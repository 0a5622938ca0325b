/**
 * Builds the CDK app: reads the deployment options from context, adds the stack and runs
 * cdk-nag (AwsSolutions + Serverless packs) as validation plugins, so synth fails on any finding
 * that is not acknowledged with a reason.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { readReceiverConfig } from './config.js';
import { ReceiverStack } from './receiver-stack.js';

export const DEFAULT_STACK_NAME = 'ByrobotCallbacks';

/** Where to deploy: from the CDK CLI's environment (`CDK_DEFAULT_ACCOUNT`/`CDK_DEFAULT_REGION`) unless given. */
export interface DeployTarget {
  readonly account: string;
  readonly region: string;
}

const targetFromEnvironment = (): DeployTarget | undefined =>
  process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION
    ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
    : undefined;

export const buildApp = (
  props: AppProps = {},
  target: DeployTarget | undefined = targetFromEnvironment(),
): { app: App; stack: ReceiverStack } => {
  const app = new App(props);
  const config = readReceiverConfig((key) => app.node.tryGetContext(key));
  const stack = new ReceiverStack(app, app.node.tryGetContext('stackName') ?? DEFAULT_STACK_NAME, {
    config,
    description:
      '百应 (BYRobot) callback receiver: API Gateway → SQS → Lambda → DynamoDB, with reconciliation',
    ...(target ? { env: target } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
};
