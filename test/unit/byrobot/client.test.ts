/**
 * The 百应 OpenAPI client against the fake 百应 server on 127.0.0.1: signature, clock skew,
 * retries, typed errors and paging.
 */
import { createHmac } from 'node:crypto';
import { checkApiUrl } from '../../../functions/commons/byrobot/api-url.js';
import { ByrobotClient } from '../../../functions/commons/byrobot/client.js';
import { ByrobotError } from '../../../functions/commons/byrobot/errors.js';
import { allPages } from '../../../functions/commons/byrobot/paging.js';
import { backoffDelay } from '../../../functions/commons/byrobot/retry.js';
import { type Credentials, signedHeaders } from '../../../functions/commons/byrobot/sign.js';
import { DETAIL_PATH, QUERY_PATH } from '../../../local/fake-byrobot.js';
import { useFakeByrobot } from '../../support/fake-byrobot.js';

const CREDENTIALS: Credentials = { appKey: 'ak-test', appSecret: 's3cret-test' };

const fixed = (credentials: Credentials = CREDENTIALS) => ({
  get: async () => credentials,
  refresh: async () => credentials,
});

const fake = useFakeByrobot(CREDENTIALS);

const clientFor = (overrides: Partial<ConstructorParameters<typeof ByrobotClient>[0]> = {}) =>
  new ByrobotClient({
    baseUrl: fake.url,
    credentials: fixed(),
    minIntervalMs: 0,
    timeoutMs: 500,
    sleep: async () => {},
    ...overrides,
  });

const QUERY = { companyId: '7', dataType: 0 as const, startDate: '2026-11-25', endDate: '2026-11-26' };

describe('signature', () => {
  test('matches the documented formula, computed independently', () => {
    const at = Date.UTC(2026, 10, 26, 3, 4, 5);
    const headers = signedHeaders({ appKey: 'myAppKey', appSecret: 'myAppSecret' }, at);
    expect(headers.datetime).toBe('Thu, 26 Nov 2026 03:04:05 GMT');
    const expected = createHmac('sha1', 'myAppSecret')
      .update('myAppKey\nThu, 26 Nov 2026 03:04:05 GMT')
      .digest('base64');
    expect(headers).toEqual({
      appkey: 'myAppKey',
      datetime: 'Thu, 26 Nov 2026 03:04:05 GMT',
      sign: expected,
    });
    expect(headers.sign).toHaveLength(28);
  });

  test('a wrong secret is rejected by the fake server, so a signing bug cannot pass', async () => {
    const client = clientFor({ credentials: fixed({ appKey: 'ak-test', appSecret: 'wrong' }) });
    await expect(client.queryUnCallBack({ ...QUERY, pageNum: 1 })).rejects.toMatchObject({
      kind: 'unauthorized',
    });
    // One attempt, one retry after reloading the credentials, then a final typed error.
    expect(fake.requestsTo(QUERY_PATH).map((request) => request.code)).toEqual([401, 401]);
  });

  test('a 401 reloads the credentials once (a rotated secret) and succeeds with the new ones', async () => {
    let current: Credentials = { appKey: 'ak-test', appSecret: 'old' };
    const source = { get: async () => current, refresh: async () => (current = CREDENTIALS) };
    const client = clientFor({ credentials: source });
    const page = await client.queryUnCallBack({ ...QUERY, pageNum: 1 });
    expect(page.total).toBe(0);
    expect(fake.requestsTo(QUERY_PATH).map((request) => request.code)).toEqual([401, 200]);
  });
});

describe('clock skew', () => {
  test("a 408 teaches the client 百应's clock from the Date header; the retry and later requests are accepted", async () => {
    fake.clockOffsetMs = 10 * 60_000;
    const client = clientFor();
    await client.queryUnCallBack({ ...QUERY, pageNum: 1 });
    expect(fake.requestsTo(QUERY_PATH).map((request) => request.code)).toEqual([408, 200]);
    expect(Math.abs(client.clockSkewMs - 10 * 60_000)).toBeLessThan(2_000);
    await client.queryUnCallBack({ ...QUERY, pageNum: 1 });
    expect(fake.requestsTo(QUERY_PATH).map((request) => request.code)).toEqual([408, 200, 200]);
  });

  test('within 3 minutes no correction is needed', async () => {
    fake.clockOffsetMs = 2 * 60_000;
    await clientFor().queryUnCallBack({ ...QUERY, pageNum: 1 });
    expect(fake.requestsTo(QUERY_PATH).map((request) => request.code)).toEqual([200]);
  });
});

