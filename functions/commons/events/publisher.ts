/**
 * The events publisher: reads a batch of DynamoDB stream records (calls and jobs tables), derives
 * the domain events of each change, and puts them on the event bus, ten to a request. Entries
 * EventBridge did not take are retried a few times; if some still fail, the batch reports the
 * first record whose events are not all out, so Lambda retries from there (bisecting on errors).
 * Delivery is at least once: a retried record may publish an event twice, with the same eventId.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type {
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  Context as LambdaContext,
} from 'aws-lambda';
import type { Counter, HandlerLog, Log } from '../telemetry.js';
import { type DomainEvent, EVENT_SOURCE, eventsOf } from './domain-events.js';

/** One PutEvents entry. */
export interface EventEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly Time?: Date;
}

/** Where events go: EventBridge when deployed, the local log and queue locally. */
export interface EventSink {
  /** Puts up to ten entries; resolves with the positions of the ones that were not taken. */
  put(entries: readonly EventEntry[]): Promise<number[]>;
}

export interface PublisherDeps {
  readonly sink: EventSink;
  /** Which table a stream record comes from, by its event source ARN. */
  readonly tableOf: (eventSourceArn: string) => 'calls' | 'jobs' | undefined;
  readonly includePhone: boolean;
  readonly logger: Log & Partial<Pick<HandlerLog, 'addContext'>>;
  readonly counter: Counter;
  /** Attempts per entry before the record is reported failed. @default 4 */
  readonly attempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** PutEvents takes at most 10 entries and 256 KB in one request. */
const PUT_EVENTS_MAX = 10;
const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/** An entry's size as EventBridge counts it: its texts in UTF-8, plus 14 bytes for the time. */
export const entryBytes = (entry: EventEntry): number =>
  (entry.Time ? 14 : 0) +
  Buffer.byteLength(entry.Source) +
  Buffer.byteLength(entry.DetailType) +
  Buffer.byteLength(entry.Detail);

/**
 * Positions of `entries` in requests PutEvents accepts: at most 10 entries and 256 KB each, in
 * order. An entry over 256 KB alone goes in a request of its own (EventBridge refuses it, and the
 * stream retries it as any entry not taken).
 */
export const putEventsChunks = (entries: readonly EventEntry[], positions: readonly number[]): number[][] => {
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let bytes = 0;
  for (const position of positions) {
    const size = entryBytes(entries[position] as EventEntry);
    if (chunk.length > 0 && (chunk.length === PUT_EVENTS_MAX || bytes + size > PUT_EVENTS_MAX_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(position);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
};

const imageOf = (image: Record<string, unknown> | undefined): Record<string, unknown> | undefined =>
  image ? unmarshall(image as Record<string, AttributeValue>) : undefined;

export const entryOf = (event: DomainEvent, time: Date): EventEntry => ({
  Source: EVENT_SOURCE,
  DetailType: event.type,
  Detail: JSON.stringify(event.detail),
  Time: time,
});

export const createPublisherHandler = (deps: PublisherDeps) => {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const attempts = deps.attempts ?? 4;

  /** Puts every entry, retrying the ones not taken; resolves with those still not taken. */
  const putAll = async (entries: readonly EventEntry[]): Promise<Set<number>> => {
    let pending = entries.map((_, index) => index);
    for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt += 1) {
      if (attempt > 1) await sleep(100 * 2 ** (attempt - 2));
      const failed: number[] = [];
      for (const chunk of putEventsChunks(entries, pending)) {
        try {
          const notTaken = await deps.sink.put(chunk.map((index) => entries[index] as EventEntry));
          failed.push(...notTaken.map((position) => chunk[position] as number));
        } catch (error) {
          deps.logger.warn('PutEvents failed; retrying', { entries: chunk.length, attempt, error });
          failed.push(...chunk);
        }
      }
      pending = failed;
    }
    return new Set(pending);
  };

  return async (event: DynamoDBStreamEvent, context?: LambdaContext): Promise<DynamoDBBatchResponse> => {
    if (context) deps.logger.addContext?.(context);
    const entries: EventEntry[] = [];
    /** For each entry, the position of the stream record it came from. */
    const origin: number[] = [];
    const counts: Record<string, number> = {};
    event.Records.forEach((record: DynamoDBRecord, position) => {
      const table = deps.tableOf(record.eventSourceARN ?? '');
      const change = record.dynamodb;
      if (!table || !change) return;
      const seconds = change.ApproximateCreationDateTime;
      const time = seconds ? new Date(seconds * 1000) : new Date();
      const events = eventsOf(
        imageOf(change.OldImage as Record<string, unknown> | undefined),
        imageOf(change.NewImage as Record<string, unknown> | undefined),
        {
          table,
          version: change.SequenceNumber ?? `${time.getTime()}`,
          changedAt: time.toISOString(),
          includePhone: deps.includePhone,
        },
      );
      for (const domainEvent of events) {
        entries.push(entryOf(domainEvent, time));
        origin.push(position);
        counts[domainEvent.type] = (counts[domainEvent.type] ?? 0) + 1;
      }
    });
    const notTaken = entries.length > 0 ? await putAll(entries) : new Set<number>();
    const published = entries.length - notTaken.size;
    deps.counter.count('EventsPublished', {}, published);
    if (notTaken.size === 0) {
      deps.logger.info('events published', { records: event.Records.length, events: counts });
      return { batchItemFailures: [] };
    }
    // Lambda retries from the first record reported: the one whose events are not all out.
    const first = Math.min(...[...notTaken].map((index) => origin[index] as number));
    const sequence = event.Records[first]?.dynamodb?.SequenceNumber ?? '';
    deps.counter.count('EventsNotPublished', {}, notTaken.size);
    deps.logger.error('events not published; the stream retries from the first record affected', {
      records: event.Records.length,
      notPublished: notTaken.size,
      sequenceNumber: sequence,
    });
    return { batchItemFailures: [{ itemIdentifier: sequence }] };
  };
};
