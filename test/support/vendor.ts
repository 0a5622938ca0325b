/**
 * The vendor doc's JSON examples, kept verbatim in test/fixtures (extracted from
 * shared/docs/byrobot-callback-api.zh.md), and helpers to derive variants of them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const VENDOR_EXAMPLES = {
  outbound: 'vendor-outbound-call',
  job: 'vendor-job-info',
  manualIntent: 'vendor-manual-intent',
  inbound: 'vendor-inbound-call',
} as const;

export type VendorExample = keyof typeof VENDOR_EXAMPLES;

export const fixturePath = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/${name}.json`, import.meta.url));

/** The example exactly as the doc prints it (the job example keeps its trailing comma). */
export const vendorBody = (example: VendorExample): string =>
  readFileSync(fixturePath(VENDOR_EXAMPLES[example]), 'utf8');

type Json = Record<string, unknown>;

/** The example as a plain object, repaired of its trailing comma, for building variants. */
export const vendorObject = (example: VendorExample): Json =>
  JSON.parse(vendorBody(example).replace(/,(\s*[}\]])/g, '$1')) as Json;

/** A body whose inner `data` was changed by `edit` (which mutates a fresh copy). */
export const variantOf = (example: VendorExample, edit: (inner: Json) => void): string => {
  const body = vendorObject(example);
  edit((body.data as Json).data as Json);
  return JSON.stringify(body);
};

/**
 * Queue messages as the previous version's ingest and reconciler wrote them (v1 inline and claim,
 * v2 verbatim, rejected bodies): consume must keep reading them (SQS keeps a message 14 days).
 */
export const queueMessageFixtures = (): Record<
  string,
  { readonly written: string; readonly message: string; readonly claims?: Readonly<Record<string, string>> }
> => JSON.parse(readFileSync(fixturePath('queue-messages'), 'utf8'));
