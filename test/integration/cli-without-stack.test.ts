/**
 * A new user's first mistake: running a `--local` command before `npm start`. Each CLI stops at
 * once with the socket error and what to do about it, instead of a bare ECONNREFUSED (records,
 * replay), a summary of failed queries that exits 0 (reconcile), or waiting out 百应's retry
 * schedule against nothing (simulate).
 */
import { freePort } from '../../local/ports.js';
import { ROOT, run } from '../support/stack-process.js';

const failed = async (args: string[]): Promise<{ code: unknown; stderr: string; ms: number }> => {
  const started = Date.now();
  try {
    await run('npm', ['run', '-s', ...args], { cwd: ROOT, timeout: 60_000 });
  } catch (error) {
    const { code, stderr } = error as { code: unknown; stderr: string };
    return { code, stderr, ms: Date.now() - started };
  }
  throw new Error(`npm run ${args.join(' ')} succeeded with nothing listening`);
};

test('records and replay -- --local with no local stack: exit 1, naming the port and `npm start`', async () => {
  const dynamo = await freePort();
  const aws = await freePort([dynamo]);
  const ports = ['--dynamo-port', String(dynamo), '--aws-port', String(aws)];
  const [records, replay] = await Promise.all([
    failed(['records', '--', '--local', ...ports, 'missing']),
    failed(['replay', '--', '--local', ...ports]),
  ]);
  expect(records.code).toBe(1);
  expect(records.stderr).toContain(`records: Error: connect ECONNREFUSED 127.0.0.1:${dynamo}`);
  expect(records.stderr).toContain(
    `records: nothing answers on 127.0.0.1:${dynamo}: is the local stack running?`,
  );
  expect(replay.code).toBe(1);
  expect(replay.stderr).toContain(`replay: nothing answers on 127.0.0.1:${aws}`);
  expect(replay.stderr).toContain('`npm start`');
});

test('reconcile -- --local with no local stack exits 1 instead of a summary of failed queries', async () => {
  const dynamo = await freePort();
  const aws = await freePort([dynamo]);
  const byrobot = await freePort([dynamo, aws]);
  const flags = [
    '--dynamo-port',
    String(dynamo),
    '--aws-port',
    String(aws),
    '--byrobot-port',
    String(byrobot),
  ];
  const result = await failed(['reconcile', '--', '--local', ...flags]);
  expect(result.code).toBe(1);
  // The fake 百应 is checked first: it is what every query of the run needs.
  expect(result.stderr).toContain(`reconcile: nothing answers on 127.0.0.1:${byrobot}`);
  expect(result.stderr).toContain('--byrobot-port');
  expect(result.stderr).not.toContain('listing failed deliveries failed');
});

test('simulate with nothing at its URL stops at once rather than retrying for hours', async () => {
  const api = await freePort();
  const result = await failed(['simulate', '--', '--url', `http://127.0.0.1:${api}`, '--count', '2']);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`simulate: nothing answers on 127.0.0.1:${api}`);
  expect(result.stderr).toContain('(or pass --url if it listens elsewhere)');
  // At --time-scale 1 the first retry alone would wait 10 s.
  expect(result.ms).toBeLessThan(10_000);
});
