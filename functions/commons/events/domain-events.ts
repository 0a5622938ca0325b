/**
 * Domain events derived from a change of one item (its image before and after, as a DynamoDB
 * stream gives them): what a CRM wants to react to, never the transcript. A change that alters
 * none of the facts below (a duplicate delivery, a bookkeeping update) gives no event.
 */
import type { Coded } from '../contract/enums.js';
import { RECORDING_KINDS } from '../definitions.js';
import { maskPhone } from '../mask.js';
import type { CallItem, JobItem } from '../store/items.js';

export const EVENT_SOURCE = 'byrobot-callbacks';

export const EVENT_TYPES = [
  'call.recorded',
  'call.intent-changed',
  'call.missing',
  'call.recovered',
  'job.status-changed',
  'call.recording-archived',
  'call.erased',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface DomainEvent {
  readonly type: EventType;
  readonly detail: Record<string, unknown>;
}

type Item = Record<string, unknown>;

export interface ChangeContext {
  /** `calls` or `jobs`: which table the change is from. */
  readonly table: 'calls' | 'jobs';
  /** Stable per change (the stream record's sequence number): makes `detail.eventId`. */
  readonly version: string;
  /** When the change was made (the stream record's approximate creation time), ISO. */
  readonly changedAt: string;
  /** Full phone numbers in events (context `eventsIncludePhone`); masked otherwise. */
  readonly includePhone: boolean;
}

/** Text of an id or name as stored; numbers (ids written by an older version) as their digits. */
const str = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : String(value);
/** Drops undefined fields, so every event carries only what is known. */
const known = (fields: Item): Item =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));

const phoneOf = (item: CallItem, includePhone: boolean): string | undefined => {
  const phone = str(item.record?.customerTelephone ?? item.missing?.customerTelephone);
  if (!phone) return undefined;
  return includePhone ? phone : maskPhone(phone);
};

const coded = (code: Coded | null | undefined): Item | null =>
  code === undefined || code === null || Object.keys(code).length === 0
    ? null
    : known({ code: code.code, name: str(code.name) });

const intentOf = (item: CallItem | undefined): Item | null => {
  const intent = item?.intent;
  return intent === undefined || intent === null || (intent.level === undefined && intent.value === undefined)
    ? null
    : known({
        level: str(intent.level),
        value: str(intent.value),
        source: str(intent.source),
        changedAt: str(intent.changedAt),
      });
};

/** The facts of a call every call event carries: ids, company, job, platform, state, times, outcome. */
const callFacts = (item: CallItem, context: ChangeContext): Item => {
  const record = item.record;
  return known({
    eventId: `${str(item.pk)}#${context.version}`,
    callId: str(item.callId ?? record?.callId),
    direction: str(item.direction),
    companyId: str(item.companyId),
    callJobId: str(item.callJobId ?? record?.callJobId),
    platform: str(item.platform),
    state: str(item.state),
    startTime: str(record?.startTime ?? item.missing?.callerTime ?? item.sortTime),
    endTime: str(record?.endTime),
    finishStatus: coded(record?.finishStatus) ?? undefined,
    durationSeconds: typeof record?.durationSeconds === 'number' ? record.durationSeconds : undefined,
    intent: intentOf(item) ?? undefined,
    customerTelephone: phoneOf(item, context.includePhone),
    occurredAt: context.changedAt,
    item: { table: 'calls', pk: str(item.pk) },
  });
};

const callEvents = (
  old: CallItem | undefined,
  now: CallItem | undefined,
  context: ChangeContext,
): DomainEvent[] => {
  if (!now) return [];
  const facts = callFacts(now, context);
  // An erasure says only that: consumers erase their own copies of what earlier events carried.
  if (now.erasedAt !== undefined) {
    return old?.erasedAt === undefined
      ? [{ type: 'call.erased', detail: { ...facts, erasedAt: str(now.erasedAt) } }]
      : [];
  }
  const events: DomainEvent[] = [];
  if (now.state === 'RECORDED' && old?.state !== 'RECORDED') {
    events.push({ type: 'call.recorded', detail: facts });
    if (old?.state === 'MISSING')
      events.push({
        type: 'call.recovered',
        detail: known({ ...facts, missingSince: str(old.firstListedAt) }),
      });
  }
  if (now.state === 'MISSING' && old?.state !== 'MISSING')
    events.push({ type: 'call.missing', detail: facts });
  const before = intentOf(old);
  const after = intentOf(now);
  if (
    after &&
    (before?.level !== after.level || (before?.level === undefined && before?.value !== after.value))
  ) {
    events.push({
      type: 'call.intent-changed',
      detail: { ...facts, old: before, new: after, source: after.source },
    });
  }
  for (const kind of RECORDING_KINDS) {
    const was = old?.recordings?.[kind];
    const is = now.recordings?.[kind];
    if (
      is?.status === 'ARCHIVED' &&
      (was?.status !== 'ARCHIVED' || was.sha256 !== is.sha256 || was.s3Key !== is.s3Key)
    ) {
      events.push({
        type: 'call.recording-archived',
        detail: {
          ...facts,
          eventId: `${facts.eventId}#${kind}`,
          recording: known({
            kind,
            s3Key: str(is.s3Key),
            bytes: is.bytes,
            sha256: str(is.sha256),
            contentType: str(is.contentType),
            fetchedAt: str(is.fetchedAt),
          }),
        },
      });
    }
  }
  return events;
};

const jobEvents = (
  old: JobItem | undefined,
  now: JobItem | undefined,
  context: ChangeContext,
): DomainEvent[] => {
  const after = coded(now?.status);
  if (!now || !after) return [];
  const before = coded(old?.status);
  if (before && before.code === after.code && before.name === after.name) return [];
  return [
    {
      type: 'job.status-changed',
      detail: known({
        eventId: `${str(now.pk)}#${context.version}`,
        callJobId: str(now.callJobId ?? now.job?.callJobId),
        companyId: str(now.companyId ?? now.job?.companyId),
        platform: str(now.platform),
        jobName: str(now.job?.jobName),
        old: before,
        new: after,
        occurredAt: context.changedAt,
        item: { table: 'jobs', pk: str(now.pk) },
      }),
    },
  ];
};

/** The events one item change gives, in a stable order. */
export const eventsOf = (
  old: Item | undefined,
  now: Item | undefined,
  context: ChangeContext,
): DomainEvent[] =>
  // Stream images are the items as the writers left them (store/items.ts).
  context.table === 'calls'
    ? callEvents(old as CallItem | undefined, now as CallItem | undefined, context)
    : jobEvents(old as JobItem | undefined, now as JobItem | undefined, context);
