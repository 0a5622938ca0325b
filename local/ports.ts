/** Loopback port helpers for the local stack and the tests. */
import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** A port the OS says is free right now on 127.0.0.1. */
const anyFreePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

/**
 * A port free right now, other than those in `avoid`: a port just handed out (and not yet
 * listened on) is free again, so the kernel may hand it out twice in a row.
 */
export const freePort = async (avoid: readonly number[] = []): Promise<number> => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await anyFreePort();
    if (!avoid.includes(port)) return port;
  }
  throw new Error(`no free port on ${LOOPBACK} outside ${avoid.join(', ')}`);
};

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly port: number,
    what: string,
  ) {
    super(
      `port ${port} on ${LOOPBACK} is already in use (wanted for ${what}); stop what holds it or choose another port`,
    );
  }
}

/** Fails with PortInUseError when something already listens on the port. */
export const assertPortFree = (port: number, what: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, what) : error),
    );
    server.listen(port, LOOPBACK, () => server.close(() => resolve()));
  });
