/**
 * Deployment options, read from CDK context (`cdk deploy -c key=value` or cdk.json) and
 * validated before anything is built, so a typo fails synth with a clear message.
 */

import { isIP } from 'node:net';
import * as v from 'valibot';
import { checkApiUrl } from '../functions/commons/byrobot/api-url.js';
import { parseCompanyIds } from '../functions/commons/company-list.js';
import {
  DEFAULT_INDEX_SHARDS,
  MAX_INDEX_SHARDS,
  RECORDINGS,
  SIGNATURE_MODES,
  type SignatureMode,
} from '../functions/commons/definitions.js';
import { ConfigError } from '../functions/commons/errors.js';
import { parseHostList } from '../functions/commons/recordings/host-list.js';

/**
 * 百应's documented callback sources: the classic OpenAPI sends from 120.55.46.3; the open
 * platform (open.byai.com) also from 42.192.127.32/27.
 */
export const BYROBOT_CALLBACK_SOURCES = ['120.55.46.3', '42.192.127.32/27'] as const;

export interface ReceiverConfig {
  /** Source IPs (or CIDRs) allowed to call the API. @default ['120.55.46.3', '42.192.127.32/27'] (both 百应 platforms) */
  readonly allowedIps: readonly string[];
  /** Accept callbacks from any IP. Must be chosen explicitly (`allowAllIps=true`). @default false */
  readonly allowAllIps: boolean;
  /** Optional secret first path segment: `/<secret>/callbacks/call`. @default none */
  readonly secretPathSegment?: string;
  /** E-mail address subscribed to the alarm topic. @default none */
  readonly alarmEmail?: string;
  /** CloudWatch Logs retention for every function and the access log. @default 90 */
  readonly logRetentionDays: number;
  /**
   * Stage throttling: steady requests per second and burst. The defaults carry the largest 百应
   * tenants' peak (~330 finished calls a second) with room for a redelivered backlog, and keep a
   * runaway sender from taking the account's Lambda concurrency. @default 1000 / 2000
   */
  readonly throttleRate: number;
  readonly throttleBurst: number;
  /** Most consume batches (of 25) at once: the SQS event source's maximum concurrency. @default 50 */
  readonly consumeConcurrency: number;
  /** Shards of the calls' index keys (store/shards.ts); raise only, never lower. @default 16 */
  readonly indexShards: number;
  /**
   * Upgrading a stack deployed before `byPhone`/`byJobShard`: DynamoDB adds or removes one index
   * per deploy, so deploy with 1, then 2, then without (README: Upgrading). @default none
   */
  readonly upgradeStep?: 1 | 2;
  /**
   * Days a call, a job and the large parts of a call are kept (DynamoDB TTL `expiresAt` from the
   * call's own time, a lifecycle rule on `records/`); 0 keeps them (synth warns). @default 0
   */
  readonly retentionDays: number;
  /** Days after which archived raw bodies expire; 0 keeps them forever. @default 30 with retentionDays (at most it), else 0 */
  readonly archiveExpireDays: number;
  /** Days after which quarantined bodies expire; 0 keeps them. @default 30 with retentionDays (at most it), else 0 */
  readonly quarantineExpireDays: number;
  /** ARN of an existing Secrets Manager secret with the 百应 credentials. @default a new secret */
  readonly existingSecretArn?: string;
  /** Minutes between reconciler runs. @default 30 */
  readonly reconcileEveryMinutes: number;
  /** Beijing days the reconciler looks back (today and N-1 before). @default 2 */
  readonly reconcileLookBackDays: number;
  /** 百应 OpenAPI base URL. @default https://api.byrobot.cn */
  readonly byrobotApiUrl: string;
  /** 百应 open platform API base URL (methods under `/api/oauth/`). @default https://open.byai.com */
  readonly openApiUrl: string;
  /** 百应 open platform OAuth token URL. @default https://open-tcs.byai.com/oauth/token */
  readonly openTokenUrl: string;
  /** Callback signature check: off, log (report only) or enforce (401). @default off */
  readonly callbackSignature: SignatureMode;
  /** How far a signed callback's dateTime may be from now, in seconds. @default 600 */
  readonly signatureMaxAgeSeconds: number;
  /**
   * Lambda runtime of every function; the bundling target follows it. Choose the previous one
   * where a region does not offer the newest yet (the China regions may lag). @default nodejs24.x
   */
  readonly lambdaRuntime: LambdaRuntimeName;
  /** Lambda architecture of every function. @default arm64 */
  readonly lambdaArchitecture: 'arm64' | 'x86_64';
  /** Copy call recordings into the bucket before 百应's links expire. @default on */
  readonly recordings: 'on' | 'off';
  /** Hosts recordings may be fetched from (`*.domain` = any subdomain). @default 百应's known storage hosts */
  readonly recordingHosts: readonly string[];
  /** Largest recording copied, in bytes; larger ones are REFUSED. @default 200 MB */
  readonly recordingMaxBytes: number;
  /** Days until recordings move to Infrequent Access; 0 never. @default 30 */
  readonly recordingsInfrequentAccessDays: number;
  /** Days until recordings move to Glacier Instant Retrieval; 0 never. @default 90 */
  readonly recordingsGlacierDays: number;
  /** Days after which recordings are deleted; 0 keeps them. @default retentionDays */
  readonly recordingsExpireDays: number;
  /**
   * Keys of the tables, the bucket, the queues and the secrets: `aws` (AWS-managed keys),
   * `customer` (one customer-managed KMS key the stack creates, rotated yearly) or an existing
   * key's ARN. @default aws
   */
  readonly encryptionKey: string;
  /** Publish domain events to this existing EventBridge bus. @default a bus the stack creates */
  readonly eventBusArn?: string;
  /** Full phone numbers in domain events. @default false (masked) */
  readonly eventsIncludePhone: boolean;
  /**
   * The 百应 companies whose callbacks are stored; others are quarantined as FOREIGN_COMPANY and
   * alarmed. Empty: every company (synth warns). @default [] (every company)
   */
  readonly companyIds: readonly string[];
}

