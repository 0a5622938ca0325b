/**
 * The keyed hash that lets one person's calls be found (`phoneHash`, the `byPhone` index)
 * without the index holding their number. HMAC-SHA256 under a key generated per stack: a plain
 * hash of an 11-digit number can be reversed by hashing every number there is; a keyed one
 * cannot without the key, which stays in Secrets Manager.
 */
import { createHmac } from 'node:crypto';

/** Separators people and systems put inside numbers. */
const SEPARATORS = /[\s\-().]/g;

/**
 * The digits that identify a number, so `+86 137-0000-5333`, `008613700005333` and
 * `13700005333` are one person: separators dropped, China's country code taken off a mobile
 * number. Undefined for what is not a number: a masked one (`137****5333`), a line name
 * (`测试线路`), fewer than three digits.
 */
export const normalizePhone = (raw: unknown): string | undefined => {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const text = String(raw).replace(SEPARATORS, '');
  const match = /^(\+|00)?(\d{3,20})$/.exec(text);
  if (!match) return undefined;
  const digits = match[2] as string;
  const international = match[1] !== undefined;
  if (!digits.startsWith('86')) return digits;
  const national = digits.slice(2);
  // After +86 / 0086 (or a bare 86 before a mobile number) comes a mobile number as dialled at
  // home, or a landline's area code without the trunk 0 that a domestic caller dials.
  if (/^1\d{10}$/.test(national)) return national;
  return international ? `0${national}` : digits;
};

export type PhoneHasher = (phone: unknown) => string | undefined;

/** The stack's keyed hash of a number (hex), or undefined when `phone` is not a number. */
export const phoneHasher = (key: string): PhoneHasher => {
  if (key.length < 32) throw new Error('the phone hash key must be at least 32 characters');
  return (phone) => {
    const digits = normalizePhone(phone);
    return digits === undefined ? undefined : createHmac('sha256', key).update(digits).digest('hex');
  };
};
