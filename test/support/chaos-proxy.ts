/**
 * A TCP proxy on loopback that can be told to refuse connections for a while: an outage of the
 * service behind it, as the client sees it, without touching the service.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class ChaosProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  refusing = false;
  refused = 0;
  url = '';

  constructor(private readonly targetPort: number) {}

  async start(): Promise<string> {
    this.server = createServer((client) => {
      if (this.refusing) {
        this.refused++;
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server?.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this.url;
  }

  /** Refuses new connections and cuts open ones (keep-alive sockets would otherwise bypass the outage). */
  refuse(): void {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
  }

  accept(): void {
    this.refusing = false;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
  }
}
