/**
 * `npm run reconcile -- --local [--company ID …]`: one reconciler run against the local stack
 * (its fake 百应 OpenAPI, DynamoDB Local and queue), with the same logic the scheduled function
 * runs. The deployed reconciler runs on its schedule; to run it now, invoke its function
 * (see README: Operations).
 */
import { parseArgs } from 'node:util';
import { ByrobotClient } from '../../functions/commons/byrobot/client.js';
import { queueEnqueuer } from '../../functions/commons/ingest/enqueue.js';
import { beijingWindow, runReconcileInTurn } from '../../functions/commons/reconcile/reconcile.js';
import { LOCAL_BYROBOT } from '../fake-byrobot.js';
import { LOCAL_FLAGS, localEndpoints } from '../local-config.js';
import { LOOPBACK } from '../ports.js';
import { localS3Config } from '../resources.js';
import { expectListening, failureMessage } from './failure.js';
import { resolveTargets } from './targets.js';

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      ...LOCAL_FLAGS,
      company: { type: 'string', multiple: true },
      'look-back-days': { type: 'string', default: '2' },
      now: { type: 'string' },
    },
  });
  // `--now <ISO-8601 instant>`: query the window as it would be then (requests are still signed now).
  const windowAt = values.now === undefined ? undefined : Date.parse(values.now);
  if (windowAt !== undefined && (Number.isNaN(windowAt) || !/(Z|[+-]\d{2}:?\d{2})$/.test(values.now ?? ''))) {
    throw new Error(
      `--now needs an ISO-8601 instant with a zone, e.g. 2026-11-28T00:30:00+08:00 (got "${values.now}")`,
    );
  }
  if (!values.local) {
    throw new Error(
      'only --local is supported here; the deployed reconciler runs on its schedule (README: Operations → run the reconciler now)',
    );
  }
  const ports = { dynamo: Number(values['dynamo-port']), aws: Number(values['aws-port']) };
  const byrobotUrl = `http://${LOOPBACK}:${values['byrobot-port']}`;
  const endpoints = localEndpoints(ports);
  // Without the local stack every 百应 query would fail and the run still end with a summary.
  for (const url of [byrobotUrl, endpoints.dynamoEndpoint, endpoints.awsEndpoint]) await expectListening(url);
  const targets = await resolveTargets({ local: true, dynamoPort: ports.dynamo, awsPort: ports.aws });
  const log = (level: string) => (message: string, extra?: Record<string, unknown>) =>
    console.error(JSON.stringify({ level, message, ...extra }));
  try {
    const summary = await runReconcileInTurn(
      {
        client: new ByrobotClient({
          baseUrl: byrobotUrl,
          credentials: { get: async () => LOCAL_BYROBOT, refresh: async () => LOCAL_BYROBOT },
          minIntervalMs: 0,
        }),
        doc: targets.doc,
        callsTable: targets.callsTable,
        enqueue: queueEnqueuer({
          sqs: targets.sqs,
          queueUrl: targets.queueUrl,
          bucket: targets.bucket,
          s3: localS3Config(endpoints.awsEndpoint),
        }),
        logger: { info: log('info'), warn: log('warn'), error: log('error') },
        counter: { count: () => {} },
      },
      {
        companyIds: values.company ?? [...LOCAL_BYROBOT.companyIds],
        lookBackDays: Number(values['look-back-days']),
        ...(windowAt === undefined ? {} : { windowAt }),
        remainingMs: () => Number.POSITIVE_INFINITY,
      },
    );
    const window = beijingWindow(windowAt ?? Date.now(), Number(values['look-back-days']));
    console.log(JSON.stringify({ ...summary, window }, null, 2));
  } finally {
    targets.close();
  }
};

main().catch((error: unknown) => {
  console.error(failureMessage('reconcile', error, '--dynamo-port / --aws-port / --byrobot-port'));
  process.exit(1);
});
