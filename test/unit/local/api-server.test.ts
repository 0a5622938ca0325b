/**
 * The local API applies the same defences as the deployed one when configured: the secret path
 * segment, the source-IP allowlist and API Gateway's 10 MB payload limit.
 */
import type { Server } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MAX_BODY_BYTES, startApiServer } from '../../../local/api-server.js';
import { freePort } from '../../../local/ports.js';

const events: APIGatewayProxyEvent[] = [];
const ingest = async (event: APIGatewayProxyEvent) => {
  events.push(event);
  return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'success' };
};

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  events.length = 0;
});

const start = async (options: { secretPath?: string; allowedIps?: string[] } = {}) => {
  const port = await freePort();
  server = await startApiServer({ port, ingest, ...options });
  return `http://127.0.0.1:${port}`;
};

const post = async (url: string, body: string | Buffer = '{}', contentType = 'application/json') => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return [response.status, await response.text()] as const;
};

test('with a secret path, only /<secret>/callbacks/... reaches ingest', async () => {
  const base = await start({ secretPath: 'k3y-0123456789abcdef' });
  expect((await post(`${base}/callbacks/call`))[0]).toBe(404);
  expect((await post(`${base}/wrong-secret-0000000/callbacks/call`))[0]).toBe(404);
  expect(await post(`${base}/k3y-0123456789abcdef/callbacks/job`)).toEqual([200, 'success']);
  expect(events.map((event) => event.resource)).toEqual(['/callbacks/job']);
});

test('with an IP allowlist, other callers get 403 and never reach ingest', async () => {
  const refused = await start({ allowedIps: ['120.55.46.3'] });
  const [status, body] = await post(`${refused}/callbacks/call`);
  expect(status).toBe(403);
  expect(body).toContain('source IP 127.0.0.1 is not allowed');
  expect(events).toEqual([]);
  server?.close();
  const allowed = await start({ allowedIps: ['120.55.46.3', '127.0.0.1'] });
  expect(await post(`${allowed}/callbacks/call`)).toEqual([200, 'success']);
  expect(events[0]?.requestContext.identity.sourceIp).toBe('127.0.0.1');
});

test("a body over API Gateway's 10 MB limit → 413 without invoking ingest", async () => {
  const base = await start();
  const [status] = await post(`${base}/callbacks/call`, Buffer.alloc(MAX_BODY_BYTES + 1, 0x20)).catch(
    () => [413] as const,
  );
  expect(status).toBe(413);
  expect(events).toEqual([]);
});

test('only POST; non-UTF-8 bodies arrive base64-encoded, as API Gateway passes them', async () => {
  const base = await start();
  expect((await fetch(`${base}/callbacks/call`)).status).toBe(405);
  await post(`${base}/callbacks/call`, Buffer.from([0xb2, 0xe2, 0xca, 0xd4]), 'text/plain;charset=GBK');
  expect(events[0]).toMatchObject({
    isBase64Encoded: true,
    body: Buffer.from([0xb2, 0xe2, 0xca, 0xd4]).toString('base64'),
  });
});
