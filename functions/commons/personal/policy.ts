/**
 * How long stored data lives and how a person's calls are found again: what every writer of
 * call and job items applies (consume's merges, the reconciler's markers, the migration).
 */
import type { PhoneHasher } from './phone.js';
import { customerPhonesOf } from './tombstone.js';

export interface DataPolicy {
  /** Days an item lives after its own time (`expiresAt`); 0 keeps it. */
  readonly retentionDays: number;
  /** The stack's keyed hash of a phone number (`phoneHash`). */
  readonly hashPhone: PhoneHasher;
}

const DAY_SECONDS = 86_400;

/** `expiresAt` for an item whose own time is `iso`: epoch seconds, or undefined when kept forever. */
export const expiresAtOf = (policy: DataPolicy | undefined, iso: string | undefined): number | undefined => {
  if (!policy || policy.retentionDays <= 0 || iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000) + policy.retentionDays * DAY_SECONDS;
};

/** `phoneHash` of a call item (or what is about to become one): the first customer number that reads as one. */
export const phoneHashOf = (
  policy: DataPolicy | undefined,
  item: Parameters<typeof customerPhonesOf>[0],
): string | undefined => {
  if (!policy) return undefined;
  for (const phone of customerPhonesOf(item)) {
    const hash = policy.hashPhone(phone);
    if (hash !== undefined) return hash;
  }
  return undefined;
};
