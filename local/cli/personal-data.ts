/**
 * One person's data, by their phone number: `records subject` (everything held about them, as
 * JSON, unmasked: it is their own) and `records erase` (their calls become tombstones, the
 * calls' large parts and recordings are deleted with every version, an audit entry says what was
 * done). Both find the calls through the `byPhone` index on the stack's keyed hash of the number,
 * never by scanning the table, and never print or store the number itself.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3ObjectStore } from '../../functions/commons/consume/s3-object-store.js';
import {
  BUCKET_PREFIXES,
  BY_PHONE,
  FOREIGN_PREFIX,
  RECORDING_KINDS,
} from '../../functions/commons/definitions.js';
import { maskPhone } from '../../functions/commons/mask.js';
import { deleteEveryVersion } from '../../functions/commons/personal/erase-objects.js';
import { normalizePhone, phoneHasher } from '../../functions/commons/personal/phone.js';
import {
  ERASED_AT,
  ERASED_ATTRIBUTES,
  tombstoneMarker,
  tombstoneRecord,
} from '../../functions/commons/personal/tombstone.js';
import { getItemsByKey } from '../../functions/commons/store/batch-get.js';
import type { CallItem, JobItem } from '../../functions/commons/store/items.js';
import { jobKey } from '../../functions/commons/store/keys.js';
import { reassembleCall } from '../../functions/commons/store/overflow.js';
import { orderedCall, orderedJob } from './item-order.js';
import type { Retention, Targets } from './targets.js';

export class NotAPhoneError extends Error {
  override readonly name = 'NotAPhoneError';
}

/** The number's hash under the stack's key; refuses what is not a number (a masked one included). */
const hashOf = async (targets: Targets, phone: string): Promise<string> => {
  if (normalizePhone(phone) === undefined)
    throw new NotAPhoneError(
      `--phone ${maskPhone(phone)} is not a phone number (digits, optionally +86 / 0086; no masks)`,
    );
  return phoneHasher(await targets.phoneHashKey())(phone) as string;
};

/** Every call item holding the number, whole, oldest first; only `company`'s when given. */
const callsOf = async (targets: Targets, phoneHash: string, company?: string): Promise<CallItem[]> => {
  const keys: string[] = [];
  const pages = paginateQuery(
    { client: targets.doc },
    {
      TableName: targets.callsTable,
      IndexName: BY_PHONE.name,
      KeyConditionExpression: '#hash = :hash',
      ExpressionAttributeNames: { '#hash': BY_PHONE.partitionKey },
      ExpressionAttributeValues: { ':hash': phoneHash },
    },
  );
  for await (const page of pages) {
    for (const entry of (page.Items ?? []) as CallItem[]) {
      if (company === undefined || entry.companyId === company) keys.push(entry.pk);
    }
  }
  const items = await getItemsByKey<CallItem>(targets.doc, targets.callsTable, keys);
  // The index is eventually consistent: an item changed since may no longer hold the number.
  return keys
    .map((key) => items.get(key))
    .filter((item): item is CallItem => item !== undefined && item.phoneHash === phoneHash);
};

/** The archived recordings an item names: the current copy of each kind and the earlier ones. */
const recordingKeysOf = (item: CallItem): { kind: string; s3Key: string }[] =>
  RECORDING_KINDS.flatMap((kind) => {
    const entry = item.recordings?.[kind];
    if (!entry) return [];
    return [
      ...(entry.s3Key ? [{ kind, s3Key: entry.s3Key }] : []),
      ...(entry.previous ?? []).map((copy) => ({ kind, s3Key: copy.s3Key })),
    ];
  });

// ── subject ──────────────────────────────────────────────────────────────────────────────

export interface SubjectOptions {
  readonly company?: string;
  /** Presigned links (15 minutes) to each recording. */
  readonly urls?: boolean;
}

