/**
 * The 百应 OpenAPI client: signed GET requests with a timeout each, retries with backoff and
 * jitter on network errors, timeouts, 5xx and clock skew (408), typed errors for the rest, and
 * every response envelope validated. Numbers keep every digit (64-bit ids).
 */
import { isSafeNumber, LosslessNumber, parse, stringify } from 'lossless-json';
import * as v from 'valibot';
import { checkApiUrl } from './api-url.js';
import { ByrobotError } from './errors.js';
import { type BackoffOptions, backoffDelay, sleep as realSleep } from './retry.js';
import { type Credentials, signedHeaders } from './sign.js';

export interface CredentialsSource {
  get(): Promise<Credentials>;
  /** Reloads after a 401 (the secret may have been rotated). */
  refresh(): Promise<Credentials>;
}

export interface ByrobotClientOptions {
  readonly baseUrl: string;
  readonly credentials: CredentialsSource;
  /** Per attempt. @default 10 000 */
  readonly timeoutMs?: number;
  /**
   * Milliseconds the caller may still spend (e.g. a Lambda's remaining time less a reserve).
   * Each attempt's timeout is capped by it, and no retry starts once it is spent.
   */
  readonly remainingMs?: () => number;
  /** Largest response body read into memory; a larger one is refused. @default 20 MB */
  readonly maxResponseBytes?: number;
  /** Attempts per request, the first included. @default 4 */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  /** Least time between two requests (rate limit). @default 200 (5 per second) */
  readonly minIntervalMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onRetry?: (info: { path: string; attempt: number; reason: string }) => void;
}

const exactNumber = (text: string): number | LosslessNumber =>
  isSafeNumber(text) ? Number(text) : new LosslessNumber(text);

const idText = v.pipe(
  v.union([
    v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
    v.pipe(v.string(), v.regex(/^\d+$/)),
    v.instance(LosslessNumber),
  ]),
  v.transform((value) => (value instanceof LosslessNumber ? value.value : String(value))),
  v.regex(/^\d+$/),
);
const count = v.pipe(
  v.union([v.number(), v.pipe(v.string(), v.regex(/^\d+$/)), v.instance(LosslessNumber)]),
  v.transform((value) => Number(value instanceof LosslessNumber ? value.value : value)),
  v.number(),
  v.integer(),
  v.minValue(0),
);

const envelopeSchema = v.looseObject({
  code: v.pipe(
    v.union([v.number(), v.string(), v.instance(LosslessNumber)]),
    v.transform((value) => (value instanceof LosslessNumber ? value.value : String(value))),
  ),
  data: v.optional(v.unknown()),
  resultMsg: v.optional(v.nullable(v.unknown())),
});

export const missSchema = v.looseObject({
  callInstanceId: idText,
  callJobId: v.optional(v.nullable(idText)),
  customerTelephone: v.optional(v.nullable(v.union([v.string(), v.number()]))),
  callerTime: v.optional(v.nullable(v.string())),
});

const pageSchema = v.looseObject({
  pageNum: count,
  pageSize: count,
  total: count,
  pages: count,
  list: v.optional(v.nullable(v.array(missSchema)), []),
});

export type Miss = v.InferOutput<typeof missSchema>;
export interface MissPage {
  readonly pageNum: number;
  readonly pageSize: number;
  readonly total: number;
  readonly pages: number;
  readonly list: readonly Miss[];
}

export const MAX_PAGE_SIZE = 500;

export interface UnCallBackQuery {
  readonly companyId: string;
  /** 0 outbound, 1 inbound. */
  readonly dataType: 0 | 1;
  /** Beijing dates, yyyy-MM-dd. */
  readonly startDate: string;
  readonly endDate: string;
  readonly pageNum: number;
  readonly pageSize?: number;
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const FINAL_STATUS: Readonly<Record<number, ByrobotError['kind']>> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  412: 'precondition',
};

type Attempt =
  | { ok: true; data: unknown }
  | { ok: false; retry: boolean; error: ByrobotError; serverDate?: number; reauth?: boolean };

/** A 百应 answer is a page of up to 500 misses or one call: megabytes at most. */
const MAX_RESPONSE_BYTES = 20 * 1024 * 1024;

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

