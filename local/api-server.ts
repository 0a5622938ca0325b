/**
 * Serves the API Gateway routes on loopback by turning each HTTP request into an API Gateway
 * REST proxy event and invoking the real ingest handler with it.
 */
import { isUtf8 as isUtf8Bytes } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describeError } from '../functions/commons/errors.js';
import { LOOPBACK, PortInUseError } from './ports.js';

export const ROUTES = ['/callbacks/call', '/callbacks/job'] as const;

/** API Gateway REST's payload limit. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ApiServerOptions {
  readonly port: number;
  readonly ingest: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  /** Optional secret path segment: routes become `/<secret>/callbacks/...`. */
  readonly secretPath?: string;
  /** When set, only these source IPs may call (the resource policy's job on AWS). */
  readonly allowedIps?: readonly string[];
}

const readBody = (request: IncomingMessage): Promise<Buffer | 'too-large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve('too-large');
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

const toEvent = (request: IncomingMessage, resource: string, body: Buffer): APIGatewayProxyEvent => {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers))
    if (typeof value === 'string') headers[key] = value;
  // API Gateway passes a UTF-8 body as text; anything else arrives base64-encoded.
  const isUtf8 = isUtf8Bytes(body);
  const text = isUtf8 ? body.toString('utf8') : '';
  const sourceIp = (request.socket.remoteAddress ?? LOOPBACK).replace(/^::ffff:/, '');
  return {
    resource,
    path: request.url ?? resource,
    httpMethod: request.method ?? 'POST',
    headers,
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: body.length === 0 ? null : isUtf8 ? text : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !isUtf8,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: undefined,
      protocol: 'HTTP/1.1',
      httpMethod: request.method ?? 'POST',
      identity: { sourceIp } as APIGatewayProxyEvent['requestContext']['identity'],
      path: request.url ?? resource,
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: resource,
    },
  };
};

const send = (
  response: import('node:http').ServerResponse,
  status: number,
  body: string,
  type = 'application/json; charset=utf-8',
) => {
  response.writeHead(status, { 'content-type': type });
  response.end(body);
};

export const startApiServer = (options: ApiServerOptions): Promise<Server> => {
  const prefix = options.secretPath ? `/${options.secretPath}` : '';
  const server = createServer(async (request, response) => {
    try {
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const resource = ROUTES.find((route) => `${prefix}${route}` === path);
      if (!resource) return send(response, 404, JSON.stringify({ message: 'Not Found' }));
      if (request.method !== 'POST')
        return send(response, 405, JSON.stringify({ message: 'Method Not Allowed' }));
      const ip = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      if (options.allowedIps && !options.allowedIps.includes(ip)) {
        return send(response, 403, JSON.stringify({ message: `source IP ${ip} is not allowed` }));
      }
      const body = await readBody(request);
      if (body === 'too-large')
        return send(response, 413, JSON.stringify({ message: 'Request Entity Too Large' }));
      const result = await options.ingest(toEvent(request, resource, body));
      response.writeHead(result.statusCode, result.headers as Record<string, string>);
      response.end(result.body);
    } catch (error) {
      // As API Gateway does when the integration fails: a 502, never `success`.
      send(response, 502, JSON.stringify({ message: 'Internal server error', detail: describeError(error) }));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(options.port, 'the local API') : error),
    );
    server.listen(options.port, LOOPBACK, () => resolve(server));
  });
};
