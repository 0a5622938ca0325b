/**
 * Measure 3 — cold-start footprint: each handler bundled the way the stack bundles it (esbuild,
 * ESM, minified, the default runtime's target, AWS SDK included) and its import time in a fresh Node process,
 * against the floor handler bundled the same way in the same run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLING, bundlingTargetOf } from '../lib/bundling.js';
import { LAMBDA_RUNTIMES } from '../lib/config.js';
import { alternate, type Figure } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const bundle = async (entry: string, outdir: string, external: readonly string[]): Promise<string> => {
  const outfile = join(outdir, `${entry.replaceAll('/', '-')}.mjs`);
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: bundlingTargetOf(LAMBDA_RUNTIMES[0]),
    minify: true,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    external: [...external],
    logLevel: 'silent',
  });
  return outfile;
};

/** Wall time of `import()` of the bundle in a fresh process (ms). */
const importTime = (file: string): number => {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t));`;
  const env = {
    ...process.env,
    QUEUE_URL: 'q',
    BUCKET_NAME: 'b',
    CALLS_TABLE: 'c',
    JOBS_TABLE: 'j',
    BYROBOT_SECRET_ID: 's',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env }).toString());
};

export const runColdStart = async (): Promise<{ figures: Figure[]; sizes: Record<string, number> }> => {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  const floor = await bundle('bench/floor-handler.ts', outdir, []);
  const handlers = Object.fromEntries(
    await Promise.all(
      Object.entries(BUNDLING.externalByHandler).map(
        async ([name, external]) => [name, await bundle(`functions/${name}.ts`, outdir, external)] as const,
      ),
    ),
  );
  const size = (file: string) => statSync(file).size / 1024;
  const rounds = Number(process.env.BENCH_ROUNDS ?? 21);
  const imports = await alternate(
    rounds,
    () => importTime(handlers.ingest as string),
    () => importTime(floor),
    2,
  );
  const sizes = Object.fromEntries([
    ['floor', size(floor)],
    ...Object.entries(handlers).map(([name, file]) => [name, size(file)]),
  ]);
  return {
    sizes,
    figures: [
      {
        name: 'ingest bundle size',
        ours: [size(handlers.ingest as string)],
        baseline: [size(floor)],
        unit: 'KB',
        target: { kind: 'max', ratio: 1.5 },
      },
      {
        name: 'ingest import time (fresh process)',
        ...imports,
        unit: 'ms',
        target: { kind: 'max', ratio: 1.3 },
      },
    ],
  };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ratioLine } = await import('./stats.js');
  const { figures, sizes } = await runColdStart();
  for (const figure of figures) console.log(ratioLine(figure));
  console.log(
    `bundle sizes (KB): ${Object.entries(sizes)
      .map(([name, kb]) => `${name} ${kb.toFixed(0)}`)
      .join(', ')}`,
  );
}