describe('retries and typed errors', () => {
  test('500, 503, a timeout and a malformed body are retried', async () => {
    fake.inject(QUERY_PATH, { status: 500 });
    fake.inject(QUERY_PATH, { status: 503 });
    fake.inject(QUERY_PATH, { delayMs: 800 });
    const client = clientFor({ maxAttempts: 5 });
    fake.setMisses('7', 0, [{ callInstanceId: '1' }]);
    fake.inject(
      QUERY_PATH,
      { body: '<html>502 Bad Gateway</html>' },
      1,
      () => fake.requestsTo(QUERY_PATH).length >= 3,
    );
    const page = await client.queryUnCallBack({ ...QUERY, pageNum: 1 });
    expect(page.list.map((miss) => miss.callInstanceId)).toEqual(['1']);
    expect(fake.requestsTo(QUERY_PATH)).toHaveLength(5);
  });

  test('retries give up with a typed, transient error', async () => {
    fake.inject(QUERY_PATH, { status: 502 }, 10);
    const error = await clientFor({ maxAttempts: 3 })
      .queryUnCallBack({ ...QUERY, pageNum: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ByrobotError);
    expect(error).toMatchObject({ kind: 'unavailable', status: 502, transient: true });
    expect(fake.requestsTo(QUERY_PATH)).toHaveLength(3);
  });

  test.each([
    [403, 'forbidden'],
    [404, 'not-found'],
    [412, 'precondition'],
  ])('HTTP %s is final: %s, no retry', async (status, kind) => {
    fake.inject(QUERY_PATH, { status });
    await expect(clientFor().queryUnCallBack({ ...QUERY, pageNum: 1 })).rejects.toMatchObject({
      kind,
      status,
    });
    expect(fake.requestsTo(QUERY_PATH)).toHaveLength(1);
  });

  test("a code other than 200 is an api-error with 百应's message", async () => {
    await expect(clientFor().queryUnCallBack({ ...QUERY, pageNum: 1, pageSize: 501 })).rejects.toMatchObject({
      kind: 'api-error',
      code: '412',
      message: expect.stringContaining('pageSize 取值范围1-500'),
    });
  });

  test('backoff grows exponentially up to the cap, with full jitter', () => {
    const top = (attempt: number) =>
      backoffDelay(attempt, { baseMs: 100, capMs: 1_000, random: () => 0.999_999 });
    expect([0, 1, 2, 3, 4, 5].map(top)).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, { baseMs: 100, capMs: 1_000, random: () => 0 })).toBe(0);
  });
});

