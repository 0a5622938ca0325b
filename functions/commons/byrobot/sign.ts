/**
 * 百应 OpenAPI request signing, as 百应 documents it: headers `appkey`, `datetime` (RFC 1123,
 * GMT) and `sign = Base64(HMAC-SHA1(appSecret, appKey + "\n" + datetime))`. 百应 refuses a
 * datetime more than 3 minutes from its own clock (code 408).
 */
import { createHmac } from 'node:crypto';

export interface Credentials {
  readonly appKey: string;
  readonly appSecret: string;
}

export interface SignedHeaders {
  readonly appkey: string;
  readonly datetime: string;
  readonly sign: string;
}

export const signature = (credentials: Credentials, datetime: string): string =>
  createHmac('sha1', credentials.appSecret)
    .update(`${credentials.appKey}\n${datetime}`, 'utf8')
    .digest('base64');

/** Headers for a request sent at `epochMs` (already corrected for any known clock skew). */
export const signedHeaders = (credentials: Credentials, epochMs: number): SignedHeaders => {
  const datetime = new Date(epochMs).toUTCString();
  return { appkey: credentials.appKey, datetime, sign: signature(credentials, datetime) };
};
