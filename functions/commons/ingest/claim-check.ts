/**
 * Claim check: a body too large for one SQS message is put in S3 under `claims/` and the
 * message carries the pointer. The S3 client is imported on first use, so the common path
 * (small bodies) never loads it at cold start.
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { BUCKET_PREFIXES } from '../definitions.js';

export interface ClaimStore {
  put(key: string, body: string): Promise<{ bucket: string; key: string }>;
}

export const claimKey = (receivedAt: string, requestId: string): string =>
  `${BUCKET_PREFIXES.claims}${receivedAt.slice(0, 10).replaceAll('-', '/')}/${requestId.replace(/[^\w-]/g, '_')}.json`;

type PutBody = (bucket: string, key: string, body: string) => Promise<void>;

export const s3ClaimStore = (bucket: string, clientConfig: S3ClientConfig = {}): ClaimStore => {
  let putBody: Promise<PutBody> | undefined;
  const load = (): Promise<PutBody> => {
    putBody ??= import('@aws-sdk/client-s3').then(({ S3Client, PutObjectCommand }) => {
      const s3 = new S3Client(clientConfig);
      return async (Bucket, Key, Body) => {
        await s3.send(
          new PutObjectCommand({ Bucket, Key, Body, ContentType: 'application/json; charset=utf-8' }),
        );
      };
    });
    return putBody;
  };
  return {
    async put(key, body) {
      const put = await load();
      await put(bucket, key, body);
      return { bucket, key };
    },
  };
};
