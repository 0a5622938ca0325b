/**
 * A fake 百应 OpenAPI on 127.0.0.1 for the reconciler's tests and the local stack. It checks the
 * signature exactly as 百应 documents it (so a signing bug fails), refuses a datetime more than
 * 3 minutes off its clock (code 408), pages `queryUnCallBack` by the documented rules, serves
 * `phoneLogInfo`, and can inject faults: HTTP errors, 408s, delays and malformed bodies.
 */

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { type Credentials, signature } from '../functions/commons/byrobot/sign.js';
import { describeError } from '../functions/commons/errors.js';
import { FakeOpenPlatform } from './fake-open-platform.js';
import { RECORDINGS_PATH, serveRecording } from './fake-recordings.js';
import { LOOPBACK, PortInUseError } from './ports.js';

export const QUERY_PATH = '/openapi/v1/callBack/queryUnCallBack';
export const DETAIL_PATH = '/openapi/v1/task/phoneLogInfo';
/**
 * Not part of 百应: how the delivery simulator tells the fake which deliveries it dropped, so
 * `queryUnCallBack` lists them and `phoneLogInfo` returns the very call it generated.
 * Body: `{"companyId","dataType":0|1,"misses":[{callInstanceId,…}],"details":{"<id>":<inner data>}}`.
 */
export const ADMIN_MISSES_PATH = '/_fake/misses';
/** Demo credentials of the local stack's fake 百应. */
export const LOCAL_BYROBOT = {
  appKey: 'local-app-key',
  appSecret: 'local-app-secret',
  companyIds: ['1'],
} as const;

export interface FakeMiss {
  readonly callInstanceId: string;
  readonly callJobId?: string;
  readonly customerTelephone?: string;
  readonly callerTime?: string;
}

export interface Fault {
  readonly status?: number;
  /** Envelope code to answer with HTTP 200 (e.g. 408, 500). */
  readonly code?: number;
  readonly delayMs?: number;
  /** A body that is not the envelope (e.g. an HTML error page). */
  readonly body?: string;
}

export interface RecordedRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Set when the answer is sent (0 while a delayed answer is pending). */
  status: number;
  code?: number;
}

const SKEW_LIMIT_MS = 3 * 60_000;

const sampleData = (): string => {
  const fixture = readFileSync(
    fileURLToPath(new URL('../test/fixtures/vendor-outbound-call.json', import.meta.url)),
    'utf8',
  );
  const inner = (JSON.parse(fixture) as { data: { data: Record<string, unknown> } }).data.data;
  const { sign: _sign, dateTime: _dateTime, ...rest } = inner;
  return JSON.stringify({ ...rest, jobFinished: false, voipCallerAccount: null });
};

export class FakeByrobot {
  readonly requests: RecordedRequest[] = [];
  /** The open platform's token and methods, on the same server (`/oauth/token`, `/api/oauth/…`). */
  readonly open = new FakeOpenPlatform();
  /** Server clock minus real clock, to simulate our clock being off. */
  clockOffsetMs = 0;
  private readonly misses = new Map<string, FakeMiss[]>();
  private readonly details = new Map<string, string>();
  private readonly faults: {
    path: string;
    fault: Fault;
    remaining: number;
    when?: (query: URLSearchParams) => boolean;
  }[] = [];
  private readonly template = sampleData();
  private server: Server | undefined;
  url = '';

  constructor(private readonly credentials: Credentials) {}

  setMisses(companyId: string, dataType: 0 | 1, misses: readonly FakeMiss[]): void {
    this.misses.set(`${companyId}/${dataType}`, [...misses]);
  }

  addMisses(companyId: string, dataType: 0 | 1, misses: readonly FakeMiss[]): void {
    this.setMisses(companyId, dataType, [...(this.misses.get(`${companyId}/${dataType}`) ?? []), ...misses]);
  }

  /** The inner `data` phoneLogInfo returns for a call; by default the vendor example with that id. */
  setDetail(callInstanceId: string, dataText: string): void {
    this.details.set(callInstanceId, dataText);
  }

