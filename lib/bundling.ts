/**
 * How the functions are bundled — shared by the stack and the cold-start benchmark, so the
 * benchmark measures exactly what is deployed.
 *
 * The AWS SDK clients on each hot path are bundled (a pinned, tested version). Clients only a rare
 * path needs are left to the Lambda runtime's own SDK and loaded on first use: ingest's S3 client
 * (claim checks for bodies over 1 MB) and Secrets Manager client (only with signature checks).
 */
export const BUNDLING = {
  // The esbuild target follows the chosen Lambda runtime (bundlingTargetOf below).
  mainFields: ['module', 'main'],
  // Some dependencies still call require(); give the ESM bundle one.
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  externalByHandler: {
    ingest: ['@aws-sdk/client-s3', '@aws-sdk/client-secrets-manager'],
    consume: [],
    reconcile: [],
    recordings: [],
    events: [],
  } as Readonly<Record<string, readonly string[]>>,
} as const;

/** esbuild's target for a Lambda runtime: `nodejs22.x` → `node22`. */
export const bundlingTargetOf = (runtime: string): string =>
  `node${runtime.replace(/^nodejs(\d+)\.x$/, '$1')}`;
