/** The HTTP side of ingest: reading API Gateway proxy events and the replies 百应 understands. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { charsetOf } from '../charset.js';

/** 百应 treats a delivery as done only when the body is exactly `success`. */
export const SUCCESS_BODY = 'success';

export const headerOf = (event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined => {
  const headers = event.headers;
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  // The spelling most clients send first; then any other case (header names are case-insensitive).
  const exact = headers[wanted];
  if (exact !== undefined) return exact;
  for (const key in headers) {
    const value = headers[key];
    if (value !== undefined && key.toLowerCase() === wanted) return value;
  }
  return undefined;
};

export type DecodedBody = { ok: true; text: string } | { ok: false; reason: string };

/**
 * The body as text. API Gateway hands binary-typed bodies over base64-encoded; those are decoded
 * with the declared charset (百应's private cloud sends `text/plain;charset=utf-8`; any charset
 * Node's ICU knows is accepted).
 */
export const decodeBody = (
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>,
  contentType: string | undefined,
): DecodedBody => {
  if (event.body === null || event.body === undefined) return { ok: true, text: '' };
  if (!event.isBase64Encoded) return { ok: true, text: event.body };
  const bytes = Buffer.from(event.body, 'base64');
  const charset = charsetOf(contentType);
  try {
    return { ok: true, text: new TextDecoder(charset, { fatal: true }).decode(bytes) };
  } catch (error) {
    const reason =
      error instanceof RangeError ? `unsupported charset ${charset}` : `body is not valid ${charset}`;
    return { ok: false, reason };
  }
};

const reply = (statusCode: number, contentType: string, body: string): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': contentType, 'cache-control': 'no-store' },
  body,
});

export const replySuccess = (): APIGatewayProxyResult =>
  reply(200, 'text/plain; charset=utf-8', SUCCESS_BODY);

export const replyError = (statusCode: number, error: string, message: string): APIGatewayProxyResult =>
  reply(statusCode, 'application/json; charset=utf-8', JSON.stringify({ error, message }));
