import { assertFits, RecordTooLargeError, storable } from '../../../functions/commons/store/storable.js';

test("numbers outside DynamoDB's range are kept as their text; others stay numbers", () => {
  expect(
    storable({ tiny: 5e-324, small: 1e-131, ok: 1e-130, big: 1e126, max: 9.9e125, zero: 0, negative: -2.5 }),
  ).toEqual({
    tiny: '5e-324',
    small: '1e-131',
    ok: 1e-130,
    big: '1e+126',
    max: 9.9e125,
    zero: 0,
    negative: -2.5,
  });
});

test('an object with an empty key (DynamoDB refuses those) is kept as JSON text', () => {
  expect(storable({ ok: { a: 1 }, odd: { '': 1, b: 2 } })).toEqual({
    ok: { a: 1 },
    odd: { json: '{"":1,"b":2}' },
  });
});

test('subtrees deeper than DynamoDB allows are kept as JSON text', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 40; i++) deep = [deep];
  const stored = storable({ deep }) as { deep: unknown };
  let node = stored.deep;
  let depth = 1;
  while (Array.isArray(node)) {
    node = node[0];
    depth++;
  }
  expect(depth).toBeLessThanOrEqual(25);
  expect(JSON.parse((node as { json: string }).json)).toBeDefined();
  expect(JSON.stringify(stored)).toContain('leaf');
});

test('a record over the item limit is refused with a clear error', () => {
  expect(() => assertFits('call 1', { text: 'x'.repeat(400_000) })).toThrow(RecordTooLargeError);
  expect(() => assertFits('call 1', { text: 'x'.repeat(400_000) })).toThrow(
    /call 1 is \d+ bytes once normalized/,
  );
  expect(() => assertFits('call 1', { text: 'x'.repeat(1000) })).not.toThrow();
});
