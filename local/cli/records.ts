/**
 * `npm run records -- [--local] <command>`: look at stored data.
 *
 *   call <callInstanceId>                           one outbound call
 *   inbound <inboundInstanceId>                     one inbound call
 *   job <callJobId>                                 one job, with its status history
 *   list --company <id> --date yyyy-MM-dd [--job <id>] [--format json|jsonl|csv]   calls of a company on a Beijing day
 *   list --job <id> [--format json|jsonl|csv]      calls of a job, in call order
 *   export --company <id> --from yyyy-MM-dd --to yyyy-MM-dd [--job <id>] [--format csv|jsonl] --out FILE
 *                                                   calls over days, through the index day by day (CSV: UTF-8 with BOM)
 *   quarantine [--date yyyy-MM-dd]                  bodies that could not be read, with their errors
 *   missing                                         inbound misses the reconciler marked MISSING
 *   recording <callId> [--kind call|customer] --out FILE   the archived recording, written to FILE
 *   recording <callId> [--kind call|customer] --url        a presigned link to it, valid 15 minutes
 *   recording <callId> [--kind call|customer] --retry      queue a FAILED/REFUSED/EXPIRED recording again
 *   subject --phone <number> [--company <id>] [--out FILE] [--url]
 *                                                   everything held about a number (unmasked: it is theirs)
 *   erase --phone <number> [--company <id>] [--dry-run]
 *                                                   erase a number's calls (tombstones; objects, every version)
 *
 * JSON by default, `--table` for a readable table. Phone numbers are masked unless `--unmask`.
 * Without `--local` it reads the deployed stack (`--stack`, or `--calls-table` etc.).
 */
import { createHash } from 'node:crypto';
import { createWriteStream, writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  decodeQuarantinedBody,
  quarantinePrefixes,
  readQuarantine,
} from '../../functions/commons/consume/quarantine.js';
import { s3ObjectStore } from '../../functions/commons/consume/s3-object-store.js';
import { CALL_STATES } from '../../functions/commons/store/call-store.js';
import type { CallItem, JobItem } from '../../functions/commons/store/items.js';
import { callKey, jobKey } from '../../functions/commons/store/keys.js';
import { reassembleCall } from '../../functions/commons/store/overflow.js';
import { LOCAL_FLAGS } from '../local-config.js';
import {
  callsOfDay,
  callsOfJob,
  csvHeader,
  csvLines,
  EXPORT_FORMATS,
  exportCalls,
  jsonLines,
  LIST_FORMATS,
} from './export.js';
import { failureMessage } from './failure.js';
import { orderedCall, orderedJob } from './item-order.js';
import { maskRecord } from './mask-record.js';
import { erasePhone, NotAPhoneError, subjectReport } from './personal-data.js';
import { bar } from './progress.js';
import { queueTasks, RETRYABLE_STATUSES, retryTaskOf } from './recording-retry.js';
import { renderTable } from './table.js';
import { TARGET_FLAGS, type Targets, targetsFromFlags } from './targets.js';

const USAGE = `usage: npm run records -- [--local] [--table] [--unmask] <call ID | inbound ID | job ID | list (--company ID --date yyyy-MM-dd [--job ID] | --job ID) [--format json|jsonl|csv] | export --company ID --from yyyy-MM-dd --to yyyy-MM-dd [--job ID] [--format csv|jsonl] --out FILE | quarantine [--date yyyy-MM-dd] | missing | recording ID [--kind call|customer] (--out FILE | --url | --retry) | subject --phone N [--company ID] [--out FILE] [--url] | erase --phone N [--company ID] [--dry-run]>`;

type Row = Record<string, unknown>;

const summaryOf = (item: Row): Row => {
  const record = (item.record ?? {}) as Row;
  const intent = (item.intent ?? {}) as Row;
  const missing = (item.missing ?? {}) as Row;
  return {
    call: item.pk,
    state: item.state,
    time: item.sortTime,
    job: item.callJobId,
    customer: record.customerTelephone ?? missing.customerTelephone,
    finish: (record.finishStatus as Row | undefined)?.name,
    seconds: record.durationSeconds,
    intent: intent.level ? `${intent.level} (${intent.source})` : undefined,
    deliveries: item.deliveries,
  };
};

