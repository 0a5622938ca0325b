/**
 * Jest configuration: four projects that share one base (the SWC transform for TypeScript ESM,
 * `.js` import specifiers mapped to their sources, the environment set-up). Kept under test/
 * because the repository's top level is fixed; `npm run jest` points at it.
 */
import { fileURLToPath } from 'node:url';

/** The repository root, absolute: projects resolve a relative rootDir against the top one. */
const rootDir = fileURLToPath(new URL('..', import.meta.url));

const base = {
  rootDir,
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
};

/** One project per folder of test/: unit, integration (emulators), infra (synth), reliability. */
const project = (name) => ({
  ...base,
  displayName: name,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
});

export default {
  rootDir,
  projects: ['unit', 'integration', 'infra', 'reliability'].map(project),
  collectCoverageFrom: ['functions/**/*.ts'],
  coverageReporters: ['text-summary', 'text', 'lcov'],
  coverageThreshold: { './functions/commons/contract/': { lines: 95 } },
  testTimeout: 120000,
};
