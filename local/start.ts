/**
 * `npm start`: runs the local stack until Ctrl-C / SIGTERM.
 *
 *   npm start                          API on http://127.0.0.1:${PORT:-3000}, data in memory
 *   npm start -- --persist .local/db   keep DynamoDB data between runs
 *   npm start -- --port 4000 --secret-path s3cr3t --allow-ip 127.0.0.1
 *   npm start -- --recording-hosts 127.0.0.1,localhost   copy recordings from these hosts (also env RECORDING_HOSTS)
 *   npm start -- --admin-port 8002 | --no-admin           the dynamodb-admin table browser (default ${ADMIN_PORT:-8001})
 *   npm start -- --companies 1,2       store only these companies' callbacks (also env COMPANIES); others are quarantined
 */
import { parseArgs } from 'node:util';
import { parseCompanyIds } from '../functions/commons/company-list.js';
import { parseHostList } from '../functions/commons/recordings/host-list.js';
import { ROUTES } from './api-server.js';
import { JavaMissingError } from './emulators.js';
import { LOCAL_PORTS } from './local-config.js';
import { LOOPBACK, PortInUseError } from './ports.js';
import { startLocalStack } from './stack.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: String(LOCAL_PORTS.api) },
    persist: { type: 'string' },
    'secret-path': { type: 'string' },
    'allow-ip': { type: 'string', multiple: true },
    'dynamo-port': { type: 'string', default: String(LOCAL_PORTS.dynamo) },
    'aws-port': { type: 'string', default: String(LOCAL_PORTS.aws) },
    'byrobot-port': { type: 'string', default: String(LOCAL_PORTS.byrobot) },
    'recording-hosts': { type: 'string', multiple: true },
    'admin-port': { type: 'string', default: process.env.ADMIN_PORT ?? '8001' },
    'no-admin': { type: 'boolean', default: false },
    companies: { type: 'string', multiple: true },
  },
});

/** `--companies 1,2` (repeatable) and env COMPANIES, validated like the deployed `companyIds`. */
const companies = (): string[] => {
  const given = [...(values.companies ?? []), process.env.COMPANIES ?? ''].join(',');
  try {
    return parseCompanyIds(given, '--companies');
  } catch (error) {
    console.error(`cannot start: ${(error as Error).message}`);
    process.exit(2);
  }
};

/** `--recording-hosts a,b` (repeatable) and env RECORDING_HOSTS, validated like the deployed allowlist. */
const recordingHosts = (): string[] => {
  const given = [...(values['recording-hosts'] ?? []), process.env.RECORDING_HOSTS ?? ''].join(',');
  try {
    return [...new Set(parseHostList(given, '--recording-hosts'))];
  } catch (error) {
    console.error(`cannot start: ${(error as Error).message}`);
    process.exit(2);
  }
};

const main = async (): Promise<void> => {
  const started = Date.now();
  const hosts = recordingHosts();
  const stored = companies();
  const stack = await startLocalStack({
    recordingHosts: hosts,
    companies: stored,
    ...(values['no-admin'] ? {} : { adminPort: Number(values['admin-port']) }),
    warn: (message) => console.warn(`  warning: ${message}`),
    port: Number(values.port),
    dynamoPort: Number(values['dynamo-port']),
    awsPort: Number(values['aws-port']),
    byrobotPort: Number(values['byrobot-port']),
    ...(values.persist ? { persistDir: values.persist } : {}),
    ...(values['secret-path'] ? { secretPath: values['secret-path'] } : {}),
    ...(values['allow-ip'] ? { allowedIps: values['allow-ip'] } : {}),
  });
  // The table browser's URL comes before the ready line, so whoever waits for `ready` has it.
  if (stack.adminUrl) console.log(`  DynamoDB tables in the browser: ${stack.adminUrl} (dynamodb-admin)`);
  console.log(`byrobot-callbacks local stack ready at ${stack.url} (${Date.now() - started} ms)`);
  for (const route of ROUTES) console.log(`  POST ${stack.url}${route}`);
  console.log(
    `  DynamoDB Local ${stack.emulators.dynamoEndpoint}, SQS/S3 emulator ${stack.emulators.awsEndpoint}`,
  );
  console.log(
    `  fake 百应 OpenAPI ${stack.byrobot.url} (npm run simulate -- --byrobot-url ${stack.byrobot.url} reports dropped calls to it; npm run reconcile -- --local asks it)`,
  );
  console.log(
    hosts.length > 0
      ? `  recordings copied from ${hosts.join(', ')} (http allowed, address rule off for these hosts only)`
      : `  recordings: no local host allowed, links are marked REFUSED (npm start -- --recording-hosts ${LOOPBACK} to copy the fake 百应's files)`,
  );
  console.log(
    stored.length > 0
      ? `  companies stored: ${stored.join(', ')} (others are quarantined as FOREIGN_COMPANY)`
      : '  companies stored: every company (npm start -- --companies 1,2 to store only yours)',
  );
  console.log('  Ctrl-C to stop');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack…`);
    await stack.stop();
    console.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
};

main().catch((error: unknown) => {
  if (error instanceof PortInUseError || error instanceof JavaMissingError) {
    console.error(`cannot start: ${error.message}`);
  } else {
    console.error('cannot start:', error);
  }
  process.exit(1);
});