/** Node.js runtimes the project builds for, newest (the tested default) first. */
export const LAMBDA_RUNTIMES = ['nodejs24.x', 'nodejs22.x', 'nodejs20.x'] as const;
export type LambdaRuntimeName = (typeof LAMBDA_RUNTIMES)[number];

/** An IPv4/IPv6 address or CIDR block, checked with Node's own address parser. */
const isIpOrCidr = (text: string): boolean => {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
};

/** A block that matches every address: allowing it is `allowAllIps`, which must be chosen explicitly. */
const isOpenToAll = (text: string): boolean => {
  const [address = '', prefix] = text.split('/');
  return prefix !== undefined && Number(prefix) === 0 && isIP(address) !== 0;
};

const flag = (name: string) =>
  v.pipe(
    v.optional(v.union([v.boolean(), v.picklist(['true', 'false'])], `${name} must be true or false`), false),
    v.transform((value) => value === true || value === 'true'),
  );
const count = (name: string, fallback: number, min: number) =>
  v.pipe(
    v.optional(v.union([v.number(), v.string()]), fallback),
    v.transform(Number),
    v.number(`${name} must be a number`),
    v.integer(`${name} must be a whole number`),
    v.minValue(min, `${name} must be at least ${min}`),
  );
const list = v.pipe(
  v.optional(v.union([v.string(), v.array(v.string())]), [...BYROBOT_CALLBACK_SOURCES]),
  v.transform((value) =>
    (Array.isArray(value) ? value : value.split(',')).map((item) => item.trim()).filter(Boolean),
  ),
  v.nonEmpty(
    "allowedIps is empty: name at least one address or CIDR (default: 百应's 120.55.46.3,42.192.127.32/27), or set allowAllIps=true",
  ),
  v.array(
    v.pipe(
      v.string(),
      v.check(
        isIpOrCidr,
        (issue) => `allowedIps must hold IPv4/IPv6 addresses or CIDRs; "${issue.input}" is neither`,
      ),
      v.check(
        (text) => !isOpenToAll(text),
        (issue) =>
          `allowedIps "${issue.input}" opens the API to every address; say so explicitly with allowAllIps=true instead`,
      ),
    ),
  ),
);

