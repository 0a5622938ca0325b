/**
 * `npm run reconcile -- --local [--platform classic|open] [--company ID …] [--now ISO] [--open-url URL]`:
 * one reconciler run against the local stack — its fake 百应 (the classic OpenAPI and the open
 * platform), DynamoDB Local and queue — with the same logic the scheduled function runs. Both
 * platforms by default: the classic one for company 1 (or `--company`), the open one for the
 * companies the fake knows calls of (or `--company`). The deployed reconciler runs on its
 * schedule; to run it now, invoke its function (see README: Operations).
 */
import { parseArgs } from 'node:util';
import { ByrobotClient } from '../../functions/commons/byrobot/client.js';
import { OpenPlatformClient } from '../../functions/commons/byrobot/open-client.js';
import { queueEnqueuer } from '../../functions/commons/ingest/enqueue.js';
import { beijingWindow } from '../../functions/commons/reconcile/reconcile.js';
import { type PlatformChoice, runReconcilers } from '../../functions/commons/reconcile/run.js';
import { LOCAL_BYROBOT } from '../fake-byrobot.js';
import { LOCAL_OPEN_CLIENT, OPEN_COMPANIES_PATH, OPEN_TOKEN_PATH } from '../fake-open-platform.js';
import { LOCAL_FLAGS, localEndpoints, localPolicy } from '../local-config.js';
import { LOOPBACK } from '../ports.js';
import { localS3Config } from '../resources.js';
import { expectListening, failureMessage } from './failure.js';
import { resolveTargets } from './targets.js';

class UsageError extends Error {
  override readonly name = 'UsageError';
}

const PLATFORMS: readonly PlatformChoice[] = ['classic', 'open', 'both'];

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      ...LOCAL_FLAGS,
      company: { type: 'string', multiple: true },
      'look-back-days': { type: 'string', default: '2' },
      now: { type: 'string' },
      platform: { type: 'string', default: 'both' },
      'open-url': { type: 'string' },
    },
  });
  // `--now <ISO-8601 instant>`: query the window as it would be then (requests are still signed now).
  const windowAt = values.now === undefined ? undefined : Date.parse(values.now);
  if (windowAt !== undefined && (Number.isNaN(windowAt) || !/(Z|[+-]\d{2}:?\d{2})$/.test(values.now ?? ''))) {
    throw new UsageError(
      `--now needs an ISO-8601 instant with a zone, e.g. 2026-11-28T00:30:00+08:00 (got "${values.now}")`,
    );
  }
  if (!values.local) {
    throw new UsageError(
      'only --local is supported here; the deployed reconciler runs on its schedule (README: Operations → run the reconciler now)',
    );
  }
  const platform = values.platform as PlatformChoice;
  if (!PLATFORMS.includes(platform))
    throw new UsageError('--platform must be classic or open (default: both)');
  const ports = { dynamo: Number(values['dynamo-port']), aws: Number(values['aws-port']) };
  const byrobotUrl = `http://${LOOPBACK}:${values['byrobot-port']}`;
  // The open platform: token at <url>/oauth/token, methods under <url>/api/oauth/… (the fake 百应 by default).
  const openUrl = (values['open-url'] ?? byrobotUrl).replace(/\/$/, '');
  const endpoints = localEndpoints(ports);
  // Without the local stack every 百应 query would fail and the run still end with a summary.
  for (const url of new Set([byrobotUrl, openUrl, endpoints.dynamoEndpoint, endpoints.awsEndpoint])) {
    await expectListening(url);
  }
  const openCompanies =
    values.company ??
    ((await fetch(`${openUrl}${OPEN_COMPANIES_PATH}`)
      .then((response) => (response.ok ? response.json() : []))
      .catch(() => [])) as string[]);
  const targets = await resolveTargets({ local: true, dynamoPort: ports.dynamo, awsPort: ports.aws });
  const log = (level: string) => (message: string, extra?: Record<string, unknown>) =>
    console.error(JSON.stringify({ level, message, ...extra }));
  const logger = { info: log('info'), warn: log('warn'), error: log('error') };
  const counter = { count: () => {} };
  const enqueue = queueEnqueuer({
    sqs: targets.sqs,
    queueUrl: targets.queueUrl,
    bucket: targets.bucket,
    s3: localS3Config(endpoints.awsEndpoint),
  });
  try {
    const lookBackDays = Number(values['look-back-days']);
    const summary = await runReconcilers(
      {
        classic: {
          client: new ByrobotClient({
            baseUrl: byrobotUrl,
            credentials: { get: async () => LOCAL_BYROBOT, refresh: async () => LOCAL_BYROBOT },
            minIntervalMs: 0,
          }),
          doc: targets.doc,
          callsTable: targets.callsTable,
          enqueue,
          logger,
          counter,
          policy: localPolicy(),
          shards: targets.indexShards,
        },
        open: {
          client: new OpenPlatformClient({
            apiUrl: openUrl,
            tokenUrl: `${openUrl}${OPEN_TOKEN_PATH}`,
            credentials: async () => LOCAL_OPEN_CLIENT,
            minIntervalMs: 0,
          }),
          doc: targets.doc,
          tables: { calls: targets.callsTable, jobs: targets.jobsTable },
          shards: targets.indexShards,
          enqueue,
          logger,
          counter,
        },
      },
      {
        companies: {
          companyIds: values.company ?? [...LOCAL_BYROBOT.companyIds],
          openCompanyIds: openCompanies,
        },
        platform,
        lookBackDays,
        ...(windowAt === undefined ? {} : { windowAt }),
        remainingMs: () => Number.POSITIVE_INFINITY,
      },
    );
    const window = beijingWindow(windowAt ?? Date.now(), lookBackDays);
    console.log(JSON.stringify({ ...summary, window }, null, 2));
  } finally {
    targets.close();
  }
};

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(
    failureMessage('reconcile', error, '--dynamo-port / --aws-port / --byrobot-port / --open-url'),
  );
  process.exit(1);
});
