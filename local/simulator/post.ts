/**
 * The simulator's HTTP client: a POST through node:http with a keep-alive agent. fetch (undici)
 * spent more CPU per request than the handler it calls (WHATWG streams and headers per request),
 * and the simulator shares the machine with the stack it measures.
 */
import { Agent, request } from 'node:http';

export interface Poster {
  /** POSTs `body` and resolves with the status and the response body as text; rejects on a network error or timeout. */
  post(url: string, body: string, contentType: string): Promise<{ status: number; text: string }>;
  close(): void;
}

export const createPoster = (options: { maxSockets: number; timeoutMs: number }): Poster => {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
  return {
    post: (url, body, contentType) =>
      new Promise((resolve, reject) => {
        const outgoing = request(
          url,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
            timeout: options.timeoutMs,
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
            );
            response.on('error', reject);
          },
        );
        outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
        outgoing.on('error', reject);
        outgoing.end(body);
      }),
    close: () => agent.destroy(),
  };
};
