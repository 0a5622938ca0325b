/**
 * `npm run simulate -- [--url URL] [--count N] [--concurrency N] [--seed N] [--duplicates 0.2]
 *   [--shuffle] [--drop 0.05] [--time-scale 0.001] [--byrobot-url URL] [--platform classic|open]
 *   [--recording-base URL]
 *   [--max-deliveries N] [--json]`
 *
 * `--platform open` plays 百应's open platform: its envelope (`callbackType`, `callInstance`) and
 * its shorter retry schedule (16 deliveries over about 4 h 42 min); against the local stack every
 * generated call is also registered with the fake 百应, which lists it as the open platform would
 * (so `npm run reconcile -- --local` finds the dropped ones).
 *
 * 百应 as a delivery client, against the local stack by default or, after `cdk deploy`, against
 * the deployed API as a smoke test (`--url https://…/v1`).
 */
import { parseArgs } from 'node:util';
import type { Platform } from '../../functions/commons/contract/types.js';
import { LOCAL_PORTS } from '../local-config.js';
import { LOOPBACK } from '../ports.js';
import { SCHEDULES } from '../simulator/schedule.js';
import { runSimulation } from '../simulator/simulate.js';
import { expectListening, failureMessage } from './failure.js';
import { bar } from './progress.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: `http://${LOOPBACK}:${LOCAL_PORTS.api}` },
    count: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '16' },
    seed: { type: 'string', default: '1' },
    duplicates: { type: 'string', default: '0' },
    shuffle: { type: 'boolean', default: false },
    drop: { type: 'string', default: '0' },
    'time-scale': { type: 'string', default: '1' },
    'max-deliveries': { type: 'string' },
    platform: { type: 'string', default: 'classic' },
    'byrobot-url': { type: 'string' },
    'recording-base': { type: 'string' },
    company: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
  },
});

const number = (name: string, value: string, min: number, max: number): number => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max)
    throw new Error(`--${name} must be a number from ${min} to ${max}`);
  return parsed;
};

const platformOf = (value: string): Platform => {
  if (value !== 'classic' && value !== 'open') throw new Error('--platform must be classic or open');
  return value;
};

/**
 * Against the local stack, recording links point at the local fake 百应, which serves generated
 * files there (archived when `npm start` was given `--recording-hosts 127.0.0.1`); against a
 * deployed API they look like 百应's OSS links. `--recording-base` sets it explicitly.
 */
const recordingBaseOf = (target: string, flag: string | undefined): { recordingBase?: string } => {
  if (flag) return { recordingBase: flag };
  const host = new URL(target).hostname;
  return host === LOOPBACK || host === 'localhost'
    ? { recordingBase: `http://${LOOPBACK}:${LOCAL_PORTS.byrobot}/recordings` }
    : {};
};

/**
 * Where to tell the fake 百应 what it would know: `--byrobot-url`, or, for the open platform
 * against the local stack, the fake that `npm start` runs (it lists every call it generated).
 * That default is only a guess: when nothing answers there the run goes on and says what the
 * open-platform reconciler will not see; an explicit `--byrobot-url` that refuses is an error.
 */
const byrobotUrlOf = async (
  target: string,
  flag: string | undefined,
  platform: Platform,
): Promise<{ byrobotUrl?: string }> => {
  if (flag) {
    await expectListening(flag);
    return { byrobotUrl: flag };
  }
  const host = new URL(target).hostname;
  if (platform !== 'open' || (host !== LOOPBACK && host !== 'localhost')) return {};
  const guess = `http://${LOOPBACK}:${LOCAL_PORTS.byrobot}`;
  try {
    await expectListening(guess);
    return { byrobotUrl: guess };
  } catch {
    process.stderr.write(
      `simulate: no fake 百应 answers on ${guess}, so the open-platform reconciler will not list these calls (pass --byrobot-url to name it)\n`,
    );
    return {};
  }
};

const main = async (): Promise<void> => {
  const platform = platformOf(values.platform);
  // Played against nothing, 百应's schedule would retry for hours (`--time-scale 1`): say so at once.
  await expectListening(values.url);
  const tty = process.stderr.isTTY && !values.json;
  const summary = await runSimulation({
    url: values.url,
    count: number('count', values.count, 1, 1_000_000),
    concurrency: number('concurrency', values.concurrency, 1, 1_000),
    seed: number('seed', values.seed, 0, 2 ** 31),
    duplicates: number('duplicates', values.duplicates, 0, 1),
    shuffle: values.shuffle,
    drop: number('drop', values.drop, 0, 1),
    timeScale: number('time-scale', values['time-scale'], 0, 1),
    platform,
    ...(values['max-deliveries'] === undefined
      ? {}
      : {
          maxDeliveries: number(
            'max-deliveries',
            values['max-deliveries'],
            1,
            SCHEDULES[platform].maxDeliveries,
          ),
        }),
    ...(await byrobotUrlOf(values.url, values['byrobot-url'], platform)),
    ...recordingBaseOf(values.url, values['recording-base']),
    companyId: values.company,
    ...(tty
      ? {
          onProgress: (p) =>
            process.stderr.write(
              `\r${bar(p.done, p.total)} ${p.done}/${p.total} delivered, ${p.acked} acked, ${p.retrying} waiting to retry  `,
            ),
        }
      : {}),
  });
  if (tty) process.stderr.write('\n');
  const { ackedByKey: _acked, dropped: _dropped, phones: _phones, ...printable } = summary;
  if (values.json) {
    console.log(JSON.stringify(printable));
    return;
  }
  const rate = summary.ackedPerSecond.toFixed(1);
  console.log(
    `callbacks   ${summary.callbacks} (${Object.entries(summary.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')})`,
  );
  console.log(
    `sent        ${summary.sent} requests (${summary.duplicatesSent} duplicates, ${summary.droppedCount} dropped on purpose)`,
  );
  console.log(`acked       ${summary.acked}   retried ${summary.retried}   given up ${summary.givenUp}`);
  console.log(
    `latency     p50 ${summary.latencyMs.p50.toFixed(1)} ms   p95 ${summary.latencyMs.p95.toFixed(1)} ms   p99 ${summary.latencyMs.p99.toFixed(1)} ms`,
  );
  console.log(`throughput  ${rate} acked/s over ${(summary.durationMs / 1000).toFixed(1)} s`);
  if (summary.givenUp > 0) process.exitCode = 1;
};

main().catch((error: unknown) => {
  console.error(failureMessage('simulate', error, '--url'));
  process.exit(1);
});
