/**
 * One HTTP request to 百应, as both its clients make them: no redirect followed (the signed
 * headers, the token or the client secret go to the configured host only), a timeout inside the
 * time the run has left, the answer read with a size cap, and every failure classified as to be
 * retried or not. The clients keep what differs: signing, tokens, their envelopes.
 */
import { ByrobotError } from './errors.js';

/** A 百应 answer is a page of up to 500 entries or one call: megabytes at most. */
export const MAX_RESPONSE_BYTES = 20 * 1024 * 1024;

/** Statuses worth another attempt: throttling and passing server errors. */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

export interface Failure {
  readonly ok: false;
  readonly retry: boolean;
  readonly error: ByrobotError;
}

class ResponseTooLarge extends Error {
  override readonly name = 'ResponseTooLarge';
}

/** The body as text, reading no more than `maxBytes` of it into memory. */
const readCapped = async (response: Response, maxBytes: number): Promise<string> => {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new ResponseTooLarge(`response of ${declared} bytes is over the ${maxBytes}-byte limit`);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    // Leaving the loop (by the throw) cancels the rest of the stream.
    if (total > maxBytes) throw new ResponseTooLarge(`response is over the ${maxBytes}-byte limit`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
};

/** Only the host of a redirect's target: its query may hold anything. */
const hostOf = (location: string | null): string => {
  try {
    return location === null ? '(no location)' : new URL(location).host || '(a relative location)';
  } catch {
    return '(a relative location)';
  }
};

export interface RequestLimits {
  /** The longest one request may take. @default 10 s */
  readonly timeoutMs?: number;
  /** What the run has left: a request never outlives it. */
  readonly remainingMs: () => number;
  /** @default MAX_RESPONSE_BYTES */
  readonly maxBytes?: number;
  /** Said with a refused redirect: where the credentials go instead. */
  readonly onlyTo?: string;
}

/**
 * Sends once and reads the answer: the response and its text, or why not (a network error or a
 * timeout is retried; an answer too large or a redirect is not).
 */
export const requestOnce = async (
  what: string,
  url: URL | string,
  init: RequestInit,
  limits: RequestLimits,
): Promise<{ readonly ok: true; readonly response: Response; readonly text: string } | Failure> => {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(Math.max(1, Math.min(limits.timeoutMs ?? 10_000, limits.remainingMs()))),
    });
    text = await readCapped(response, limits.maxBytes ?? MAX_RESPONSE_BYTES);
  } catch (error) {
    if (error instanceof ResponseTooLarge) {
      return { ok: false, retry: false, error: new ByrobotError('malformed', `${what}: ${error.message}`) };
    }
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'network error';
    // The network error travels as the cause: its name, stack and code reach the log.
    return {
      ok: false,
      retry: true,
      error: new ByrobotError('unavailable', `${what}: ${reason}`, { cause: error }),
    };
  }
  if (response.status >= 300 && response.status < 400) {
    const only = limits.onlyTo ? ` (the credentials go to ${limits.onlyTo} only)` : '';
    return {
      ok: false,
      retry: false,
      error: new ByrobotError(
        'api-error',
        `${what}: HTTP ${response.status} redirect to ${hostOf(response.headers.get('location'))} not followed${only}`,
        { status: response.status },
      ),
    };
  }
  if (RETRYABLE_STATUS.has(response.status)) {
    return {
      ok: false,
      retry: true,
      error: new ByrobotError('unavailable', `${what}: HTTP ${response.status}`, { status: response.status }),
    };
  }
  return { ok: true, response, text };
};