/** A list given as `a,b` or as an array (cdk.json), as one comma-separated text for the text rules below. */
const commaText = (fallback: string) =>
  v.pipe(
    v.optional(v.union([v.string(), v.number(), v.array(v.union([v.string(), v.number()]))]), fallback),
    v.transform((value) => (Array.isArray(value) ? value.join(',') : String(value))),
  );

/**
 * A setting checked by the functions' own text rules (host lists, company ids, API URLs): a
 * refusal becomes a ConfigError that keeps the rule's error as its cause.
 */
const byRule = <T>(rule: () => T): T => {
  try {
    return rule();
  } catch (error) {
    throw new ConfigError(`invalid context: ${(error as Error).message}`, { cause: error });
  }
};

const contextSchema = v.object({
  allowedIps: list,
  allowAllIps: flag('allowAllIps'),
  secretPathSegment: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9_-]{16,128}$/, 'secretPathSegment must be 16–128 characters of A–Z a–z 0–9 _ -'),
    ),
  ),
  alarmEmail: v.optional(v.pipe(v.string(), v.email('alarmEmail must be an e-mail address'))),
  logRetentionDays: count('logRetentionDays', 90, 1),
  throttleRate: count('throttleRate', 1000, 1),
  throttleBurst: count('throttleBurst', 2000, 1),
  consumeConcurrency: v.pipe(
    count('consumeConcurrency', 50, 2),
    v.maxValue(1000, 'consumeConcurrency must be at most 1000 (the SQS event source limit)'),
  ),
  indexShards: v.pipe(
    count('indexShards', DEFAULT_INDEX_SHARDS, 1),
    v.maxValue(MAX_INDEX_SHARDS, `indexShards must be at most ${MAX_INDEX_SHARDS}`),
  ),
  upgradeStep: v.optional(
    v.pipe(
      v.union([v.number(), v.string()]),
      v.transform(Number),
      v.picklist([1, 2], 'upgradeStep must be 1 or 2 (README: Upgrading)'),
    ),
  ),
  retentionDays: count('retentionDays', 0, 0),
  archiveExpireDays: v.optional(count('archiveExpireDays', 0, 0)),
  quarantineExpireDays: v.optional(count('quarantineExpireDays', 0, 0)),
  existingSecretArn: v.optional(v.pipe(v.string(), v.startsWith('arn:', 'existingSecretArn must be an ARN'))),
  reconcileEveryMinutes: count('reconcileEveryMinutes', 30, 5),
  reconcileLookBackDays: count('reconcileLookBackDays', 2, 2),
  byrobotApiUrl: v.optional(v.string(), 'https://api.byrobot.cn'),
  openApiUrl: v.optional(v.string(), 'https://open.byai.com'),
  openTokenUrl: v.optional(v.string(), 'https://open-tcs.byai.com/oauth/token'),
  callbackSignature: v.optional(
    v.picklist(SIGNATURE_MODES, `callbackSignature must be one of ${SIGNATURE_MODES.join(', ')}`),
    'off',
  ),
  signatureMaxAgeSeconds: count('signatureMaxAgeSeconds', 600, 30),
  lambdaRuntime: v.optional(
    v.picklist(LAMBDA_RUNTIMES, `lambdaRuntime must be one of ${LAMBDA_RUNTIMES.join(', ')}`),
    LAMBDA_RUNTIMES[0],
  ),
  lambdaArchitecture: v.optional(
    v.picklist(['arm64', 'x86_64'], 'lambdaArchitecture must be arm64 or x86_64'),
    'arm64',
  ),
  recordings: v.optional(v.picklist(['on', 'off'], 'recordings must be on or off'), 'on'),
  recordingHosts: commaText(RECORDINGS.defaultHosts.join(',')),
  recordingMaxBytes: count('recordingMaxBytes', RECORDINGS.defaultMaxBytes, 1024),
  recordingsInfrequentAccessDays: v.optional(count('recordingsInfrequentAccessDays', 30, 0)),
  recordingsGlacierDays: v.optional(count('recordingsGlacierDays', 90, 0)),
  recordingsExpireDays: v.optional(count('recordingsExpireDays', 0, 0)),
  eventBusArn: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._\-/]+$/,
        'eventBusArn must be an EventBridge event bus ARN',
      ),
    ),
  ),
  eventsIncludePhone: flag('eventsIncludePhone'),
  companyIds: commaText(''),
  encryptionKey: v.optional(
    v.pipe(
      v.string(),
      v.check(
        (value) =>
          value === 'aws' ||
          value === 'customer' ||
          /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/.test(value),
        'encryptionKey must be aws, customer or the ARN of a KMS key (arn:aws…:kms:<region>:<account>:key/<id>)',
      ),
    ),
    'aws',
  ),
});

