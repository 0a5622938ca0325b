/** `npm run bench`: every measure, each printed as a ratio against a baseline measured in the same run. */
import { runColdStart } from './cold-start.js';
import { runConsumeThroughput } from './consume-throughput.js';
import { costTable, measureNormalizeMicros } from './cost.js';
import { runEndToEnd } from './end-to-end.js';
import { runEventsBench } from './events.js';
import { runIngestOverhead } from './ingest-overhead.js';
import { measureCallbackLogBytes } from './log-volume.js';
import { runRecordingsBench } from './recordings.js';
import { ratioLine } from './stats.js';

const section = (title: string) => console.log(`\n== ${title}`);

section('1. ingest overhead');
const ingest = await runIngestOverhead();
for (const figure of ingest) console.log(ratioLine(figure));

section('2. consume throughput and write units');
const consume = await runConsumeThroughput();
for (const figure of consume.figures) console.log(ratioLine(figure));
console.log(
  `write units per callback: ours ${consume.unitsPerCallback.toFixed(2)} vs raw PutItem ${consume.rawUnitsPerCallback.toFixed(2)} ` +
    `(${(consume.unitsPerCallback / consume.rawUnitsPerCallback).toFixed(2)}×); average item ${(consume.averageItemBytes / 1024).toFixed(1)} KB`,
);

section('3. cold start footprint');
const cold = await runColdStart();
for (const figure of cold.figures) console.log(ratioLine(figure));
console.log(
  `bundle sizes (KB): ${Object.entries(cold.sizes)
    .map(([name, kb]) => `${name} ${kb.toFixed(0)}`)
    .join(', ')}`,
);

section('4. end to end');
const e2e = await runEndToEnd();
console.log(ratioLine(e2e.figure));
console.log(`ack latency p50 ${e2e.p50.toFixed(1)} ms, p99 ${e2e.p99.toFixed(1)} ms`);

section('5. cost per million callbacks');
const normalizeMicros = measureNormalizeMicros();
const logBytes = await measureCallbackLogBytes();
for (const row of costTable({ ingestMicros: ingest[1]?.ours ?? 0, normalizeMicros, logBytes }))
  console.log(row);

section('6. recordings');
const recordings = await runRecordingsBench();
console.log(ratioLine(recordings.figure));
for (const row of recordings.costRows) console.log(row);

section('7. domain events');
const domainEvents = await runEventsBench();
console.log(ratioLine(domainEvents.figure));
for (const row of domainEvents.rows) console.log(row);
