import { connect, createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describeError } from '../../../functions/commons/errors.js';
import { expectListening, failureMessage } from '../../../local/cli/failure.js';
import { freePort } from '../../../local/ports.js';

/** The error the SDK really throws when nothing listens on a loopback port. */
const refusedBySdk = async (port: number): Promise<unknown> => {
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  try {
    await client.send(new ListTablesCommand({}));
    throw new Error('expected the connection to be refused');
  } catch (error) {
    return error;
  } finally {
    client.destroy();
  }
};

test('a refused connection to the local stack says to start it, naming the address', async () => {
  const port = await freePort();
  const error = await refusedBySdk(port);
  const message = failureMessage('records', error);
  const [first, hint] = message.split('\n');
  // The error itself is still there, unchanged.
  expect(first).toBe(`records: ${describeError(error)}`);
  expect(first).toContain('ECONNREFUSED');
  expect(hint).toContain(`nothing answers on 127.0.0.1:${port}`);
  expect(hint).toContain('`npm start`');
  expect(hint).toContain('--dynamo-port / --aws-port');
  expect(failureMessage('simulate', error, '--url')).toContain('(or pass --url if it listens elsewhere)');
});

test("Node's own socket error (what the CLIs see outside jest) is read by its fields", async () => {
  const port = await freePort();
  const error = await new Promise<unknown>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(new Error('expected a refusal')));
    socket.once('error', resolve);
  });
  expect(error).toMatchObject({ code: 'ECONNREFUSED', address: '127.0.0.1', port });
  // Reworded, so only the fields can name the address.
  (error as Error).message = 'refused';
  expect(failureMessage('simulate', error, '--url')).toBe(
    `simulate: Error: refused\nsimulate: nothing answers on 127.0.0.1:${port}: is the local stack running? Start it with \`npm start\` in another terminal (or pass --url if it listens elsewhere).`,
  );
});

test('the refusal is found inside causes and the per-address errors of an AggregateError', () => {
  const v6 = Object.assign(new Error('connect ECONNREFUSED ::1:8000'), {
    code: 'ECONNREFUSED',
    address: '::1',
    port: 8000,
  });
  const tried = Object.assign(new AggregateError([new Error('other'), v6], ''), { code: 'ECONNREFUSED' });
  const wrapped = new Error('listing failed', { cause: tried });
  expect(failureMessage('replay', wrapped).split('\n')[1]).toContain('nothing answers on [::1]:8000');
});

test('other errors, and refusals by remote hosts, are printed as they are', () => {
  const remote = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:443'), {
    code: 'ECONNREFUSED',
    address: '10.0.0.5',
    port: 443,
  });
  expect(failureMessage('records', remote)).toBe(`records: ${describeError(remote)}`);
  const denied = Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
  expect(failureMessage('records', denied)).toBe('records: AccessDeniedException: User is not authorized');
  // A cycle of causes ends both the search and the line.
  const looped: { message: string; cause?: unknown } = new Error('loop');
  looped.cause = looped;
  expect(failureMessage('events', looped)).toBe(`events: ${Array(9).fill('Error: loop').join(' ← ')}`);
});

test('expectListening: resolves for a listening port, rejects with the refusal for a closed one', async () => {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    await expect(expectListening(`http://127.0.0.1:${port}/v1`)).resolves.toBeUndefined();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  const closed = await freePort([port]);
  const refused = await expectListening(`http://127.0.0.1:${closed}`).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failureMessage('simulate', refused, '--url')).toContain(`nothing answers on 127.0.0.1:${closed}`);
});
