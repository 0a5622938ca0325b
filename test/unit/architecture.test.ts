/**
 * The dependency rules of DESIGN.md and the README's architecture, checked on the source: no
 * import cycles; the contract is pure (no SDK, no I/O); the CDK app reaches into the runtime code
 * only for plain definitions and text rules; ingest never loads the store or the normalizer.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const sourcesUnder = (folder: string): string[] =>
  readdirSync(join(ROOT, folder)).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourcesUnder(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });

const SOURCES = ['bin', 'lib', 'functions', 'local'].flatMap(sourcesUnder);

/** Every module a file imports or re-exports: repository paths for relative ones, package names otherwise. */
const importsOf = (file: string): string[] => {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/g)].map(
    (match) => match[1] as string,
  );
  const dynamic = [...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((match) => match[1] as string);
  return [...specifiers, ...dynamic].map((specifier) =>
    specifier.startsWith('.')
      ? relative(ROOT, resolve(ROOT, dirname(file), specifier.replace(/\.js$/, '.ts')))
      : specifier,
  );
};

const GRAPH = new Map(SOURCES.map((file) => [file, importsOf(file)]));

const reachableFrom = (start: string): Set<string> => {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of GRAPH.get(file) ?? []) if (GRAPH.has(next)) visit(next);
  };
  visit(start);
  return seen;
};

test('no import cycles', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of GRAPH.get(file) ?? []) {
      if (!GRAPH.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of GRAPH.keys()) if (!state.has(file)) visit(file);
  expect(cycles).toEqual([]);
});

test('the contract is pure: only its own modules, valibot, lossless-json and the plain helpers', () => {
  const allowed = new Set([
    'valibot',
    'lossless-json',
    'functions/commons/mask.ts',
    'functions/commons/errors.ts',
  ]);
  const outside = SOURCES.filter((file) => file.startsWith('functions/commons/contract/')).flatMap((file) =>
    (GRAPH.get(file) ?? [])
      .filter((target) => !target.startsWith('functions/commons/contract/') && !allowed.has(target))
      .map((target) => `${file} → ${target}`),
  );
  expect(outside).toEqual([]);
});

test('the CDK app reaches into the runtime code only for plain definitions and text rules', () => {
  const plain = new Set([
    'functions/commons/definitions.ts',
    'functions/commons/errors.ts',
    'functions/commons/company-list.ts',
    'functions/commons/recordings/host-list.ts',
    'functions/commons/byrobot/api-url.ts',
  ]);
  const reached = SOURCES.filter((file) => file.startsWith('lib/') || file.startsWith('bin/')).flatMap(
    (file) =>
      (GRAPH.get(file) ?? [])
        .filter((target) => target.startsWith('functions/') && !plain.has(target))
        .map((target) => `${file} → ${target}`),
  );
  expect(reached).toEqual([]);
  for (const file of plain) {
    expect((GRAPH.get(file) ?? []).filter((target) => !target.startsWith('node:'))).toEqual([]);
  }
});

test('ingest never loads the store, the normalizer or the record schemas', () => {
  const loaded = [...reachableFrom('functions/ingest.ts')];
  expect(loaded.filter((file) => file.startsWith('functions/commons/store/'))).toEqual([]);
  expect(
    loaded.filter((file) => /contract\/(read-callback|normalize|schemas|open-schemas)/.test(file)),
  ).toEqual([]);
});