const run = async (
  command: string | undefined,
  args: string[],
  flags: Record<string, string | boolean | undefined>,
  targets: Targets,
): Promise<object | object[]> => {
  const find = async <T extends { pk: string }>(table: string, pk: string): Promise<T | undefined> =>
    (await targets.doc.send(new GetCommand({ TableName: table, Key: { pk }, ConsistentRead: true }))).Item as
      | T
      | undefined;
  const get = async <T extends { pk: string }>(table: string, pk: string): Promise<T> => {
    const item = await find<T>(table, pk);
    if (!item) throw new UsageError(`nothing stored under ${pk}`);
    return item;
  };
  const objects = s3ObjectStore(targets.s3, targets.bucket);
  switch (command) {
    case 'call':
    case 'inbound': {
      const id = args[0];
      if (!id || !/^\d+$/.test(id)) throw new UsageError(`${command} needs a numeric id`);
      const item = await get<CallItem>(
        targets.callsTable,
        callKey(command === 'call' ? 'outbound' : 'inbound', id.replace(/^0+(?=\d)/, '')),
      );
      // A call too large for one item keeps its large parts in S3: show it whole.
      return orderedCall(await reassembleCall(item, objects));
    }
    case 'job': {
      const id = args[0];
      if (!id || !/^\d+$/.test(id)) throw new UsageError('job needs a numeric callJobId');
      return orderedJob(await get<JobItem>(targets.jobsTable, jobKey(id)));
    }
    case 'list': {
      const items: CallItem[] = [];
      for await (const page of listed(flags, targets)) items.push(...page);
      return Promise.all(items.map(async (item) => orderedCall(await reassembleCall(item, objects))));
    }
    case 'missing': {
      const items: CallItem[] = [];
      const pages = paginateScan(
        { client: targets.doc },
        {
          TableName: targets.callsTable,
          FilterExpression: '#state = :missing',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':missing': CALL_STATES.missing },
        },
      );
      for await (const page of pages) items.push(...((page.Items ?? []) as CallItem[]));
      return items.map(orderedCall);
    }
    case 'quarantine': {
      const entries = await readQuarantine(
        objects,
        quarantinePrefixes(typeof flags.date === 'string' ? flags.date : undefined),
      );
      // A body kept as base64 (not text in its declared charset) is shown decoded where it can be.
      return entries.map((entry) => {
        const decoded = decodeQuarantinedBody(entry);
        return decoded ? { ...entry, decodedBody: decoded.text, decodedAs: decoded.charset } : entry;
      }) as unknown as Row[];
    }
    case 'recording':
      return recording(args[0], flags, targets, (table, pk) => find<CallItem>(table, pk));
    default:
      throw new UsageError(USAGE);
  }
};

/**
 * The archived recording of a call (outbound, else inbound with that id): streamed to `--out`
 * with its sha256 checked against the one recorded at archive time, or a presigned link.
 */
