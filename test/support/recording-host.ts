/**
 * A recording host on 127.0.0.1 for tests: serves the generated files of local/fake-recordings
 * and can be told to answer a status, drop the connection, omit Content-Length (chunked), lie
 * about the length, redirect, answer late, send another Content-Type, stall mid-body, or go down
 * and come back on the same port.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_RECORDING_BYTES, recordingStream } from '../../local/fake-recordings.js';

export interface Behaviour {
  /** Answer this status instead of the file. */
  readonly status?: number;
  /** Redirect (302) to this URL. */
  readonly redirect?: string;
  /** Send the file without Content-Length (chunked). */
  readonly chunked?: boolean;
  /** Declare this Content-Length (may lie). */
  readonly declaredBytes?: number;
  /** Close the connection halfway through the body. */
  readonly dropHalfway?: boolean;
  /** Answer only after this many milliseconds. */
  readonly delayMs?: number;
  /** Send this Content-Type instead of audio/wav. */
  readonly contentType?: string;
  /** Send the headers and the first chunk, then nothing more (until the client gives up). */
  readonly stall?: boolean;
}

export class RecordingHost {
  private server: Server | undefined;
  port = 0;
  /** Requests per path. */
  readonly hits = new Map<string, number>();
  private readonly behaviours = new Map<string, { behaviour: Behaviour; times: number }>();

  /** `path` answers with `behaviour` the next `times` requests (Infinity: always). */
  on(path: string, behaviour: Behaviour, times = Number.POSITIVE_INFINITY): void {
    this.behaviours.set(path, { behaviour, times });
  }

  url(path: string, bytes?: number): string {
    return `http://127.0.0.1:${this.port}${path}${bytes === undefined ? '' : `?bytes=${bytes}`}`;
  }

  async start(port = 0): Promise<void> {
    this.server = createServer((request, response) => this.handle(request.url ?? '/', response));
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Down: nothing listens on the port (connections are refused) until `start(port)` again. */
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  private handle(raw: string, response: ServerResponse): void {
    const url = new URL(raw, 'http://127.0.0.1');
    this.hits.set(url.pathname, (this.hits.get(url.pathname) ?? 0) + 1);
    const bytes = Number(url.searchParams.get('bytes') ?? DEFAULT_RECORDING_BYTES);
    const entry = this.behaviours.get(url.pathname);
    const behaviour = entry && entry.times > 0 ? entry.behaviour : {};
    if (entry && entry.times > 0) entry.times -= 1;
    if (behaviour.delayMs) {
      setTimeout(() => this.answer(url, bytes, behaviour, response), behaviour.delayMs);
      return;
    }
    this.answer(url, bytes, behaviour, response);
  }

  private answer(url: URL, bytes: number, behaviour: Behaviour, response: ServerResponse): void {
    if (behaviour.status) {
      response.writeHead(behaviour.status, { 'content-type': 'text/plain' });
      response.end('no');
      return;
    }
    if (behaviour.redirect) {
      response.writeHead(302, { location: behaviour.redirect });
      response.end();
      return;
    }
    response.writeHead(200, {
      'content-type': behaviour.contentType ?? 'audio/wav',
      ...(behaviour.chunked ? {} : { 'content-length': String(behaviour.declaredBytes ?? bytes) }),
    });
    const body = recordingStream(url.pathname.slice(1), bytes);
    if (behaviour.stall) {
      body.once('data', (chunk: Buffer) => {
        body.destroy();
        response.write(chunk);
      });
      return;
    }
    if (behaviour.dropHalfway) {
      let sent = 0;
      body.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        response.write(chunk);
        if (sent >= bytes / 2) {
          body.destroy();
          response.socket?.destroy();
        }
      });
      return;
    }
    body.pipe(response);
  }
}
