/**
 * Where a function finds the phone hash key: `PHONE_HASH_KEY` itself (the local stack, tests) or
 * the Secrets Manager secret `PHONE_HASH_KEY_SECRET_ARN` names (deployed: generated with the stack,
 * never in an environment variable). Read once, at cold start: a function without either, or whose
 * secret cannot be read, fails its init with a message naming them (SQS keeps the messages).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as v from 'valibot';
import { ConfigError } from '../errors.js';
import { phoneHasher } from './phone.js';
import type { DataPolicy } from './policy.js';

/** The environment a writer of call items reads its data policy from. */
export const policyEnvironment = {
  PHONE_HASH_KEY: v.optional(
    v.pipe(v.string(), v.minLength(32, 'PHONE_HASH_KEY must be at least 32 characters')),
  ),
  PHONE_HASH_KEY_SECRET_ARN: v.optional(v.string()),
  RETENTION_DAYS: v.pipe(
    v.optional(v.string(), '0'),
    v.transform(Number),
    v.number(),
    v.integer('RETENTION_DAYS must be a whole number of days'),
    v.minValue(0, 'RETENTION_DAYS must be 0 (keep) or more'),
  ),
};

export interface PolicyConfig {
  readonly PHONE_HASH_KEY?: string | undefined;
  readonly PHONE_HASH_KEY_SECRET_ARN?: string | undefined;
  readonly RETENTION_DAYS: number;
}

/** Checked at cold start: one of the two key settings is present. */
export const checkPolicyConfig = (config: PolicyConfig): void => {
  if (!config.PHONE_HASH_KEY && !config.PHONE_HASH_KEY_SECRET_ARN)
    throw new ConfigError('invalid configuration: PHONE_HASH_KEY_SECRET_ARN (or PHONE_HASH_KEY) is required');
};

/** The key as the secret holds it: the generated string itself. */
export const fetchSecretKey = async (
  secretId: string,
  client = new SecretsManagerClient({}),
): Promise<string> => {
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!SecretString || SecretString.length < 32)
      throw new ConfigError(`the phone hash key secret ${secretId} holds no key of 32 characters or more`);
    return SecretString;
  } finally {
    client.destroy();
  }
};

/** The data policy a writer applies: the retention, and the hash under the key from wherever it is kept. */
export const loadPolicy = async (config: PolicyConfig, fetchKey = fetchSecretKey): Promise<DataPolicy> => {
  checkPolicyConfig(config);
  const key = config.PHONE_HASH_KEY ?? (await fetchKey(config.PHONE_HASH_KEY_SECRET_ARN as string));
  return { retentionDays: config.RETENTION_DAYS, hashPhone: phoneHasher(key) };
};