/** Everything held about a number: its calls whole (transcripts, results), recording keys, jobs. */
export const subjectReport = async (targets: Targets, phone: string, options: SubjectOptions = {}) => {
  const phoneHash = await hashOf(targets, phone);
  const objects = s3ObjectStore(targets.s3, targets.bucket);
  const calls = await callsOf(targets, phoneHash, options.company);
  const whole = await Promise.all(calls.map((item) => reassembleCall(item, objects)));
  const recordings = await Promise.all(
    calls.flatMap((item) =>
      recordingKeysOf(item).map(async (recording) => ({
        callId: item.callId,
        direction: item.direction,
        ...recording,
        ...(options.urls
          ? {
              url: await getSignedUrl(
                targets.s3,
                new GetObjectCommand({
                  Bucket: targets.bucket,
                  Key: recording.s3Key,
                  ResponseContentDisposition: 'attachment',
                }),
                { expiresIn: 15 * 60 },
              ),
            }
          : {}),
      })),
    ),
  );
  const jobIds = [...new Set(calls.map((item) => item.callJobId).filter((id): id is string => Boolean(id)))];
  const jobs = await getItemsByKey<JobItem>(targets.doc, targets.jobsTable, jobIds.map(jobKey));
  return {
    phone,
    generatedAt: new Date().toISOString(),
    ...(options.company ? { company: options.company } : {}),
    calls: whole.map(orderedCall),
    recordings,
    jobs: jobIds.map((id) => {
      const job = jobs.get(jobKey(id));
      return job ? orderedJob(job) : { callJobId: id };
    }),
  };
};

// ── erase ────────────────────────────────────────────────────────────────────────────────

export interface EraseOptions {
  readonly company?: string;
  readonly dryRun?: boolean;
  readonly now?: Date;
}

/** What was (or, on a dry run, would be) erased of one call. */
export interface ErasedCall {
  readonly pk: string;
  readonly companyId?: string;
  readonly callId?: string;
  readonly objects: number;
  readonly versions: number;
}

/** A copy of the person's data this command cannot erase in place, and when it goes by itself. */
export interface KeptCopy {
  readonly where: string;
  readonly what: string;
  /** The day (UTC) its retention ends, or why it has none. */
  readonly until: string;
}

export interface EraseReport {
  readonly erasedAt: string;
  readonly dryRun: boolean;
  /** Masked: the report is printed. */
  readonly phone: string;
  readonly phoneHash: string;
  readonly company?: string;
  readonly calls: number;
  readonly companies: readonly string[];
  readonly objectsDeleted: number;
  readonly versionsDeleted: number;
  readonly erased: readonly ErasedCall[];
  readonly notErasedInPlace: readonly KeptCopy[];
  /** The audit entry's key (not on a dry run). */
  readonly audit?: string;
}

const DAY_MS = 86_400_000;
const dayAfter = (from: Date, days: number): string =>
  new Date(from.getTime() + days * DAY_MS).toISOString().slice(0, 10);