describe('data', () => {
  test('ids above 2^53 keep every digit, in lists and in phoneLogInfo', async () => {
    fake.setMisses('7', 0, [{ callInstanceId: '9223372036854775807' }]);
    const client = clientFor();
    const page = await client.queryUnCallBack({ ...QUERY, pageNum: 1 });
    expect(page.list[0]?.callInstanceId).toBe('9223372036854775807');
    const detail = await client.phoneLogInfo('9223372036854775807');
    expect(detail).toContain('"callInstanceId":9223372036854775807,');
    expect(fake.requestsTo(DETAIL_PATH)[0]?.query.callInstanceId).toBe('9223372036854775807');
  });

  test('paging: 1,234 misses at pageSize 500 → pages 1, 2, 3, each requested once', async () => {
    fake.setMisses(
      '7',
      0,
      Array.from({ length: 1234 }, (_, i) => ({ callInstanceId: String(10_000 + i) })),
    );
    const ids: string[] = [];
    for await (const page of allPages(clientFor(), QUERY))
      ids.push(...page.list.map((miss) => miss.callInstanceId));
    expect(ids).toHaveLength(1234);
    expect(new Set(ids).size).toBe(1234);
    expect(
      fake.requestsTo(QUERY_PATH).map((request) => [request.query.pageNum, request.query.pageSize]),
    ).toEqual([
      ['1', '500'],
      ['2', '500'],
      ['3', '500'],
    ]);
  });

  test('paging follows a total that changes while reading', async () => {
    fake.setMisses(
      '7',
      0,
      Array.from({ length: 600 }, (_, i) => ({ callInstanceId: String(i + 1) })),
    );
    const client = clientFor();
    const seen: number[] = [];
    for await (const page of allPages(client, QUERY)) {
      seen.push(page.pageNum);
      // 百应 records 500 more failures while we read page 1.
      if (page.pageNum === 1)
        fake.addMisses(
          '7',
          0,
          Array.from({ length: 500 }, (_, i) => ({ callInstanceId: String(1000 + i) })),
        );
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(fake.requestsTo(QUERY_PATH).map((request) => request.query.pageNum)).toEqual(['1', '2', '3']);
  });

  test('a page that is not as documented is a malformed error', async () => {
    fake.inject(QUERY_PATH, { body: '{"code":200,"data":{"pageNum":1,"list":"nope"}}' }, 4);
    await expect(clientFor().queryUnCallBack({ ...QUERY, pageNum: 1 })).rejects.toMatchObject({
      kind: 'malformed',
    });
  });
});

describe('limits', () => {
  const firstPage = (client: ByrobotClient) =>
    client.queryUnCallBack({
      companyId: '1',
      dataType: 0,
      startDate: '2026-11-26',
      endDate: '2026-11-27',
      pageNum: 1,
    });

  test('a response larger than the cap is refused without retrying', async () => {
    fake.inject(QUERY_PATH, { status: 200, body: `{"code":200,"data":"${'x'.repeat(5_000)}"}` }, 4);
    const client = clientFor({ maxResponseBytes: 1_000 });
    await expect(firstPage(client)).rejects.toMatchObject({
      kind: 'malformed',
      message: expect.stringContaining('byte limit'),
    });
    expect(fake.requestsTo(QUERY_PATH)).toHaveLength(1);
  });

  test('no retry starts when the caller has no time left for it', async () => {
    fake.inject(QUERY_PATH, { status: 503 }, 4);
    const client = clientFor({ remainingMs: () => 500, maxAttempts: 4 });
    await expect(firstPage(client)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(fake.requestsTo(QUERY_PATH)).toHaveLength(1);
  });
});

describe('where the signed headers may go', () => {
  test('a redirect is not followed: the signed request never reaches the other host', async () => {
    const { createServer } = await import('node:http');
    const seen: (string | undefined)[] = [];
    const elsewhere = createServer((request, response) => {
      seen.push(request.headers.sign as string | undefined);
      response.end('{"code":200,"data":{}}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}/steal`;
    const redirecting = createServer((_request, response) => {
      response.writeHead(302, { location: target });
      response.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const client = clientFor({
        baseUrl: `http://127.0.0.1:${(redirecting.address() as { port: number }).port}`,
      });
      const failure = client.queryUnCallBack({ ...QUERY, pageNum: 1 });
      await expect(failure).rejects.toMatchObject({ kind: 'api-error', status: 302 });
      await expect(failure).rejects.toThrow(/redirect to 127\.0\.0\.1:\d+ not followed/);
      expect(seen).toEqual([]);
    } finally {
      elsewhere.close();
      redirecting.close();
    }
  });

  test.each([
    ['https://api.byrobot.cn', true],
    ['https://open.byai.com/', true],
    ['http://127.0.0.1:4580', true],
    ['http://localhost:4580', true],
    ['http://[::1]:4580', true],
    ['http://api.byrobot.cn', false],
    ['http://10.0.0.8', false],
    ['ftp://api.byrobot.cn', false],
    ['api.byrobot.cn', false],
  ])('base URL %s allowed: %s', (url, allowed) => {
    if (allowed) expect(checkApiUrl(url, 'byrobotApiUrl')).toBe(url);
    else expect(() => checkApiUrl(url, 'byrobotApiUrl')).toThrow(/byrobotApiUrl must be/);
    if (!allowed) expect(() => clientFor({ baseUrl: url })).toThrow(/must be/);
  });
});
