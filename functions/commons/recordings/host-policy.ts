/**
 * Which recording URLs the worker may fetch (SSRF rules): HTTPS on port 443 only, the host on an allowlist
 * (`*.aliyuncs.com` matches any subdomain, a plain name only itself), and every address the host
 * resolves to a public unicast one — checked when the connection is made, so a DNS answer that
 * changes between check and connect (rebinding) is caught too. Hosts marked exempt (only the
 * local stack's `--recording-hosts`) may use plain http, any port and loopback/private addresses.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export { parseHostList } from './host-list.js';

export class RefusedUrlError extends Error {
  override readonly name = 'RefusedUrlError';
}

export interface HostPolicy {
  /** Allowlist entries: `host`, or `*.domain` for any subdomain of `domain`. */
  readonly hosts: readonly string[];
  /** Hosts exempt from the https and address rules (local stack only). */
  readonly exemptHosts?: readonly string[];
  /**
   * Fetch only from exempt hosts (the local stack: it must never reach 百应's real storage, so an
   * allowed but not exempt host is refused with a reason saying so).
   */
  readonly onlyExempt?: boolean;
}

const matches = (entry: string, host: string): boolean =>
  entry.startsWith('*.') ? host.endsWith(entry.slice(1)) && host.length > entry.length - 1 : host === entry;

/** URL host without IPv6 brackets, lower case. */
const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

export const isExempt = (policy: HostPolicy, url: URL): boolean =>
  (policy.exemptHosts ?? []).some((entry) => matches(entry, hostOf(url)));

/** Throws RefusedUrlError when the URL may not be fetched; returns it parsed otherwise. */
export const checkUrl = (policy: HostPolicy, text: string): URL => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RefusedUrlError('not a URL');
  }
  const exempt = isExempt(policy, url);
  if (url.protocol !== 'https:' && !(exempt && url.protocol === 'http:')) {
    throw new RefusedUrlError(`${url.protocol.replace(':', '')} is not allowed (https only)`);
  }
  if (url.username || url.password) throw new RefusedUrlError('credentials in the URL are not allowed');
  const host = hostOf(url);
  if (!exempt && !policy.hosts.some((entry) => matches(entry, host))) {
    throw new RefusedUrlError(`host ${host} is not on the recording host allowlist`);
  }
  // `url.port` is empty for the scheme's own port (443, or 80 for http): storage hosts use no
  // other, and a link naming one is aimed at something else on that host.
  if (!exempt && url.port !== '') {
    throw new RefusedUrlError(`port ${url.port} is not allowed (https on port 443 only)`);
  }
  if (!exempt && isIP(host) !== 0) assertPublicAddress(host);
  if (!exempt && policy.onlyExempt) {
    throw new RefusedUrlError(
      `the local stack fetches recordings only from hosts given with --recording-hosts (or RECORDING_HOSTS), not ${host}`,
    );
  }
  return url;
};

/** Throws RefusedUrlError unless the address is public unicast (no private, loopback, link-local, metadata…). */
export const assertPublicAddress = (address: string): void => {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  if (range !== 'unicast') throw new RefusedUrlError(`address ${address} is ${range}, not public`);
};

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http(s).request that refuses to connect to a non-public address: the check is on
 * the very addresses the socket will use.
 */
export const publicOnlyLookup = (
  hostname: string,
  options: LookupOptions,
  callback: LookupCallback,
): void => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    try {
      for (const { address } of addresses) assertPublicAddress(address);
    } catch (refused) {
      return callback(refused as NodeJS.ErrnoException, '');
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first)
      return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
    callback(null, first.address, first.family);
  });
};
