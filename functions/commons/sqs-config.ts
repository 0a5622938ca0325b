/**
 * SQS client settings, in one place beside the S3 ones: with an endpoint override (the local
 * emulator) requests go to it rather than to the queue URL's host; on AWS the SDK's own endpoint
 * resolution applies (any region, `aws-cn` too).
 */
import type { SQSClientConfig } from '@aws-sdk/client-sqs';

export const sqsClientConfig = (endpointOverride: string | undefined): SQSClientConfig =>
  endpointOverride === undefined ? {} : { endpoint: endpointOverride };