const recording = async (
  id: string | undefined,
  flags: Record<string, string | boolean | undefined>,
  targets: Targets,
  read: (table: string, pk: string) => Promise<CallItem | undefined>,
): Promise<Row> => {
  if (!id || !/^\d+$/.test(id)) throw new UsageError('recording needs a numeric call id');
  const kind = flags.kind ?? 'call';
  if (kind !== 'call' && kind !== 'customer') throw new UsageError('--kind must be call or customer');
  if (typeof flags.out !== 'string' && flags.url !== true && flags.retry !== true)
    throw new UsageError('recording needs --out FILE, --url or --retry');
  const callId = id.replace(/^0+(?=\d)/, '');
  const item =
    (await read(targets.callsTable, callKey('outbound', callId))) ??
    (await read(targets.callsTable, callKey('inbound', callId)));
  if (!item) throw new UsageError(`no call ${callId} is stored`);
  const entry = item.recordings?.[kind];
  if (!entry)
    throw new UsageError(`call ${callId} has no ${kind} recording entry (no link, or not processed yet)`);
  if (flags.retry === true) {
    if (!RETRYABLE_STATUSES.includes(entry.status as never)) {
      throw new UsageError(
        `the ${kind} recording of call ${callId} is ${String(entry.status)}: only ${RETRYABLE_STATUSES.join(', ')} can be retried`,
      );
    }
    const task = retryTaskOf(item, kind);
    if (!task) throw new UsageError(`the ${kind} recording of call ${callId} names no link to retry`);
    if ((await queueTasks(targets, [task])) > 0) throw new Error('SQS did not take the recording task');
    return { callId, kind, status: entry.status, queued: true };
  }
  if (entry.status !== 'ARCHIVED' || entry.s3Key === undefined) {
    throw new UsageError(
      `the ${kind} recording of call ${callId} is ${entry.status}${entry.reason ? `: ${entry.reason}` : ''}`,
    );
  }
  const object = { Bucket: targets.bucket, Key: entry.s3Key };
  if (flags.url === true) {
    // A download, whatever the object's metadata says: the link never renders in a browser.
    const url = await getSignedUrl(
      targets.s3,
      new GetObjectCommand({ ...object, ResponseContentDisposition: 'attachment' }),
      { expiresIn: 15 * 60 },
    );
    return { callId, kind, s3Key: entry.s3Key, url, expiresInSeconds: 900 };
  }
  const out = flags.out as string;
  const { Body } = await targets.s3.send(new GetObjectCommand(object));
  if (!Body) throw new Error(`${entry.s3Key} has no body`);
  const hash = createHash('sha256');
  let bytes = 0;
  const source = Body as Readable;
  source.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  await pipeline(source, createWriteStream(out));
  const sha256 = hash.digest('hex');
  if (sha256 !== entry.sha256) {
    throw new Error(`${out}: sha256 ${sha256} differs from the archived ${String(entry.sha256)}`);
  }
  return { callId, kind, s3Key: entry.s3Key, out, bytes, sha256, contentType: entry.contentType };
};

/**
 * What `list` reads: a company's Beijing day (optionally one job's calls of it) through
 * `byCompanyDate`, or with `--job` alone every call of the job through `byJobShard`.
 */
const listed = (
  flags: Record<string, string | boolean | undefined>,
  targets: Targets,
): AsyncGenerator<CallItem[]> => {
  const { company, date, job } = flags;
  if (company === undefined && date === undefined && typeof job === 'string') {
    if (!/^\d+$/.test(job)) throw new UsageError('--job needs a numeric callJobId');
    return callsOfJob(targets, job);
  }
  if (typeof company !== 'string' || typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new UsageError('list needs --company <id> --date yyyy-MM-dd, or --job <id>');
  }
  return callsOfDay(targets, company, date, typeof job === 'string' ? job : undefined);
};

/** `list --format jsonl|csv`: the day's calls streamed to stdout as they are read. */
const listAs = async (
  flags: Record<string, string | boolean | undefined>,
  targets: Targets,
): Promise<void> => {
  const { format } = flags;
  if (!LIST_FORMATS.includes(format as never))
    throw new UsageError(`--format must be one of ${LIST_FORMATS.join(', ')}`);
  const unmask = flags.unmask === true;
  if (format === 'csv') process.stdout.write(csvHeader());
  for await (const items of listed(flags, targets)) {
    process.stdout.write(
      format === 'csv' ? csvLines(items, unmask) : await jsonLines(items, targets, unmask),
    );
  }
};

