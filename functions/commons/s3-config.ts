/**
 * S3 client settings, in one place: with an endpoint override (the local emulator) addressing
 * is path-style, because bucket subdomains of a loopback address do not resolve; on AWS the
 * SDK's own virtual-hosted addressing and endpoint resolution apply (any region, `aws-cn` too).
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3';

export const s3ClientConfig = (
  endpointOverride: string | undefined,
  base: S3ClientConfig = {},
): S3ClientConfig =>
  endpointOverride === undefined ? base : { ...base, endpoint: endpointOverride, forcePathStyle: true };
