/**
 * The open platform (open.byai.com) as the local fake 百应 serves it, for the open-platform
 * reconciler: an OAuth token per company (`/oauth/token`), and the methods it calls under
 * `/api/oauth/<method>/1.0.0/<action>` — a company's jobs, a job's detail, a job's completed calls
 * (`calldone/list`, paged as documented: an empty job answers `pageNum: 0`) and one call's detail.
 * Calls are registered by the simulator (every generated one, delivered or not, as 百应 would list
 * them) or by tests; tests can also expire every token and inject 429/5xx answers or error codes.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OPEN_METHODS } from '../functions/commons/byrobot/open-client.js';
import { beijingIsoFromWallClock } from '../functions/commons/contract/time.js';

/** The local stack's open-platform OAuth client (the secret's `open` part, locally). */
export const LOCAL_OPEN_CLIENT = {
  clientId: 'local-client-id',
  clientSecret: 'local-client-secret',
} as const;

export const OPEN_TOKEN_PATH = '/oauth/token';
export const OPEN_METHOD_PREFIX = '/api/oauth/';
/** Where the simulator registers the calls it generated (`{companyId, calls: [<callback inner data>]}`). */
export const OPEN_ADMIN_PATH = '/_fake/open/calls';
/** The companies the fake knows calls of (GET): the local reconciler's default open-platform companies. */
export const OPEN_COMPANIES_PATH = '/_fake/open/companies';

/** The path of an open-platform method, as the client calls it. */
export const openMethodPath = (method: readonly [string, string]): string =>
  `${OPEN_METHOD_PREFIX}${method[0]}/1.0.0/${method[1]}`;

export interface OpenFault {
  /** Answer this HTTP status (429, 500 …). */
  readonly status?: number;
  /** Answer HTTP 200 with this envelope code (e.g. 40000010). */
  readonly code?: number;
}

interface Job {
  readonly callJobId: string;
  jobName: string;
  callJobStatus: number;
  /** Call data by call id, in the order registered. */
  readonly calls: Map<string, Record<string, unknown>>;
}

export interface OpenRequest {
  readonly path: string;
  readonly form: Readonly<Record<string, string>>;
  status: number;
  code?: number;
}

const epochMsOf = (value: unknown): number | undefined => {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const iso = beijingIsoFromWallClock(value);
  return iso === null ? undefined : Date.parse(iso);
};

const objectOf = (value: unknown): unknown => {
  if (typeof value !== 'string') return value ?? {};
  try {
    return JSON.parse(value);
  } catch {
    return {};
  }
};

export class FakeOpenPlatform {
  readonly requests: OpenRequest[] = [];
  private readonly companies = new Map<string, Map<string, Job>>();
  private readonly tokens = new Map<string, string>();
  private readonly faults: { path: string; fault: OpenFault; remaining: number }[] = [];

  constructor(
    private readonly client: { readonly clientId: string; readonly clientSecret: string } = LOCAL_OPEN_CLIENT,
  ) {}

  /** Registers calls (a callback's inner `data`: `callInstance`, `phoneLogs`, `taskResult` …) under their jobs. */
  register(companyId: string, calls: readonly Record<string, unknown>[]): void {
    const jobs = this.companies.get(companyId) ?? new Map<string, Job>();
    this.companies.set(companyId, jobs);
    for (const data of calls) {
      const call = (data.callInstance ?? {}) as Record<string, unknown>;
      const jobId = String(call.callJobId);
      const job = jobs.get(jobId) ?? {
        callJobId: jobId,
        jobName: `任务${jobId}`,
        callJobStatus: 1,
        calls: new Map(),
      };
      jobs.set(jobId, job);
      job.calls.set(String(call.callInstanceId), data);
    }
  }

  /** A job with no calls yet (the platform lists it, and answers its calls with `pageNum: 0`). */
  addJob(companyId: string, callJobId: string, callJobStatus = 2): void {
    const jobs = this.companies.get(companyId) ?? new Map<string, Job>();
    this.companies.set(companyId, jobs);
    if (!jobs.has(callJobId))
      jobs.set(callJobId, { callJobId, jobName: `任务${callJobId}`, callJobStatus, calls: new Map() });
  }

  /** Every token issued so far stops working (as when they expire mid-run). */
  expireTokens(): void {
    this.tokens.clear();
  }

  /** The next `times` requests to `path` get `fault`. */
  inject(path: string, fault: OpenFault, times = 1): void {
    this.faults.push({ path, fault, remaining: times });
  }

  requestsTo(path: string): OpenRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Answers the request when it is the open platform's; false when it is not. */
  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (request.method === 'GET' && path === OPEN_COMPANIES_PATH) {
      this.send(response, 200, [...this.companies.keys()]);
      return true;
    }
    if (
      request.method !== 'POST' ||
      !(path === OPEN_TOKEN_PATH || path === OPEN_ADMIN_PATH || path.startsWith(OPEN_METHOD_PREFIX))
    ) {
      return false;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (path === OPEN_ADMIN_PATH) {
      const body = JSON.parse(text) as { companyId: string | number; calls: Record<string, unknown>[] };
      this.register(String(body.companyId), body.calls);
      this.send(response, 200, { ok: true });
      return true;
    }
    const form = Object.fromEntries(new URLSearchParams(text));
    const record: OpenRequest = { path, form, status: 0 };
    this.requests.push(record);
    const fault = this.takeFault(path);
    if (fault?.status) {
      record.status = fault.status;
      this.send(response, fault.status, { error: 'injected' });
      return true;
    }
    const answer = fault?.code
      ? { code: fault.code, resultMsg: 'injected', data: null }
      : path === OPEN_TOKEN_PATH
        ? this.token(form)
        : this.method(path, form);
    record.status = 200;
    record.code = answer.code;
    this.send(response, 200, answer);
    return true;
  }

