/**
 * The client of 百应's open platform (open.byai.com): an OAuth token per company (a form POST of
 * `client_id`, `client_secret`, `company_id`; `data.access_token`), cached for its lifetime and
 * refreshed once when a method answers `40000010` (invalid token); methods are form POSTs to
 * `<openApiUrl>/api/oauth/<method>/1.0.0/<action>` with `accessToken`, and succeed with `code` 200.
 * 429 and 5xx answers, timeouts and network errors are retried with backoff while the caller's
 * time lasts. Numbers keep every digit (64-bit ids); redirects are never followed.
 */
import { isSafeNumber, LosslessNumber, parse } from 'lossless-json';
import * as v from 'valibot';
import { checkApiUrl } from './api-url.js';
import { ByrobotError } from './errors.js';
import { requestOnce } from './http-request.js';
import { type BackoffOptions, backoffDelay, sleep as realSleep } from './retry.js';

export interface OpenCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface OpenClientOptions {
  /** `https://open.byai.com`: methods live under `<apiUrl>/api/oauth/`. */
  readonly apiUrl: string;
  /** `https://open-tcs.byai.com/oauth/token`. */
  readonly tokenUrl: string;
  readonly credentials: () => Promise<OpenCredentials>;
  /** Per attempt. @default 10 000 */
  readonly timeoutMs?: number;
  /** Milliseconds the caller may still spend; no attempt or retry starts past it. */
  readonly remainingMs?: () => number;
  /** Attempts per request, the first included. @default 4 */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  /** Least time between two requests. @default 100 */
  readonly minIntervalMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onRetry?: (info: { method: string; attempt: number; reason: string }) => void;
}

/** The open platform's answer to an invalid or expired token. */
export const INVALID_TOKEN = '40000010';

/** A token's lifetime when the answer gives none, and the margin kept before it ends. */
const DEFAULT_TOKEN_SECONDS = 3600;
const TOKEN_MARGIN_MS = 60_000;

const exactNumber = (text: string): number | LosslessNumber =>
  isSafeNumber(text) ? Number(text) : new LosslessNumber(text);

/** An id or a count as 百应 sends it (number, exact number or digits) as exact decimal text. */
export const digitsOf = (value: unknown): string | undefined => {
  if (value instanceof LosslessNumber) return /^\d+$/.test(value.value) ? value.value : undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return value.trim();
  return undefined;
};

const count = v.pipe(
  v.unknown(),
  v.transform((value) => Number(digitsOf(value) ?? Number.NaN)),
  v.number(),
  v.integer(),
  v.minValue(0),
);

const pageSchema = v.looseObject({
  total: v.optional(count, 0),
  pages: v.optional(count, 0),
  pageNum: v.optional(count, 0),
  list: v.optional(v.nullable(v.array(v.unknown())), []),
});

export interface OpenPage {
  readonly total: number;
  readonly pages: number;
  /** 0 for an empty list (as the platform answers for a job without calls). */
  readonly pageNum: number;
  /** The entries as sent, numbers exact (LosslessNumber past 2^53). */
  readonly list: readonly Record<string, unknown>[];
}

export const OPEN_PAGE_SIZE = 500;

export const OPEN_METHODS = {
  jobs: ['byai.openapi.calljob', 'list'],
  jobDetail: ['byai.openapi.calljob.detail', 'get'],
  callsDone: ['byai.openapi.calljob.calldone', 'list'],
  callDetail: ['byai.openapi.callinstance.detail', 'get'],
} as const;

type Attempt =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly retry: boolean; readonly error: ByrobotError };

export class OpenPlatformClient {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  private nextRequestAt = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: OpenClientOptions) {
    checkApiUrl(options.apiUrl, 'the open platform API URL');
    checkApiUrl(options.tokenUrl, 'the open platform token URL');
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /** The company's jobs, a page at a time. */
  jobs(companyId: string, pageNum: number, pageSize = OPEN_PAGE_SIZE): Promise<OpenPage> {
    return this.page(OPEN_METHODS.jobs, companyId, { pageNum: String(pageNum), pageSize: String(pageSize) });
  }

  /** One job's detail, as sent. */
  async jobDetail(companyId: string, callJobId: string): Promise<Record<string, unknown>> {
    return this.object(OPEN_METHODS.jobDetail, companyId, { callJobId });
  }

  /** The completed calls of a job, a page at a time (`pageNum` from 1; an empty job answers 0). */
  callsDone(
    companyId: string,
    callJobId: string,
    pageNum: number,
    pageSize = OPEN_PAGE_SIZE,
  ): Promise<OpenPage> {
    return this.page(OPEN_METHODS.callsDone, companyId, {
      callJobId,
      pageNum: String(pageNum),
      pageSize: String(Math.min(pageSize, OPEN_PAGE_SIZE)),
    });
  }

  /** One call's detail (its transcript, where the platform gives it), as sent. */
  async callDetail(companyId: string, callInstanceId: string): Promise<Record<string, unknown>> {
    return this.object(OPEN_METHODS.callDetail, companyId, { callInstanceId });
  }

