/**
 * The 百应 API base URLs the reconciler may call: every request carries its credentials (the
 * classic OpenAPI's `appkey`/`sign` headers, the open platform's token), so they travel over
 * https only — plain http only to a loopback address (the local fake 百应 and tests). Plain text
 * rules with no I/O, so the CDK app validates its context with the same rules.
 */
import { isIP } from 'node:net';

const isLoopback = (hostname: string): boolean => {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
};

/** The URL, checked; throws an Error naming `what` when it is not https (or http on loopback). */
export const checkApiUrl = (text: string, what: string): string => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${what} must be a URL; "${text}" is not one`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return text;
  throw new Error(`${what} must be an https URL (http only for a loopback address); "${text}" is not`);
};
