/**
 * What the stack needs to know about where it is deployed. The region is known at synth time
 * when the app is given an environment (`CDK_DEFAULT_REGION`, set by the CDK CLI from the
 * profile); an environment-agnostic synth is treated as a standard AWS region.
 */
import { Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** The AWS China regions (partition `aws-cn`): Beijing and Ningxia. */
export const CHINA_REGIONS = ['cn-north-1', 'cn-northwest-1'] as const;

export const isChinaRegion = (scope: Construct): boolean => {
  const { region } = Stack.of(scope);
  return !Token.isUnresolved(region) && region.startsWith('cn-');
};