const exportCommand = async (
  flags: Record<string, string | boolean | undefined>,
  targets: Targets,
): Promise<Record<string, unknown>> => {
  const { company, from, to, job, out } = flags;
  const format = flags.format ?? 'csv';
  if (
    typeof company !== 'string' ||
    typeof from !== 'string' ||
    typeof to !== 'string' ||
    typeof out !== 'string'
  ) {
    throw new UsageError('export needs --company <id> --from yyyy-MM-dd --to yyyy-MM-dd --out FILE');
  }
  if (!EXPORT_FORMATS.includes(format as never))
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  const tty = process.stderr.isTTY === true;
  try {
    const result = await exportCalls(targets, {
      company,
      from,
      to,
      ...(typeof job === 'string' ? { job } : {}),
      format: format as (typeof EXPORT_FORMATS)[number],
      out,
      unmask: flags.unmask === true,
      ...(tty
        ? {
            onProgress: (p) =>
              process.stderr.write(
                `\r${bar(p.daysDone, p.days)} ${p.day} ${p.daysDone}/${p.days} days, ${p.calls} calls  `,
              ),
          }
        : {}),
    });
    if (tty) process.stderr.write('\n');
    return {
      ...result,
      format,
      company,
      from,
      to,
      ...(typeof job === 'string' ? { job } : {}),
      masked: flags.unmask !== true,
    };
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
};

/**
 * `subject` prints (or writes to `--out`) everything held about a number, unmasked: the export is
 * the person's own. `erase` prints its report, in which the number is masked.
 */
const personalData = async (
  command: 'subject' | 'erase',
  flags: Record<string, string | boolean | undefined>,
  targets: Targets,
): Promise<void> => {
  const { phone, company, out } = flags;
  if (typeof phone !== 'string' || phone.trim() === '')
    throw new UsageError(`${command} needs --phone <number>`);
  const scope = typeof company === 'string' ? { company } : {};
  try {
    if (command === 'erase') {
      const report = await erasePhone(targets, phone, { ...scope, dryRun: flags['dry-run'] === true });
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    const report = await subjectReport(targets, phone, { ...scope, urls: flags.url === true });
    const text = `${JSON.stringify(report, (_key, value) => (value instanceof Set ? [...value] : value), 2)}\n`;
    if (typeof out !== 'string') {
      process.stdout.write(text);
      return;
    }
    writeFileSync(out, text, { mode: 0o600 });
    console.log(
      JSON.stringify({ out, calls: report.calls.length, recordings: report.recordings.length }, null, 2),
    );
  } catch (error) {
    if (error instanceof NotAPhoneError) throw new UsageError(error.message);
    throw error;
  }
};

class UsageError extends Error {
  override readonly name = 'UsageError';
}

const main = async (): Promise<void> => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      ...LOCAL_FLAGS,
      ...TARGET_FLAGS,
      table: { type: 'boolean', default: false },
      unmask: { type: 'boolean', default: false },
      company: { type: 'string' },
      date: { type: 'string' },
      job: { type: 'string' },
      format: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      kind: { type: 'string' },
      out: { type: 'string' },
      url: { type: 'boolean', default: false },
      retry: { type: 'boolean', default: false },
      phone: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const [command, ...args] = positionals;
  const targets = await targetsFromFlags(values);
  try {
    if (command === 'export') {
      console.log(JSON.stringify(await exportCommand(values, targets), null, 2));
      return;
    }
    if (command === 'subject' || command === 'erase') {
      await personalData(command, values, targets);
      return;
    }
    if (command === 'list' && values.format !== undefined && values.format !== 'json') {
      await listAs(values, targets);
      return;
    }
    const result = await run(command, args, values, targets);
    const shown = values.unmask ? result : maskRecord(result);
    const plain = JSON.parse(
      JSON.stringify(shown, (_key, value) => (value instanceof Set ? [...value] : value)),
    );
    if (values.table) {
      const rows = (Array.isArray(plain) ? plain : [plain]) as Row[];
      console.log(
        renderTable(
          command === 'list' || command === 'missing' || command === 'call' || command === 'inbound'
            ? rows.map(summaryOf)
            : rows,
        ),
      );
    } else {
      console.log(JSON.stringify(plain, null, 2));
    }
  } finally {
    targets.close();
  }
};

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? error.message : failureMessage('records', error));
  process.exit(error instanceof UsageError ? 2 : 1);
});