export class ByrobotClient {
  private skewMs = 0;
  private nextRequestAt = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ByrobotClientOptions) {
    checkApiUrl(options.baseUrl, 'the 百应 API base URL');
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Difference between 百应's clock and ours, learned from a 408; applied to every signature. */
  get clockSkewMs(): number {
    return this.skewMs;
  }

  async queryUnCallBack(query: UnCallBackQuery): Promise<MissPage> {
    const data = await this.get('/openapi/v1/callBack/queryUnCallBack', {
      companyId: query.companyId,
      dataType: String(query.dataType),
      startDate: query.startDate,
      endDate: query.endDate,
      pageNum: String(query.pageNum),
      pageSize: String(query.pageSize ?? MAX_PAGE_SIZE),
    });
    const page = v.safeParse(pageSchema, data);
    if (!page.success) {
      const path = page.issues[0].path?.map((item) => String(item.key)).join('.') ?? '';
      throw new ByrobotError(
        'malformed',
        `queryUnCallBack page ${query.pageNum}: data.${path} is not as documented`,
      );
    }
    return { ...page.output, list: page.output.list ?? [] };
  }

  /**
   * The whole call as a callback's inner `data` (phoneLog, sceneInstance, taskResult, …), as
   * JSON text with every digit of every number kept.
   */
  async phoneLogInfo(callInstanceId: string): Promise<string> {
    const data = await this.get('/openapi/v1/task/phoneLogInfo', { callInstanceId });
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new ByrobotError('malformed', `phoneLogInfo ${callInstanceId}: data is not an object`);
    }
    return stringify(data) as string;
  }

  private async get(path: string, query: Record<string, string>): Promise<unknown> {
    const maxAttempts = this.options.maxAttempts ?? 4;
    let reauthorized = false;
    let last: ByrobotError | undefined;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (attempt > 0) {
        const delay = backoffDelay(attempt - 1, this.options.backoff ?? { baseMs: 200, capMs: 5_000 });
        // No retry that could not finish in the time left: the caller's next run tries again.
        if (this.remainingMs() < delay + 1_000) break;
        await this.sleep(delay);
      }
      const result = await this.attempt(
        path,
        query,
        reauthorized ? await this.options.credentials.get() : undefined,
      );
      if (result.ok) return result.data;
      last = result.error;
      if (result.reauth && !reauthorized) {
        reauthorized = true;
        await this.options.credentials.refresh();
        this.options.onRetry?.({ path, attempt, reason: 'reloading credentials after 401' });
        continue;
      }
      if (result.error.kind === 'clock-skew' && result.serverDate !== undefined) {
        this.skewMs = result.serverDate - this.now();
      }
      if (!result.retry) throw result.error;
      this.options.onRetry?.({ path, attempt, reason: result.error.message });
    }
    throw last ?? new ByrobotError('unavailable', `${path}: no attempt was made`);
  }

  private remainingMs(): number {
    return this.options.remainingMs?.() ?? Number.POSITIVE_INFINITY;
  }

  private async throttle(): Promise<void> {
    const wait = this.nextRequestAt - this.now();
    if (wait > 0) await this.sleep(wait);
    this.nextRequestAt = Math.max(this.now(), this.nextRequestAt) + (this.options.minIntervalMs ?? 200);
  }

  private async attempt(path: string, query: Record<string, string>, fresh?: Credentials): Promise<Attempt> {
    await this.throttle();
    const credentials = fresh ?? (await this.options.credentials.get());
    const url = new URL(path, this.options.baseUrl);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        headers: { ...signedHeaders(credentials, this.now() + this.skewMs), accept: 'application/json' },
        // The signed headers go to the configured host only: a redirect is an answer, not a hop.
        redirect: 'manual',
        signal: AbortSignal.timeout(
          Math.max(1, Math.min(this.options.timeoutMs ?? 10_000, this.remainingMs())),
        ),
      });
      text = await readCapped(response, this.options.maxResponseBytes ?? MAX_RESPONSE_BYTES);
    } catch (error) {
      if (error instanceof ResponseTooLarge) {
        return { ok: false, retry: false, error: new ByrobotError('malformed', `${path}: ${error.message}`) };
      }
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'network error';
      return {
        ok: false,
        retry: true,
        // The network error travels as the cause: its name, stack and code reach the log.
        error: new ByrobotError('unavailable', `${path}: ${reason}`, { cause: error }),
      };
    }
    if (response.status >= 300 && response.status < 400) {
      return {
        ok: false,
        retry: false,
        error: new ByrobotError(
          'api-error',
          `${path}: HTTP ${response.status} redirect to ${hostOf(response.headers.get('location'))} not followed (the signed headers go to ${new URL(this.options.baseUrl).host} only)`,
          { status: response.status },
        ),
      };
    }
    const serverDate = Date.parse(response.headers.get('date') ?? '');
    const dated = Number.isNaN(serverDate) ? {} : { serverDate };
    if (response.status === 408) {
      return {
        ok: false,
        retry: true,
        ...dated,
        error: new ByrobotError('clock-skew', `${path}: 百应 says our clock is off (HTTP 408)`, {
          status: 408,
        }),
      };
    }
    if (RETRYABLE_STATUS.has(response.status)) {
      return {
        ok: false,
        retry: true,
        error: new ByrobotError('unavailable', `${path}: HTTP ${response.status}`, {
          status: response.status,
        }),
      };
    }
    const finalKind = FINAL_STATUS[response.status];
    if (finalKind) {
      return {
        ok: false,
        retry: false,
        reauth: response.status === 401,
        error: new ByrobotError(finalKind, `${path}: HTTP ${response.status}`, { status: response.status }),
      };
    }
    let body: unknown;
    try {
      body = parse(text, null, exactNumber);
    } catch {
      return {
        ok: false,
        retry: true,
        error: new ByrobotError(
          'malformed',
          `${path}: HTTP ${response.status} with a body that is not JSON`,
          { status: response.status },
        ),
      };
    }
    const envelope = v.safeParse(envelopeSchema, body);
    if (!envelope.success) {
      return {
        ok: false,
        retry: true,
        error: new ByrobotError('malformed', `${path}: response is not a 百应 envelope`, {
          status: response.status,
        }),
      };
    }
    const { code, data, resultMsg } = envelope.output;
    const message = typeof resultMsg === 'string' ? resultMsg : '';
    if (code === '200') return { ok: true, data };
    if (code === '408') {
      return {
        ok: false,
        retry: true,
        ...dated,
        error: new ByrobotError('clock-skew', `${path}: code 408 ${message}`, {
          status: response.status,
          code,
        }),
      };
    }
    if (code === '401') {
      return {
        ok: false,
        retry: false,
        reauth: true,
        error: new ByrobotError('unauthorized', `${path}: code 401 ${message}`, {
          status: response.status,
          code,
        }),
      };
    }
    return {
      ok: false,
      retry: false,
      error: new ByrobotError('api-error', `${path}: code ${code} ${message}`, {
        status: response.status,
        code,
      }),
    };
  }
}
