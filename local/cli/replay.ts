/**
 * `npm run replay -- [--local] [--date yyyy-MM-dd]`: re-drives archived raw bodies through the
 * pipeline (back onto the queue, with their original receive metadata). Idempotent: records
 * are re-derived and deliveries are not counted twice.
 */
import { parseArgs } from 'node:util';
import { archivePrefix, replayArchive } from '../../functions/commons/consume/replay.js';
import { s3ObjectStore } from '../../functions/commons/consume/s3-object-store.js';
import { queueEnqueuer } from '../../functions/commons/ingest/enqueue.js';
import { LOCAL_FLAGS, localEndpoints } from '../local-config.js';
import { localS3Config } from '../resources.js';
import { failureMessage } from './failure.js';
import { resolveTargets, TARGET_FLAGS } from './targets.js';

const main = async (): Promise<void> => {
  const { values } = parseArgs({ options: { ...LOCAL_FLAGS, ...TARGET_FLAGS, date: { type: 'string' } } });
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date))
    throw new Error('--date takes yyyy-MM-dd (UTC day of the archive)');
  const ports = { dynamo: Number(values['dynamo-port']), aws: Number(values['aws-port']) };
  const targets = await resolveTargets({
    local: values.local,
    dynamoPort: ports.dynamo,
    awsPort: ports.aws,
    stack: values.stack,
    ...(values.bucket ? { bucket: values.bucket } : {}),
    ...(values['queue-url'] ? { queueUrl: values['queue-url'] } : {}),
  });
  const endpoints = localEndpoints(ports);
  try {
    const summary = await replayArchive({
      objects: s3ObjectStore(targets.s3, targets.bucket),
      enqueue: queueEnqueuer({
        sqs: targets.sqs,
        queueUrl: targets.queueUrl,
        bucket: targets.bucket,
        s3: values.local ? localS3Config(endpoints.awsEndpoint) : {},
      }),
      prefix: archivePrefix(values.date),
      onProgress: (progress) =>
        console.error(`replayed ${progress.bodies} bodies from ${progress.objects} archive objects`),
    });
    console.log(JSON.stringify(summary));
  } finally {
    targets.close();
  }
};

main().catch((error: unknown) => {
  console.error(failureMessage('replay', error));
  process.exit(1);
});
