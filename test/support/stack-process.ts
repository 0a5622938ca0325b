/**
 * `npm start` as a child process, the way a new user runs it, and the `--local` CLIs against it:
 * shared by the local-stack tests.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from '../../local/ports.js';

export const run = promisify(execFile);
export const ROOT = new URL('../..', import.meta.url).pathname;

export interface StackPorts {
  readonly api: number;
  readonly dynamo: number;
  readonly aws: number;
  readonly byrobot: number;
}

export const freeStackPorts = async (): Promise<StackPorts> => ({
  api: await freePort(),
  dynamo: await freePort(),
  aws: await freePort(),
  byrobot: await freePort(),
});

export const portFlagsOf = (ports: StackPorts): string[] => [
  '--dynamo-port',
  String(ports.dynamo),
  '--aws-port',
  String(ports.aws),
  '--byrobot-port',
  String(ports.byrobot),
];

/** `npm start` in its own process group, so the whole tree (npm, sh, node, Java) can be signalled at once. */
export const spawnStack = (
  ports: StackPorts,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
): ChildProcess =>
  spawn('npm', ['start', '--', '--port', String(ports.api), ...portFlagsOf(ports), ...extra], {
    cwd: ROOT,
    env: { ...process.env, CI: '', ...env },
    stdio: 'pipe',
    detached: true,
  });

export const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/**
 * Signals the whole group, as Ctrl-C does, and resolves once every process holding the output
 * pipe is gone ('close', not 'exit': npm may exit before the stack finishes stopping).
 */
export const stopGroup = async (
  child: ChildProcess,
): Promise<{ code: number | null; signal: string | null }> => {
  const closed = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  if (!running(child)) return { code: child.exitCode, signal: child.signalCode };
  if (child.pid) process.kill(-child.pid, 'SIGTERM');
  return closed;
};

/** `npm run records -- --local …` against the stack on `ports`, its JSON output parsed. */
export const recordsCli = async (ports: StackPorts, ...args: string[]): Promise<unknown> => {
  const { stdout } = await run(
    'npm',
    ['run', '-s', 'records', '--', '--local', ...portFlagsOf(ports).slice(0, 4), ...args],
    // Oversized calls print megabytes of JSON.
    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout);
};

export const waitFor = async <T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

/** Starts the stack and waits for its `ready` line; `output` collects everything it prints. */
export const startStackProcess = async (
  ports: StackPorts,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
  readyWithinMs = 20_000,
): Promise<{ child: ChildProcess; output: () => string; url: string }> => {
  let output = '';
  const child = spawnStack(ports, extra, env);
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(
    async () => (output.includes('ready') ? true : undefined),
    readyWithinMs,
    `"ready" (output so far: ${output})`,
  );
  return { child, output: () => output, url: `http://127.0.0.1:${ports.api}` };
};
