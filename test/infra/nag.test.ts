/** cdk-nag (AwsSolutions + Serverless) runs at synth and fails it on any unacknowledged finding. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildApp } from '../../lib/build-app.js';

const outdir = () => mkdtempSync(join(tmpdir(), 'nag-'));

test('the stack synthesizes with both packs and no unacknowledged finding', () => {
  const { app } = buildApp({ outdir: outdir() });
  expect(() => app.synth()).not.toThrow();
});

test('a non-compliant resource fails synth, with findings from both packs (they are really active)', () => {
  const { app, stack } = buildApp({ outdir: outdir() });
  new sqs.Queue(stack, 'Careless', { encryption: sqs.QueueEncryption.UNENCRYPTED });
  expect(() => app.synth()).toThrow(/AwsSolutions-SQS2[\s\S]*Serverless-SQSRedrivePolicy/);
});

test('the e-mail subscription variant also passes', () => {
  const { app } = buildApp({
    outdir: outdir(),
    context: { alarmEmail: 'ops@example.com', allowAllIps: 'true' },
  });
  expect(() => app.synth()).not.toThrow();
});
