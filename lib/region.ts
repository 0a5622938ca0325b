/**
 * The regions the stack is checked against beyond the standard partition (test/infra/china.test.ts):
 * every resource type and feature it uses exists there, so it needs no region-specific choices.
 */

/** The AWS China regions (partition `aws-cn`): Beijing and Ningxia. */
export const CHINA_REGIONS = ['cn-north-1', 'cn-northwest-1'] as const;
