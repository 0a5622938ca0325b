/**
 * The line a CLI prints when it stops on an error. A refused connection to this machine almost
 * always means the local stack is not running (or runs on other ports): the bare socket error
 * (`connect ECONNREFUSED 127.0.0.1:8000`) does not say so, so the line says what to do.
 */
import { connect } from 'node:net';
import { describeError } from '../../functions/commons/errors.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

interface SocketError {
  readonly code?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
}

/**
 * Node's own text for it. Read as well as the fields: an SDK that does not recognise an error as
 * one (made in another realm) rewraps it, keeping only this text in its message.
 */
const REFUSED_TEXT = /ECONNREFUSED (127\.0\.0\.1|::1|localhost):(\d+)/;

const hostPort = (address: string, port: unknown): string => {
  const host = address.includes(':') ? `[${address}]` : address;
  return port === undefined || port === '' ? host : `${host}:${port}`;
};

/** The first refused connection to a loopback address in the error, its causes or its parts. */
const refusedLoopback = (error: unknown, depth = 0): string | undefined => {
  if (typeof error !== 'object' || error === null || depth > 8) return undefined;
  const { code, address, port, message, cause, errors } = error as SocketError;
  if (code === 'ECONNREFUSED' && typeof address === 'string' && LOOPBACK_HOSTS.has(address)) {
    return hostPort(address, port);
  }
  const text = typeof message === 'string' ? REFUSED_TEXT.exec(message) : null;
  if (text) return hostPort(text[1] as string, text[2]);
  // Node reports each address it tried (IPv4, IPv6) inside one AggregateError.
  for (const part of Array.isArray(errors) ? errors : []) {
    const found = refusedLoopback(part, depth + 1);
    if (found) return found;
  }
  return refusedLoopback(cause, depth + 1);
};

/**
 * `<tool>: <the error>`, and a hint when nothing listens where the local stack should; `flags`
 * names how this tool is pointed at other ports.
 */
export const failureMessage = (
  tool: string,
  error: unknown,
  flags = '--dynamo-port / --aws-port',
): string => {
  const line = `${tool}: ${describeError(error)}`;
  const where = refusedLoopback(error);
  if (!where) return line;
  return `${line}\n${tool}: nothing answers on ${where}: is the local stack running? Start it with \`npm start\` in another terminal (or pass ${flags} if it listens elsewhere).`;
};

/**
 * Rejects with the socket's error when `url` is on this machine and refuses connections; resolves
 * otherwise (a remote URL is not probed, and a slow answer is not a refusal). For commands that
 * would otherwise carry on against nothing: the simulator retrying on 百应's schedule, the
 * reconciler counting every 百应 query as failed and exiting 0.
 */
export const expectListening = async (url: string): Promise<void> => {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!LOOPBACK_HOSTS.has(host)) return;
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port, timeout: 2000 });
    const done = () => {
      socket.destroy();
      resolve();
    };
    socket.once('connect', done);
    socket.once('timeout', done);
    socket.once('error', reject);
  });
};
