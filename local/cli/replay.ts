/**
 * `npm run replay -- [--local] [--date yyyy-MM-dd]`: re-drives archived raw bodies through the
 * pipeline (back onto the queue, with their original receive metadata). Idempotent: records
 * are re-derived and deliveries are not counted twice.
 *
 * `npm run replay -- [--local] --recordings [--status FAILED,REFUSED,EXPIRED] [--company <id>]
 * [--date yyyy-MM-dd]`: queues recordings again whose status is final but not ARCHIVED (after an
 * outage, or after `recordingHosts` was fixed). Here `--date` is the calls' Beijing day.
 *
 * `npm run replay -- [--local] --quarantine [--reason FOREIGN_COMPANY] [--date yyyy-MM-dd]`: puts
 * quarantined bodies back on the queue (after adding a company to `companyIds`, or a reader fix)
 * and removes them from the quarantine; what still cannot be stored is quarantined again.
 */
import { parseArgs } from 'node:util';
import { quarantinePrefixes } from '../../functions/commons/consume/quarantine.js';
import { archivePrefix, replayArchive, replayQuarantine } from '../../functions/commons/consume/replay.js';
import { s3ObjectStore } from '../../functions/commons/consume/s3-object-store.js';
import { queueEnqueuer } from '../../functions/commons/ingest/enqueue.js';
import { LOCAL_FLAGS, localEndpoints } from '../local-config.js';
import { localS3Config } from '../resources.js';
import { failureMessage } from './failure.js';
import { parseStatuses, retryRecordings } from './recording-retry.js';
import { TARGET_FLAGS, targetsFromFlags } from './targets.js';

class UsageError extends Error {
  override readonly name = 'UsageError';
}

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      ...LOCAL_FLAGS,
      ...TARGET_FLAGS,
      date: { type: 'string' },
      recordings: { type: 'boolean', default: false },
      status: { type: 'string' },
      company: { type: 'string' },
      quarantine: { type: 'boolean', default: false },
      reason: { type: 'string' },
    },
  });
  if (values.recordings && values.quarantine)
    throw new UsageError('choose --recordings or --quarantine, not both');
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) {
    throw new UsageError(
      values.recordings
        ? '--date takes yyyy-MM-dd (the calls’ Beijing day)'
        : '--date takes yyyy-MM-dd (UTC day the bodies were archived or quarantined)',
    );
  }
  if (!values.recordings && (values.status !== undefined || values.company !== undefined)) {
    throw new UsageError('--status and --company go with --recordings');
  }
  if (!values.quarantine && values.reason !== undefined)
    throw new UsageError('--reason goes with --quarantine');
  let statuses: ReturnType<typeof parseStatuses> = [];
  try {
    statuses = parseStatuses(values.status);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const ports = { dynamo: Number(values['dynamo-port']), aws: Number(values['aws-port']) };
  const targets = await targetsFromFlags(values);
  const endpoints = localEndpoints(ports);
  try {
    if (values.recordings) {
      const summary = await retryRecordings(targets, {
        statuses,
        ...(values.company !== undefined ? { company: values.company } : {}),
        ...(values.date !== undefined ? { date: values.date } : {}),
      });
      console.log(JSON.stringify({ statuses, ...summary }));
      if (summary.notSent > 0) process.exitCode = 1;
      return;
    }
    const objects = s3ObjectStore(targets.s3, targets.bucket);
    const enqueue = queueEnqueuer({
      sqs: targets.sqs,
      queueUrl: targets.queueUrl,
      bucket: targets.bucket,
      s3: values.local ? localS3Config(endpoints.awsEndpoint) : {},
    });
    if (values.quarantine) {
      const summary = await replayQuarantine({
        objects,
        enqueue,
        prefixes: quarantinePrefixes(values.date),
        ...(values.reason !== undefined ? { reason: values.reason.trim().toUpperCase() } : {}),
      });
      console.log(JSON.stringify(summary));
      return;
    }
    const summary = await replayArchive({
      objects,
      enqueue,
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
  console.error(error instanceof UsageError ? error.message : failureMessage('replay', error));
  process.exit(error instanceof UsageError ? 2 : 1);
});
