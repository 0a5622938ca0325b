/**
 * The 百应 OpenAPI client: signed GET requests with a timeout each, retries with backoff and
 * jitter on network errors, timeouts, 5xx and clock skew (408), typed errors for the rest, and
 * every response envelope validated. Numbers keep every digit (64-bit ids).
 */
import { isSafeNumber, LosslessNumber, parse, stringify } from 'lossless-json';
import * as v from 'valibot';
import { checkApiUrl } from './api-url.js';
import { ByrobotError } from './errors.js';
import { requestOnce } from './http-request.js';
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

const FINAL_STATUS: Readonly<Record<number, ByrobotError['kind']>> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  412: 'precondition',
};

type Attempt =
  | { ok: true; data: unknown }
  | { ok: false; retry: boolean; error: ByrobotError; serverDate?: number; reauth?: boolean };

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
    const sent = await requestOnce(
      path,
      url,
      { headers: { ...signedHeaders(credentials, this.now() + this.skewMs), accept: 'application/json' } },
      {
        ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
        remainingMs: () => this.remainingMs(),
        ...(this.options.maxResponseBytes ? { maxBytes: this.options.maxResponseBytes } : {}),
        onlyTo: new URL(this.options.baseUrl).host,
      },
    );
    if (!sent.ok) return sent;
    const { response, text } = sent;
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
