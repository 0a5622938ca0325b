/**
 * The recording host allowlist as written in CDK context or an environment variable: plain text
 * checking only (no I/O), so the CDK app validates `recordingHosts` with the same rules.
 */
import { isIP } from 'node:net';

/** Parses a comma-separated host list (context / env), refusing entries that are not host names or IPs. */
export const parseHostList = (text: string, what: string): string[] => {
  const hosts = text
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
  for (const host of hosts) {
    const name = host.startsWith('*.') ? host.slice(2) : host;
    const valid =
      isIP(name) !== 0 ||
      /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(name);
    if (!valid || name === '' || (host.startsWith('*.') && !name.includes('.'))) {
      throw new Error(`${what}: "${host}" is not a host name, an IP address or *.domain`);
    }
  }
  return hosts;
};
