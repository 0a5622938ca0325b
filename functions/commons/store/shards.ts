/**
 * Write sharding of the index keys every call of a company-day (`byCompanyDate`) or of a job
 * (`byJobShard`) would otherwise share. DynamoDB takes at most 1,000 write units a second on one
 * partition key of an index; a key per (company, day) caps a company near that many calls a
 * second. Each call's key carries a shard, `#0`…`#N-1`, from a hash of its id: the same call
 * always lands on the same shard, and the calls of a key spread evenly over N. Readers query
 * every shard and merge (index-reader.ts).
 *
 * N may grow between deploys, never shrink: readers ask shards 0…N-1, so a call written under a
 * larger N would be missed by readers that know a smaller one.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_INDEX_SHARDS, MAX_INDEX_SHARDS } from '../definitions.js';

export { DEFAULT_INDEX_SHARDS, MAX_INDEX_SHARDS };

/** The shard of a call: a hash of its id, so redeliveries and replays land on the same one. */
export const shardOf = (callId: string, shards: number): number =>
  shards <= 1 ? 0 : createHash('sha256').update(callId).digest().readUInt32BE(0) % shards;

/** Every shard a reader asks, for `shards` shards. */
export const allShards = (shards: number): number[] =>
  Array.from({ length: Math.max(1, shards) }, (_, i) => i);

/** `INDEX_SHARDS` as a function reads it at cold start: a whole number 1…MAX, the default when unset. */
export const indexShardsFrom = (value: string | undefined): number => {
  if (value === undefined || value.trim() === '') return DEFAULT_INDEX_SHARDS;
  const shards = Number(value);
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_INDEX_SHARDS)
    throw new RangeError(`INDEX_SHARDS must be a whole number from 1 to ${MAX_INDEX_SHARDS}, not ${value}`);
  return shards;
};