  private takeFault(path: string): OpenFault | undefined {
    const due = this.faults.find((item) => item.path === path && item.remaining > 0);
    if (!due) return undefined;
    due.remaining--;
    return due.fault;
  }

  private send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
    response.end(JSON.stringify(body));
  }

  private token(form: Record<string, string>) {
    if (form.client_id !== this.client.clientId || form.client_secret !== this.client.clientSecret) {
      return { code: 40000001, resultMsg: 'client_id 或 client_secret 错误', data: null };
    }
    if (!/^\d+$/.test(form.company_id ?? ''))
      return { code: 40000002, resultMsg: 'company_id 错误', data: null };
    const token = randomUUID();
    this.tokens.set(token, form.company_id as string);
    return { code: 200, resultMsg: 'successful', data: { access_token: token, expires_in: 7200 } };
  }

  private method(path: string, form: Record<string, string>) {
    const companyId = form.companyId ?? '';
    if (this.tokens.get(form.accessToken ?? '') !== companyId) {
      return { code: 40000010, resultMsg: 'token无效', data: null };
    }
    const jobs = this.companies.get(companyId) ?? new Map<string, Job>();
    const ok = (data: unknown) => ({ code: 200, resultMsg: 'successful', requestId: randomUUID(), data });
    const page = <T>(items: readonly T[]) => {
      const pageNum = Number(form.pageNum ?? '1');
      const pageSize = Number(form.pageSize ?? '20');
      if (
        !Number.isInteger(pageNum) ||
        pageNum < 1 ||
        !Number.isInteger(pageSize) ||
        pageSize < 1 ||
        pageSize > 500
      ) {
        return { code: 40000400, resultMsg: 'pageNum ≥ 1, pageSize 1–500', data: null };
      }
      if (items.length === 0) return ok({ total: 0, pages: 0, pageNum: 0, list: [] });
      return ok({
        total: items.length,
        pages: Math.ceil(items.length / pageSize),
        pageNum,
        list: items.slice((pageNum - 1) * pageSize, pageNum * pageSize),
      });
    };
    switch (path) {
      case openMethodPath(OPEN_METHODS.jobs):
        return page(
          [...jobs.values()].map((job) => ({
            callJobId: Number(job.callJobId),
            jobName: job.jobName,
            callJobStatus: job.callJobStatus,
            totalCount: job.calls.size,
          })),
        );
      case openMethodPath(OPEN_METHODS.jobDetail): {
        const job = jobs.get(form.callJobId ?? '');
        if (!job) return { code: 40000404, resultMsg: '任务不存在', data: null };
        const ends = [...job.calls.values()].map(
          (data) => epochMsOf((data.callInstance as Record<string, unknown>).endTime) ?? 0,
        );
        return ok({
          callJobId: Number(job.callJobId),
          jobName: job.jobName,
          callJobStatus: job.callJobStatus,
          totalCount: job.calls.size,
          ...(ends.length > 0 ? { lastCallTime: Math.max(...ends) } : {}),
        });
      }
      case openMethodPath(OPEN_METHODS.callsDone): {
        const job = jobs.get(form.callJobId ?? '');
        if (!job) return { code: 40000404, resultMsg: '任务不存在', data: null };
        return page([...job.calls.values()].map((data) => this.listEntry(data)));
      }
      case openMethodPath(OPEN_METHODS.callDetail): {
        for (const job of jobs.values()) {
          const data = job.calls.get(form.callInstanceId ?? '');
          if (data) return ok(data);
        }
        return { code: 40000404, resultMsg: '通话记录不存在', data: null };
      }
      default:
        return { code: 40000404, resultMsg: `no method ${path}`, data: null };
    }
  }

  /** A call as `calldone/list` shows it: the call's own fields, times in epoch millis, no transcript. */
  private listEntry(data: Record<string, unknown>) {
    const call = data.callInstance as Record<string, unknown>;
    const results = (data.taskResult ?? []) as Record<string, unknown>[];
    return {
      callInstanceId: call.callInstanceId,
      callJobId: call.callJobId,
      customerTelephone: call.customerTelephone,
      customerName: call.customerName,
      callInstanceStatus: call.callInstanceStatus ?? 2,
      finishStatus: call.finishStatus,
      duration: call.duration,
      startTime: epochMsOf(call.startTime),
      endTime: epochMsOf(call.endTime),
      luyinOssUrl: call.luyinOssUrl,
      resultList: results.map((result) => ({ name: result.resultName, value: result.resultValue })),
      properties: objectOf(call.properties),
      userProperties: {},
    };
  }
}
