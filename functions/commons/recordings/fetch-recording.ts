/**
 * Opens a recording URL for streaming, under the host policy: every hop of a redirect is checked
 * again, the connection only goes to public addresses (unless the host is exempt), the declared
 * size is checked against the cap before any byte is read, and the whole download has a deadline.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkUrl, type HostPolicy, isExempt, publicOnlyLookup, RefusedUrlError } from './host-policy.js';

/** The link answered an HTTP error status. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(readonly status: number) {
    super(`the recording link answered HTTP ${status}`);
  }
}

export interface OpenedRecording {
  readonly response: IncomingMessage;
  readonly contentType: string | undefined;
  /** From Content-Length, when the server sent one. */
  readonly declaredBytes: number | undefined;
  /** Where the bytes came from after redirects. */
  readonly url: URL;
  /** Stops the download (deadline, or the caller gave up). */
  abort(reason: Error): void;
}

export interface FetchLimits {
  readonly maxBytes: number;
  /** The whole download, from the first request to the last byte. */
  readonly timeoutMs: number;
  readonly maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const get = (url: URL, policy: HostPolicy, signal: AbortSignal): Promise<IncomingMessage> =>
  new Promise((resolve, reject) => {
    const exempt = isExempt(policy, url);
    const request = (url.protocol === 'http:' ? httpRequest : httpsRequest)(
      url,
      {
        method: 'GET',
        signal,
        headers: { 'user-agent': 'byrobot-callbacks-recordings', accept: 'audio/*, */*' },
        ...(exempt ? {} : { lookup: publicOnlyLookup }),
      },
      resolve,
    );
    request.on('error', reject);
    request.end();
  });

export const openRecording = async (
  text: string,
  policy: HostPolicy,
  limits: FetchLimits,
): Promise<OpenedRecording> => {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`the download took longer than ${limits.timeoutMs} ms`)),
    limits.timeoutMs,
  );
  timer.unref();
  const fail = (error: unknown): never => {
    clearTimeout(timer);
    // A refused address surfaces from the lookup inside the request; keep its own type.
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof RefusedUrlError) throw cause;
    throw error;
  };
  try {
    let url = checkUrl(policy, text);
    for (let hop = 0; ; hop += 1) {
      const response = await get(url, policy, controller.signal);
      const status = response.statusCode ?? 0;
      if (REDIRECTS.has(status) && response.headers.location) {
        response.resume();
        if (hop >= (limits.maxRedirects ?? 5)) throw new RefusedUrlError('too many redirects');
        url = checkUrl(policy, new URL(response.headers.location, url).toString());
        continue;
      }
      if (status < 200 || status > 299) {
        response.resume();
        throw new HttpStatusError(status);
      }
      const length = response.headers['content-length'];
      const declaredBytes = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
      if (declaredBytes !== undefined && declaredBytes > limits.maxBytes) {
        response.destroy();
        throw new RefusedUrlError(
          `the recording is ${declaredBytes} bytes, over the cap of ${limits.maxBytes}`,
        );
      }
      response.once('close', () => clearTimeout(timer));
      return {
        response,
        contentType: response.headers['content-type']?.split(';')[0]?.trim() || undefined,
        declaredBytes,
        url,
        abort: (reason) => controller.abort(reason),
      };
    }
  } catch (error) {
    return fail(error);
  }
};
