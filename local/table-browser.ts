/**
 * The npm package dynamodb-admin, served against DynamoDB Local: browse `calls` and `jobs` in a
 * browser as in the AWS console's item explorer. Loopback only. A busy port is a warning, never a
 * failed start: the stack works without it.
 */
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './emulators.js';
import { LOOPBACK } from './ports.js';

export interface TableBrowser {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts the browser on `port`; undefined (with `warn` told why) when it cannot listen there. */
export const startTableBrowser = async (
  dynamoEndpoint: string,
  port: number,
  warn: (message: string) => void,
): Promise<TableBrowser | undefined> => {
  // Loaded only when wanted: express and its views cost start-up time.
  const { createServer } = await import('dynamodb-admin');
  const client = new DynamoDBClient({
    endpoint: dynamoEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const app = createServer({ dynamoDbClient: client as never });
  try {
    const server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(port, LOOPBACK, () => resolve(listening));
      listening.once('error', reject);
    });
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    return {
      url: `http://${LOOPBACK}:${actual}`,
      async stop() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        client.destroy();
      },
    };
  } catch (error) {
    client.destroy();
    const code = (error as NodeJS.ErrnoException).code;
    warn(
      code === 'EADDRINUSE'
        ? `table browser not started: port ${port} is in use (--admin-port N, or --no-admin)`
        : `table browser not started: ${(error as Error).message}`,
    );
    return undefined;
  }
};
