/**
 * What every writer of call items reads at cold start besides its tables: the data policy
 * (retention, the phone hash key from Secrets Manager) and the shards of the index keys. Consume
 * and the reconciler must agree on both with each other and with the readers.
 */
import * as v from 'valibot';
import { ConfigError } from './errors.js';
import { loadPolicy, policyEnvironment } from './personal/hash-key.js';
import type { DataPolicy } from './personal/policy.js';
import { indexShardsFrom } from './store/shards.js';

/** The environment entries, for the writer's config schema. */
export const writerEnvironment = {
  ...policyEnvironment,
  INDEX_SHARDS: v.optional(v.string()),
};

export interface WriterSettings {
  readonly policy: DataPolicy;
  readonly shards: number;
}

/** The settings, or a ConfigError naming what is wrong; reads the key's secret when deployed. */
export const loadWriterSettings = async (config: {
  readonly PHONE_HASH_KEY?: string | undefined;
  readonly PHONE_HASH_KEY_SECRET_ARN?: string | undefined;
  readonly RETENTION_DAYS: number;
  readonly INDEX_SHARDS?: string | undefined;
}): Promise<WriterSettings> => {
  let shards: number;
  try {
    shards = indexShardsFrom(config.INDEX_SHARDS);
  } catch (error) {
    throw new ConfigError((error as Error).message, { cause: error });
  }
  return { policy: await loadPolicy(config), shards };
};