/** `archive/yyyy/MM/dd/…` → the day the object was written. */
const archiveDay = (key: string): Date | undefined => {
  const match = /^archive\/(\d{4})\/(\d{2})\/(\d{2})\//.exec(key);
  return match ? new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00Z`) : undefined;
};

/** The copies `erase` leaves, named with the date each one's retention ends. */
const keptCopies = (calls: readonly CallItem[], retention: Retention | undefined, now: Date): KeptCopy[] => {
  const kept: KeptCopy[] = [];
  const archived = new Set(
    calls
      .flatMap((item) => [item.recordArchive, item.manualArchive])
      .filter((pointer): pointer is string => Boolean(pointer)),
  );
  const lasts = (days: number | undefined, from: Date) =>
    days === undefined
      ? 'unknown: the stack outputs name no retention'
      : days === 0
        ? 'kept until deleted by hand (no expiry set)'
        : dayAfter(from, days);
  for (const key of new Set([...archived].map((pointer) => pointer.split('#')[0] as string))) {
    kept.push({
      where: key,
      what: 'raw archive batch holding a delivery of these calls (one object per batch, shared with other calls)',
      until: lasts(retention?.archiveExpireDays, archiveDay(key) ?? now),
    });
  }
  kept.push({
    where: BUCKET_PREFIXES.quarantine,
    what: 'bodies that could not be read, if one of them held this number (not indexed by number)',
    until: `${lasts(retention?.quarantineExpireDays, now)} at the latest (${FOREIGN_PREFIX}: sooner)`,
  });
  kept.push({
    where: 'EventBridge',
    what: 'domain events already published about these calls (numbers masked unless eventsIncludePhone); consumers hold their own copies — a call.erased event tells them',
    until: 'not kept by the bus itself unless an archive was added to it',
  });
  return kept;
};

/** Where a call's objects live: its overflow parts, and its recordings (every link, every kind). */
const objectPrefixesOf = (item: CallItem): { prefix: string; exact: boolean }[] => {
  const [dir, callId] = item.pk.split('#') as [string, string];
  const prefixes = [{ prefix: `${BUCKET_PREFIXES.records}${dir}/${callId}/`, exact: false }];
  for (const { s3Key } of recordingKeysOf(item)) {
    // Every copy of this call under the same day folder, whichever link it came from.
    const folder = s3Key.slice(0, s3Key.lastIndexOf('/') + 1);
    prefixes.push({ prefix: `${folder}${dir}-${callId}-`, exact: false });
  }
  return [...new Map(prefixes.map((entry) => [entry.prefix, entry])).values()];
};

/** Rewrites one item as its tombstone, guarded by its delivery count so a concurrent merge is not lost. */
const tombstone = async (targets: Targets, item: CallItem, at: string): Promise<void> => {
  let current: CallItem | undefined = item;
  for (let attempt = 0; attempt < 5 && current; attempt += 1) {
    const names: Record<string, string> = { '#erased': ERASED_AT, '#deliveries': 'deliveries' };
    const values: Record<string, unknown> = { ':at': at };
    const sets = ['#erased = :at'];
    if (current.record) {
      names['#record'] = 'record';
      values[':record'] = tombstoneRecord(current.record as unknown as Record<string, unknown>);
      sets.push('#record = :record');
    }
    if (current.missing) {
      names['#missing'] = 'missing';
      values[':missing'] = tombstoneMarker(current.missing);
      sets.push('#missing = :missing');
    }
    const removes = ERASED_ATTRIBUTES.map((attribute, i) => {
      names[`#r${i}`] = attribute;
      return `#r${i}`;
    });
    const count = current.deliveries;
    if (typeof count === 'number') values[':count'] = count;
    try {
      await targets.doc.send(
        new UpdateCommand({
          TableName: targets.callsTable,
          Key: { pk: item.pk },
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression:
            typeof count === 'number' ? '#deliveries = :count' : 'attribute_not_exists(#deliveries)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // A delivery merged meanwhile: erase what the item holds now.
      current = (
        await targets.doc.send(
          new GetCommand({ TableName: targets.callsTable, Key: { pk: item.pk }, ConsistentRead: true }),
        )
      ).Item as CallItem | undefined;
    }
  }
  if (current) throw new Error(`${item.pk} kept changing while it was erased; run erase again`);
};

const auditKey = (at: Date, phoneHash: string): string => {
  const iso = at.toISOString();
  return `audit/erasures/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.replace(/[:.]/g, '-')}-${phoneHash.slice(0, 16)}.json`;
};

/**
 * Erases a number's calls: each becomes a tombstone (`erasedAt`, no personal field), its overflow
 * parts and recordings are deleted with every version, and an audit entry records what was done
 * under the number's hash. A dry run reports the same and changes nothing.
 */
export const erasePhone = async (
  targets: Targets,
  phone: string,
  options: EraseOptions = {},
): Promise<EraseReport> => {
  const now = options.now ?? new Date();
  const phoneHash = await hashOf(targets, phone);
  const calls = await callsOf(targets, phoneHash, options.company);
  const erased: ErasedCall[] = [];
  for (const item of calls) {
    const prefixes = objectPrefixesOf(item);
    // The item first: once it is a tombstone, no merge or recording copy writes personal data back.
    if (!options.dryRun) await tombstone(targets, item, now.toISOString());
    let objects = 0;
    let versions = 0;
    for (const { prefix, exact } of prefixes) {
      const result = await deleteEveryVersion(targets.s3, targets.bucket, prefix, {
        exact,
        ...(options.dryRun ? { dryRun: true } : {}),
      });
      objects += result.keys.length;
      versions += result.versions;
    }
    erased.push({
      pk: item.pk,
      ...(item.companyId ? { companyId: item.companyId } : {}),
      ...(item.callId ? { callId: item.callId } : {}),
      objects,
      versions,
    });
  }
  const report: EraseReport = {
    erasedAt: now.toISOString(),
    dryRun: options.dryRun === true,
    phone: maskPhone(normalizePhone(phone) ?? phone),
    phoneHash,
    ...(options.company ? { company: options.company } : {}),
    calls: erased.length,
    companies: [...new Set(erased.map((call) => call.companyId).filter((id): id is string => Boolean(id)))],
    objectsDeleted: erased.reduce((sum, call) => sum + call.objects, 0),
    versionsDeleted: erased.reduce((sum, call) => sum + call.versions, 0),
    erased,
    notErasedInPlace: keptCopies(calls, targets.retention, now),
  };
  if (options.dryRun) return report;
  // The audit keeps what was done and the hash: never the number, not even masked.
  const { phone: _masked, ...audit } = report;
  const key = auditKey(now, phoneHash);
  await targets.s3.send(
    new PutObjectCommand({
      Bucket: targets.bucket,
      Key: key,
      Body: JSON.stringify(audit, null, 2),
      ContentType: 'application/json',
    }),
  );
  return { ...report, audit: key };
};
