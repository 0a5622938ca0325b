/** The local stack explains what is wrong before it tries to start. */
import { createServer } from 'node:net';
import { assertJava, JavaMissingError } from '../../../local/emulators.js';
import { assertPortFree, freePort, PortInUseError } from '../../../local/ports.js';

test('no java on PATH → a JavaMissingError that says what to install', () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    expect(() => assertJava()).toThrow(JavaMissingError);
    expect(() => assertJava()).toThrow(/DynamoDB Local needs Java 17 or newer.*openjdk-17-jre-headless/);
  } finally {
    process.env.PATH = path;
  }
  expect(() => assertJava()).not.toThrow();
});

test('a port in use → a PortInUseError naming the port and what wanted it', async () => {
  const port = await freePort();
  const server = createServer().listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    await expect(assertPortFree(port, 'the local API')).rejects.toThrow(PortInUseError);
    await expect(assertPortFree(port, 'the local API')).rejects.toThrow(
      `port ${port} on 127.0.0.1 is already in use (wanted for the local API)`,
    );
  } finally {
    server.close();
  }
  await expect(assertPortFree(port, 'the local API')).resolves.toBeUndefined();
});
