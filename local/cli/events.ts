/**
 * `npm run events -- --local [--follow]`: the domain events the local stack published, oldest
 * first, one JSON object per line (each in the envelope EventBridge delivers). Reading consumes
 * nothing: a second run prints them again. `--follow` keeps printing new ones until Ctrl-C.
 *
 * Deployed, events go to EventBridge, which keeps no log to print: add a rule (README: Domain events).
 */
import { parseArgs } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { LOCAL_BUCKET } from '../../functions/commons/definitions.js';
import { EVENTS_PREFIX } from '../event-bus.js';
import { LOCAL_FLAGS, localEndpoints } from '../local-config.js';
import { localClients } from '../resources.js';
import { failureMessage } from './failure.js';

const { values } = parseArgs({
  options: {
    ...LOCAL_FLAGS,
    follow: { type: 'boolean', default: false },
    type: { type: 'string', multiple: true },
  },
});

const keysAfter = async (s3: S3Client, after: string | undefined): Promise<string[]> => {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: LOCAL_BUCKET,
        Prefix: EVENTS_PREFIX,
        ...(after ? { StartAfter: after } : {}),
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    keys.push(...(page.Contents ?? []).map((object) => object.Key as string));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
};

const main = async (): Promise<void> => {
  if (!values.local) {
    console.error(
      'events: deployed, the events are on EventBridge (bus in the stack output EventBusName), which keeps no log to print; add a rule to a queue or an API destination (README: Domain events). Locally: npm run events -- --local',
    );
    process.exit(2);
  }
  const { s3 } = localClients(
    localEndpoints({ dynamo: Number(values['dynamo-port']), aws: Number(values['aws-port']) }),
  );
  const wanted = values.type ? new Set(values.type) : undefined;
  let last: string | undefined;
  const read = async (key: string) => {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: LOCAL_BUCKET, Key: key }));
    return JSON.parse((await Body?.transformToString('utf8')) ?? '{}') as Record<string, unknown>;
  };
  const printNew = async () => {
    const keys = await keysAfter(s3, last);
    // Read a few at a time, print in log order.
    for (let start = 0; start < keys.length; start += 32) {
      const chunk = keys.slice(start, start + 32);
      const envelopes = await Promise.all(chunk.map(read));
      const lines = envelopes
        .filter((envelope) => !wanted || wanted.has(envelope['detail-type'] as string))
        .map((envelope) => `${JSON.stringify(envelope)}\n`);
      if (lines.length > 0) process.stdout.write(lines.join(''));
      last = chunk.at(-1);
    }
  };
  try {
    await printNew();
    if (!values.follow) return;
    process.on('SIGINT', () => process.exit(0));
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await printNew();
    }
  } finally {
    s3.destroy();
  }
};

main().catch((error: unknown) => {
  console.error(failureMessage('events', error, '--aws-port'));
  process.exit(1);
});
