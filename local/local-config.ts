/**
 * Where the local stack listens. `npm start` and the `--local` CLIs (records, reconcile,
 * simulate, replay) agree through these defaults, each overridable by flag or environment.
 */

import { phoneHasher } from '../functions/commons/personal/phone.js';
import type { DataPolicy } from '../functions/commons/personal/policy.js';
import { indexShardsFrom } from '../functions/commons/store/shards.js';
import { LOOPBACK } from './ports.js';

// The local tools run on Node.js 20 (the documented local platform); the deployed functions run
// on nodejs24.x. The SDK's notice about Node 22 is not actionable here, so it is silenced.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const LOCAL_PORTS = {
  api: Number(process.env.PORT ?? 3000),
  dynamo: Number(process.env.DYNAMO_PORT ?? 8000),
  aws: Number(process.env.AWS_EMULATOR_PORT ?? 4566),
  byrobot: Number(process.env.BYROBOT_PORT ?? 4580),
} as const;

export const localEndpoints = (ports: { dynamo: number; aws: number } = LOCAL_PORTS) => ({
  dynamoEndpoint: `http://${LOOPBACK}:${ports.dynamo}`,
  awsEndpoint: `http://${LOOPBACK}:${ports.aws}`,
});

/** Shared flags of the `--local` CLIs. */
export const LOCAL_FLAGS = {
  local: { type: 'boolean', default: false },
  'dynamo-port': { type: 'string', default: String(LOCAL_PORTS.dynamo) },
  'aws-port': { type: 'string', default: String(LOCAL_PORTS.aws) },
  'byrobot-port': { type: 'string', default: String(LOCAL_PORTS.byrobot) },
} as const;

/**
 * The local stack's phone hash key: fixed and public, so every local tool hashes a number as the
 * local consumer did. A deployed stack generates its own key in Secrets Manager.
 */
export const LOCAL_PHONE_HASH_KEY = 'byrobot-callbacks-local-phone-hash-key (not a secret)';

/** Days the local stack's items live (`RETENTION_DAYS`, as deployed `retentionDays`); 0 keeps them. */
export const LOCAL_RETENTION_DAYS = Number(process.env.RETENTION_DAYS ?? 0);

/** Shards of the local stack's index keys (`INDEX_SHARDS`, as deployed `indexShards`). */
export const LOCAL_INDEX_SHARDS = indexShardsFrom(process.env.INDEX_SHARDS);

/** The data policy of the local stack's writers. */
export const localPolicy = (): DataPolicy => ({
  retentionDays: LOCAL_RETENTION_DAYS,
  hashPhone: phoneHasher(LOCAL_PHONE_HASH_KEY),
});
