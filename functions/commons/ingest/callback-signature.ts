/**
 * Callback signature check. 百应 does not publish how a callback's `sign`/`dateTime` are made
 * ("需联系开通"); we assume the scheme of its OpenAPI — Base64(HMAC-SHA1(appSecret,
 * appKey + "\n" + dateTime)) — and offer three modes:
 *   off      nothing is checked (default);
 *   log      compute and log match/mismatch, reject nothing: lets an operator confirm the scheme
 *            against real traffic before turning it on;
 *   enforce  a missing or wrong signature, or a `dateTime` too far from now, is refused (401).
 */
import { timingSafeEqual } from 'node:crypto';
import { type Credentials, signature } from '../byrobot/sign.js';
import { isoFromGmtText } from '../contract/time.js';
import { describeError } from '../errors.js';

export { SIGNATURE_MODES, type SignatureMode } from '../definitions.js';

export type SignatureVerdict =
  | { readonly status: 'valid' }
  | { readonly status: 'missing' }
  | { readonly status: 'mismatch' }
  | { readonly status: 'stale'; readonly ageSeconds: number }
  | { readonly status: 'unavailable'; readonly reason: string };

export interface SignatureCheckerOptions {
  readonly credentials: () => Promise<Credentials>;
  /** How far `dateTime` may be from our clock, either way. */
  readonly maxAgeSeconds: number;
}

const same = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

export const checkSignature = async (
  data: Readonly<Record<string, unknown>>,
  nowMs: number,
  options: SignatureCheckerOptions,
): Promise<SignatureVerdict> => {
  const sign = data.sign;
  const dateTime = data.dateTime;
  if (typeof sign !== 'string' || sign === '' || typeof dateTime !== 'string' || dateTime === '')
    return { status: 'missing' };
  let credentials: Credentials;
  try {
    credentials = await options.credentials();
  } catch (error) {
    return { status: 'unavailable', reason: describeError(error) };
  }
  if (!same(sign.trim(), signature(credentials, dateTime))) return { status: 'mismatch' };
  const iso = isoFromGmtText(dateTime.trim());
  const sentAt = iso === null ? Number.NaN : Date.parse(iso);
  const ageSeconds = Math.round((nowMs - sentAt) / 1000);
  if (Number.isNaN(sentAt) || Math.abs(ageSeconds) > options.maxAgeSeconds) {
    return { status: 'stale', ageSeconds: Number.isNaN(ageSeconds) ? Number.POSITIVE_INFINITY : ageSeconds };
  }
  return { status: 'valid' };
};
