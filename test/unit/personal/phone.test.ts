/** The keyed phone hash: one person's number in every form hashes alike; other numbers, masks and keys do not. */
import fc from 'fast-check';
import { normalizePhone, phoneHasher } from '../../../functions/commons/personal/phone.js';

const KEY = 'k'.repeat(40);

test.each([
  ['13700005333', '13700005333'],
  ['+86 137-0000-5333', '13700005333'],
  ['008613700005333', '13700005333'],
  ['8613700005333', '13700005333'],
  ['(137) 0000 5333', '13700005333'],
  ['010-12345678', '01012345678'],
  ['+86 10 1234 5678', '01012345678'],
  ['1010', '1010'],
  ['+1 415 555 0100', '14155550100'],
  [13700005333, '13700005333'],
])('%p reads as %p', (raw, digits) => {
  expect(normalizePhone(raw)).toBe(digits);
});

test.each([['137****5333'], ['测试线路'], ['12'], [''], [null], [undefined], [{}], ['13700005333x']])(
  '%p is not a number',
  (raw) => {
    expect(normalizePhone(raw)).toBeUndefined();
  },
);

test('every written form of a number hashes alike; the hash is hex and holds no digits of the number in order', () => {
  const hash = phoneHasher(KEY);
  const forms = ['13700005333', '+86 137 0000 5333', '008613700005333', '137-0000-5333'];
  const hashes = new Set(forms.map(hash));
  expect(hashes.size).toBe(1);
  const [only] = hashes;
  expect(only).toMatch(/^[0-9a-f]{64}$/);
  expect(only).not.toContain('13700005333');
});

test('distinct numbers never share a hash, and another key gives other hashes', () => {
  const mine = phoneHasher(KEY);
  const theirs = phoneHasher('z'.repeat(40));
  fc.assert(
    fc.property(fc.stringMatching(/^1[3-9]\d{9}$/), fc.stringMatching(/^1[3-9]\d{9}$/), (a, b) => {
      fc.pre(a !== b);
      expect(mine(a)).not.toBe(mine(b));
      expect(mine(a)).not.toBe(theirs(a));
    }),
  );
});

test('a short key is refused', () => {
  expect(() => phoneHasher('short')).toThrow(/at least 32 characters/);
});