export const CONTEXT_KEYS = Object.keys(contextSchema.entries) as (keyof ReceiverConfig)[];

/** The one configuration error of the project (also raised by the functions at cold start). */
export { ConfigError };

/** Reads the options from a context lookup (`node.tryGetContext`). */
export const readReceiverConfig = (lookup: (key: string) => unknown): ReceiverConfig => {
  const raw = Object.fromEntries(
    CONTEXT_KEYS.map((key) => [key, lookup(key)]).filter(([, value]) => value !== undefined),
  );
  const result = v.safeParse(contextSchema, raw);
  if (!result.success) {
    throw new ConfigError(`invalid context: ${result.issues.map((issue) => issue.message).join('; ')}`, {
      cause: new v.ValiError(result.issues),
    });
  }
  const given = result.output;
  const retention = given.retentionDays;
  /** Bodies kept whole (archive, quarantine): a month once data has a retention, never longer than it. */
  const bodiesDefault = retention > 0 ? Math.min(30, retention) : 0;
  const recordingsExpireDays = given.recordingsExpireDays ?? retention;
  /**
   * A storage class transition the deployer did not choose is dropped when the recordings expire
   * before it would happen (S3 refuses an expiration that does not come after its transitions).
   */
  const transition = (chosen: number | undefined, fallback: number): number =>
    chosen ?? (recordingsExpireDays > 0 && recordingsExpireDays <= fallback ? 0 : fallback);
  const config: ReceiverConfig = {
    ...given,
    archiveExpireDays: given.archiveExpireDays ?? bodiesDefault,
    quarantineExpireDays: given.quarantineExpireDays ?? bodiesDefault,
    recordingsInfrequentAccessDays: transition(given.recordingsInfrequentAccessDays, 30),
    recordingsGlacierDays: transition(given.recordingsGlacierDays, 90),
    recordingsExpireDays,
    byrobotApiUrl: byRule(() => checkApiUrl(result.output.byrobotApiUrl, 'byrobotApiUrl')),
    openApiUrl: byRule(() => checkApiUrl(result.output.openApiUrl, 'openApiUrl')),
    openTokenUrl: byRule(() => checkApiUrl(result.output.openTokenUrl, 'openTokenUrl')),
    recordingHosts: byRule(() => parseHostList(result.output.recordingHosts, 'recordingHosts')),
    companyIds: byRule(() => parseCompanyIds(result.output.companyIds, 'companyIds')),
  };
  if (config.recordings === 'on' && config.recordingHosts.length === 0) {
    throw new ConfigError('recordingHosts is empty: name at least one host, or set recordings=off');
  }
  const ia = config.recordingsInfrequentAccessDays;
  const glacier = config.recordingsGlacierDays;
  if (ia > 0 && ia < 30)
    throw new ConfigError('recordingsInfrequentAccessDays must be 0 or at least 30 (S3 minimum)');
  if (ia > 0 && glacier > 0 && glacier <= ia) {
    throw new ConfigError('recordingsGlacierDays must come after recordingsInfrequentAccessDays');
  }
  if (config.recordingsExpireDays > 0 && config.recordingsExpireDays <= Math.max(ia, glacier)) {
    throw new ConfigError('recordingsExpireDays must come after the storage class transitions');
  }
  if (config.allowAllIps && lookup('allowedIps') !== undefined) {
    throw new ConfigError('set either allowedIps or allowAllIps=true, not both');
  }
  return config;
};
