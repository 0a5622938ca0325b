/**
 * Errors shared across the project. Plain (no SDK, no I/O), so the CDK app (`lib/`) may use them
 * too, like `definitions.ts`.
 */

/**
 * A configuration that cannot work: a function's environment at cold start, or the CDK
 * context at synth. Raised before anything runs, with a message naming the setting.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * An error as one line of text, where text is truly needed (an HTTP error body, a CLI message,
 * a quarantine reason): `Name: message`, with the causes' messages after `←`. Logs take the
 * error itself instead, so the logger records its name, stack and cause.
 */
export const describeError = (error: unknown, depth = 0): string => {
  // Error-like, not only `instanceof Error`: an error made in another realm (a vm context) is one too.
  if (!isErrorLike(error))
    return typeof error === 'string' ? error : `non-error value thrown (${typeof error})`;
  const name = typeof error.name === 'string' && error.name ? error.name : 'Error';
  const own = error.message ? `${name}: ${error.message}` : name;
  // Causes can form a cycle (an error set as its own cause): after nine errors the line stops,
  // rather than the stack (`depth` counts them; callers leave it out).
  return error.cause === undefined || depth > 7 ? own : `${own} ← ${describeError(error.cause, depth + 1)}`;
};

const isErrorLike = (value: unknown): value is { name?: unknown; message: string; cause?: unknown } =>
  value instanceof Error ||
  (typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string');
