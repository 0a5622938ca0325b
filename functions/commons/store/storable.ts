/**
 * Makes a normalized value safe to store as a DynamoDB map: DynamoDB allows 32 levels of
 * nesting, and 百应's JSON-in-string fields can nest deeper. Deeper subtrees are stored as their
 * JSON text (`{ "json": "…" }`), and numbers DynamoDB cannot hold as their text, so nothing is
 * lost and the write cannot fail on shape. Keys such as `constructor` or `toString` are plain
 * data too: the document client is built with `convertClassInstanceToMap` (document-client.ts).
 */
const MAX_DEPTH = 24;

/** DynamoDB numbers hold magnitudes from 1e-130 to 9.99…e125; others are kept as their text. */
const fitsDynamoNumber = (n: number): boolean => {
  const magnitude = Math.abs(n);
  return Number.isFinite(n) && (magnitude === 0 || (magnitude >= 1e-130 && magnitude < 1e126));
};

export const storable = (value: unknown, depth = 0): unknown => {
  if (typeof value === 'number') return fitsDynamoNumber(value) ? value : String(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return { json: JSON.stringify(value) };
  if (Array.isArray(value)) return value.map((item) => storable(item, depth + 1));
  // DynamoDB map keys cannot be empty, and the SDK's marshaller assigns keys, so a key named
  // `__proto__` would vanish: such an object is kept whole as its JSON text.
  if (Object.hasOwn(value, '') || Object.hasOwn(value, '__proto__')) return { json: JSON.stringify(value) };
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner !== undefined) out[key] = storable(inner, depth + 1);
  }
  return out;
};

/** DynamoDB's item limit is 400 KB; keep headroom for bookkeeping attributes. */
export const MAX_RECORD_BYTES = 380_000;

export class RecordTooLargeError extends Error {
  override readonly name = 'RecordTooLargeError';
}

export const assertFits = (what: string, value: unknown): void => {
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > MAX_RECORD_BYTES) {
    throw new RecordTooLargeError(
      `${what} is ${bytes} bytes once normalized; one DynamoDB item holds at most ${MAX_RECORD_BYTES}`,
    );
  }
};