  private async object(
    method: readonly [string, string],
    companyId: string,
    params: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    const data = await this.call(method, companyId, params);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new ByrobotError('malformed', `${method.join('/')}: data is not an object`);
    }
    return data as Record<string, unknown>;
  }

  private async page(
    method: readonly [string, string],
    companyId: string,
    params: Record<string, string>,
  ): Promise<OpenPage> {
    const data = await this.call(method, companyId, params);
    const page = v.safeParse(pageSchema, data ?? {});
    if (!page.success) {
      const path = page.issues[0].path?.map((item) => String(item.key)).join('.') ?? '';
      throw new ByrobotError('malformed', `${method.join('/')}: data.${path} is not a page`);
    }
    const list = (page.output.list ?? []).filter(
      (entry): entry is Record<string, unknown> =>
        entry !== null && typeof entry === 'object' && !Array.isArray(entry),
    );
    return { total: page.output.total, pages: page.output.pages, pageNum: page.output.pageNum, list };
  }

  /** One method call with the company's token: refreshed once on `40000010`, retried on 429/5xx. */
  private async call(
    [method, action]: readonly [string, string],
    companyId: string,
    params: Record<string, string>,
  ): Promise<unknown> {
    const url = `${this.options.apiUrl.replace(/\/$/, '')}/api/oauth/${method}/1.0.0/${action}`;
    let refreshed = false;
    for (;;) {
      const token = await this.token(companyId, refreshed);
      const body = await this.post(`${method}/${action}`, url, { accessToken: token, companyId, ...params });
      const envelope = body as { code?: unknown; resultMsg?: unknown; data?: unknown } | null;
      const code = String(digitsOf(envelope?.code) ?? envelope?.code ?? '');
      if (code === '200') return envelope?.data;
      const message = typeof envelope?.resultMsg === 'string' ? envelope.resultMsg : '';
      if (code === INVALID_TOKEN && !refreshed) {
        refreshed = true;
        this.options.onRetry?.({ method, attempt: 0, reason: 'refreshing the token (40000010)' });
        continue;
      }
      throw new ByrobotError(
        code === INVALID_TOKEN ? 'unauthorized' : 'api-error',
        `${method}/${action}: code ${code || '(none)'} ${message}`.trim(),
        { code },
      );
    }
  }

  /** The company's token: cached for its lifetime, fetched anew when `fresh` or about to end. */
  private async token(companyId: string, fresh: boolean): Promise<string> {
    const cached = this.tokens.get(companyId);
    if (!fresh && cached && cached.expiresAt > this.now()) return cached.token;
    const { clientId, clientSecret } = await this.options.credentials();
    const body = (await this.post('oauth/token', this.options.tokenUrl, {
      client_id: clientId,
      client_secret: clientSecret,
      company_id: companyId,
    })) as {
      code?: unknown;
      resultMsg?: unknown;
      data?: { access_token?: unknown; expires_in?: unknown };
    } | null;
    const token = body?.data?.access_token;
    if (typeof token !== 'string' || token === '') {
      const code = String(digitsOf(body?.code) ?? body?.code ?? '');
      const message = typeof body?.resultMsg === 'string' ? body.resultMsg : 'no access_token';
      throw new ByrobotError(
        'unauthorized',
        `oauth/token for company ${companyId}: ${code} ${message}`.trim(),
        {
          code,
        },
      );
    }
    const seconds = Number(digitsOf(body?.data?.expires_in) ?? DEFAULT_TOKEN_SECONDS);
    this.tokens.set(companyId, { token, expiresAt: this.now() + seconds * 1000 - TOKEN_MARGIN_MS });
    return token;
  }

  /** A form POST, retried on 429, 5xx, timeouts and network errors while time lasts; the parsed body. */
  private async post(what: string, url: string, form: Record<string, string>): Promise<unknown> {
    const maxAttempts = this.options.maxAttempts ?? 4;
    let last: ByrobotError | undefined;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (attempt > 0) {
        const delay = backoffDelay(attempt - 1, this.options.backoff ?? { baseMs: 250, capMs: 8_000 });
        if (this.remaining() < delay + 1_000) break;
        await this.sleep(delay);
      }
      const result = await this.attempt(what, url, form);
      if (result.ok) return result.body;
      last = result.error;
      if (!result.retry) throw result.error;
      this.options.onRetry?.({ method: what, attempt, reason: result.error.message });
    }
    throw last ?? new ByrobotError('unavailable', `${what}: no time left for an attempt`);
  }

  private remaining(): number {
    return this.options.remainingMs?.() ?? Number.POSITIVE_INFINITY;
  }

  private async attempt(what: string, url: string, form: Record<string, string>): Promise<Attempt> {
    const wait = this.nextRequestAt - this.now();
    if (wait > 0) await this.sleep(wait);
    this.nextRequestAt = Math.max(this.now(), this.nextRequestAt) + (this.options.minIntervalMs ?? 100);
    const sent = await requestOnce(
      what,
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form).toString(),
      },
      {
        ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
        remainingMs: () => this.remaining(),
      },
    );
    if (!sent.ok) return sent;
    const { response, text } = sent;
    try {
      return { ok: true, body: parse(text, null, exactNumber) };
    } catch {
      return {
        ok: false,
        retry: response.status >= 500,
        error: new ByrobotError(
          'malformed',
          `${what}: HTTP ${response.status} with a body that is not JSON`,
          {
            status: response.status,
          },
        ),
      };
    }
  }
}
