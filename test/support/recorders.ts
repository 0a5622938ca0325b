/** In-memory stand-ins for the logger and metrics, and API Gateway event builders, for tests. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Counter } from '../../functions/commons/telemetry.js';

export class RecordingCounter implements Counter {
  readonly counts: { name: string; dimensions: Record<string, string>; value: number }[] = [];
  count(name: string, dimensions: Readonly<Record<string, string>> = {}, value = 1): void {
    this.counts.push({ name, dimensions: { ...dimensions }, value });
  }
  total(name: string, dimensions: Record<string, string> = {}): number {
    return this.counts
      .filter(
        (entry) =>
          entry.name === name && Object.entries(dimensions).every(([k, v]) => entry.dimensions[k] === v),
      )
      .reduce((sum, entry) => sum + entry.value, 0);
  }
}

/** Errors written as the Powertools Logger writes them: name, message, cause (not `{}`). */
const withErrors = (_key: string, value: unknown): unknown =>
  value instanceof Error ? { name: value.name, message: value.message, cause: value.cause } : value;

export class RecordingLogger {
  readonly lines: { level: string; message: string; extra: unknown }[] = [];
  /** The Lambda contexts handed to the logger, one per invocation. */
  readonly contexts: { awsRequestId: string }[] = [];
  addContext = (context: { awsRequestId: string }) => void this.contexts.push(context);
  info = (message: string, extra?: Record<string, unknown>) =>
    void this.lines.push({ level: 'info', message, extra });
  warn = (message: string, extra?: Record<string, unknown>) =>
    void this.lines.push({ level: 'warn', message, extra });
  error = (message: string, extra?: Record<string, unknown>) =>
    void this.lines.push({ level: 'error', message, extra });
  text(): string {
    return this.lines.map((line) => JSON.stringify(line, withErrors)).join('\n');
  }
}

let sequence = 0;

/** An API Gateway REST proxy event as API Gateway builds it for a 百应 POST. */
export const apiEvent = (
  body: string,
  options: {
    route?: string;
    contentType?: string;
    base64?: boolean;
    requestId?: string;
    receivedAt?: number;
  } = {},
): APIGatewayProxyEvent =>
  ({
    resource: options.route ?? '/callbacks/call',
    path: options.route ?? '/callbacks/call',
    httpMethod: 'POST',
    headers: { 'Content-Type': options.contentType ?? 'application/json;charset=utf-8' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
    requestContext: {
      requestId: options.requestId ?? `req-${process.pid}-${++sequence}`,
      requestTimeEpoch: options.receivedAt ?? Date.now(),
      identity: { sourceIp: '120.55.46.3' },
    },
  }) as unknown as APIGatewayProxyEvent;