  detailOf(callInstanceId: string): string {
    // The vendor example, with this id and recording links this fake serves.
    return (
      this.details.get(callInstanceId) ??
      this.template
        .replace('"callInstanceId":1,', `"callInstanceId":${callInstanceId},`)
        .replace(
          /"(user)?(L|l)uyinOssUrl":"[^"]*"/g,
          (_match, user: string | undefined, l: string) =>
            `"${user ?? ''}${l}uyinOssUrl":${JSON.stringify(this.recordingUrl(callInstanceId, user ? 'user' : 'full'))}`,
        )
    );
  }

  /** The next `times` requests to `path` (optionally matching `when`) get `fault`. */
  inject(path: string, fault: Fault, times = 1, when?: (query: URLSearchParams) => boolean): void {
    this.faults.push({ path, fault, remaining: times, ...(when ? { when } : {}) });
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, 'the fake 百应 OpenAPI') : error),
      );
      this.server?.listen(port, LOOPBACK, () => resolve());
    });
    const address = this.server.address();
    this.url = `http://${LOOPBACK}:${typeof address === 'object' && address ? address.port : port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private reply(response: ServerResponse, status: number, body: string, record: RecordedRequest): void {
    record.status = status;
    response.writeHead(status, {
      'content-type': 'application/json;charset=UTF-8',
      date: new Date(Date.now() + this.clockOffsetMs).toUTCString(),
    });
    response.end(body);
  }

  /** The next injected fault for this request, used up, after its delay; undefined when none is due. */
  private async takeFault(url: URL): Promise<Fault | undefined> {
    const due = this.faults.find(
      (item) => item.path === url.pathname && item.remaining > 0 && (item.when?.(url.searchParams) ?? true),
    );
    if (!due) return undefined;
    due.remaining--;
    if (due.fault.delayMs) await new Promise((resolve) => setTimeout(resolve, due.fault.delayMs));
    return due.fault;
  }

  /** A generated recording, unless a fault is injected for its path (status, delay, or a dropped connection). */
  private async recording(url: URL, response: ServerResponse, record: RecordedRequest): Promise<void> {
    const fault = await this.takeFault(url);
    if (fault?.status) return this.reply(response, fault.status, '{"error":"injected"}', record);
    record.status = 200;
    serveRecording(url, response);
  }

  /** Where the fake serves a call's recording (`kind` full or user, as 百应 names its files). */
  recordingUrl(callInstanceId: string | number, kind: 'full' | 'user'): string {
    return `${this.url}${RECORDINGS_PATH}${callInstanceId}-${kind}.wav`;
  }

  private envelope(code: number, data: string, message = code === 200 ? '执行成功' : '失败'): string {
    return `{"code":${code},"data":${data},"resultMsg":${JSON.stringify(message)},"errorStackTrace":null,"requestId":null}`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    if (await this.open.handle(request, response, url)) return;
    const query = Object.fromEntries(url.searchParams);
    // Recorded on arrival, so a request whose answer is delayed still counts in order.
    const record: RecordedRequest = { path: url.pathname, query, status: 0 };
    this.requests.push(record);
    if (request.method === 'POST' && url.pathname === ADMIN_MISSES_PATH)
      return this.admin(request, response, record);
    if (request.method === 'GET' && url.pathname.startsWith(RECORDINGS_PATH))
      return this.recording(url, response, record);
    if (request.method !== 'GET' || (url.pathname !== QUERY_PATH && url.pathname !== DETAIL_PATH)) {
      return this.reply(response, 404, '{"error":"not found"}', record);
    }
    const fault = await this.takeFault(url);
    if (fault) {
      if (fault.body !== undefined) return this.reply(response, fault.status ?? 200, fault.body, record);
      if (fault.status) return this.reply(response, fault.status, '{"error":"injected"}', record);
      if (fault.code)
        return this.reply(response, 200, this.envelope(fault.code, 'null'), {
          ...record,
          code: fault.code,
        });
    }
    const auth = this.checkSignature(request);
    if (auth !== 200)
      return this.reply(
        response,
        200,
        this.envelope(auth, 'null', auth === 408 ? '请求时间偏差超过3分钟' : '签名校验失败'),
        Object.assign(record, { code: auth }),
      );

    if (url.pathname === DETAIL_PATH) {
      const id = url.searchParams.get('callInstanceId') ?? '';
      if (!/^\d+$/.test(id))
        return this.reply(response, 200, this.envelope(412, 'null', 'callInstanceId 参数错误'), {
          ...record,
          code: 412,
        });
      return this.reply(
        response,
        200,
        this.envelope(200, this.detailOf(id)),
        Object.assign(record, { code: 200 }),
      );
    }
    const companyId = url.searchParams.get('companyId') ?? '';
    const dataType = url.searchParams.get('dataType');
    const pageNum = Number(url.searchParams.get('pageNum') ?? '1');
    const pageSize = Number(url.searchParams.get('pageSize') ?? '100');
    const dateOk = /^\d{4}-\d{2}-\d{2}$/;
    if (
      !companyId ||
      (dataType !== '0' && dataType !== '1') ||
      !dateOk.test(url.searchParams.get('startDate') ?? '') ||
      !dateOk.test(url.searchParams.get('endDate') ?? '')
    ) {
      return this.reply(
        response,
        200,
        this.envelope(412, 'null', '参数错误'),
        Object.assign(record, { code: 412 }),
      );
    }
    if (
      !Number.isInteger(pageSize) ||
      pageSize < 1 ||
      pageSize > 500 ||
      !Number.isInteger(pageNum) ||
      pageNum < 1
    ) {
      return this.reply(response, 200, this.envelope(412, 'null', 'pageSize 取值范围1-500'), {
        ...record,
        code: 412,
      });
    }
    const all = this.misses.get(`${companyId}/${dataType}`) ?? [];
    const list = all.slice((pageNum - 1) * pageSize, pageNum * pageSize).map((miss) => ({
      customerTelephone: miss.customerTelephone ?? '13800000000',
      callInstanceId: `__ID__${miss.callInstanceId}__ID__`,
      callJobId: Number(miss.callJobId ?? '9'),
      callerTime: miss.callerTime ?? '2026-11-26 10:00:00',
    }));
    // Ids go out as bare JSON numbers, as 百应 sends them, with every digit.
    const listText = JSON.stringify(list).replace(/"__ID__(\d+)__ID__"/g, '$1');
    const data = `{"pageNum":${pageNum},"pageSize":${pageSize},"total":${all.length},"pages":${Math.ceil(all.length / pageSize)},"list":${listText}}`;
    return this.reply(
      response,
      200,
      this.envelope(200, data, '查询成功'),
      Object.assign(record, { code: 200 }),
    );
  }

  private async admin(
    request: IncomingMessage,
    response: ServerResponse,
    record: RecordedRequest,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        companyId: string;
        dataType: 0 | 1;
        misses: FakeMiss[];
        details?: Record<string, unknown>;
      };
      this.addMisses(String(body.companyId), body.dataType, body.misses);
      for (const [id, data] of Object.entries(body.details ?? {})) this.setDetail(id, JSON.stringify(data));
      return this.reply(response, 200, '{"ok":true}', record);
    } catch (error) {
      return this.reply(response, 400, JSON.stringify({ error: describeError(error) }), record);
    }
  }

  private checkSignature(request: IncomingMessage): number {
    const appkey = request.headers.appkey;
    const datetime = request.headers.datetime;
    const sign = request.headers.sign;
    if (typeof appkey !== 'string' || typeof datetime !== 'string' || typeof sign !== 'string') return 401;
    if (appkey !== this.credentials.appKey || sign !== signature(this.credentials, datetime)) return 401;
    const sentAt = Date.parse(datetime);
    if (Number.isNaN(sentAt) || Math.abs(sentAt - (Date.now() + this.clockOffsetMs)) > SKEW_LIMIT_MS)
      return 408;
    return 200;
  }
}
