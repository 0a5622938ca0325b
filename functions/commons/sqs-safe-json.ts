/** JSON for an SQS message body: shared by every producer (ingest, the reconciler, consume's recording tasks). */

/**
 * SQS accepts only #x9 #xA #xD #x20–#xD7FF #xE000–#xFFFD (and, on AWS though not in every
 * emulator, #x10000–#x10FFFF) in a message; anything else makes it refuse the message, and 百应
 * would retry forever. JSON.stringify escapes control characters and lone surrogates; we also
 * escape U+FFFE/U+FFFF and astral characters (emoji in a customer's name) as `\uXXXX` pairs.
 * They only occur inside JSON strings here, so the JSON parses back to the identical body;
 * Chinese text (BMP) is left as it is, so messages do not grow.
 */
const ESCAPED_ALL = /[\uD800-\uDFFF\uFFFE\uFFFF]/g;

export const sqsSafeJson = (value: unknown): string =>
  JSON.stringify(value).replace(ESCAPED_ALL, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`);
