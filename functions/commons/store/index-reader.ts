/**
 * Reading a sharded index as if it were not: one query per key (every shard of a company's day or
 * of a job, store/shards.ts), merged into one stream in `sortTime` order, ties by `pk` — the same
 * calls in the same order whatever the number of shards. Each query is paged lazily, so a long
 * day is never held in memory whole.
 */
import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';

export interface IndexEntry {
  readonly pk: string;
  readonly sortTime?: string;
  readonly [attribute: string]: unknown;
}

export interface IndexQuery {
  readonly table: string;
  readonly index: string;
  /** The index's partition key attribute. */
  readonly partitionKey: string;
  /** Every partition key value to read. */
  readonly keys: readonly string[];
  /** A filter over the index's attributes, with its names and values (`#`/`:` placeholders). */
  readonly filter?: {
    readonly expression: string;
    readonly names?: Readonly<Record<string, string>>;
    readonly values?: Readonly<Record<string, unknown>>;
  };
}

/** Entries of one key, page by page. */
const entriesOf = async function* (
  doc: DynamoDBDocumentClient,
  query: IndexQuery,
  key: string,
): AsyncGenerator<IndexEntry> {
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: query.table,
      IndexName: query.index,
      KeyConditionExpression: '#key = :key',
      ExpressionAttributeNames: { '#key': query.partitionKey, ...query.filter?.names },
      ExpressionAttributeValues: { ':key': key, ...query.filter?.values },
      ...(query.filter ? { FilterExpression: query.filter.expression } : {}),
    },
  );
  for await (const page of pages) yield* (page.Items ?? []) as IndexEntry[];
};

/** A stream with its next entry in view. */
interface Head {
  readonly source: AsyncGenerator<IndexEntry>;
  next: IndexEntry | undefined;
}

const advance = async (head: Head): Promise<void> => {
  const step = await head.source.next();
  head.next = step.done ? undefined : step.value;
};

/**
 * The entries under every key of `query`, in (`sortTime`, `pk`) order, in chunks of up to
 * `chunk` (what one BatchGetItem takes). Entries without a `sortTime` come first.
 */
export async function* mergedIndex(
  doc: DynamoDBDocumentClient,
  query: IndexQuery,
  chunk = 100,
): AsyncGenerator<IndexEntry[]> {
  const heads: Head[] = [...new Set(query.keys)].map((key) => ({
    source: entriesOf(doc, query, key),
    next: undefined,
  }));
  await Promise.all(heads.map(advance));
  let out: IndexEntry[] = [];
  for (;;) {
    const live = heads.filter((head) => head.next !== undefined);
    if (live.length === 0) break;
    // The earliest time in view; every entry at that time, from every key, sorted by pk. A key
    // holds its entries of one time in no set order, so they are all taken before any is given.
    const time = live.map((head) => head.next?.sortTime ?? '').sort()[0] ?? '';
    const tied: IndexEntry[] = [];
    for (const head of live) {
      while (head.next !== undefined && (head.next.sortTime ?? '') === time) {
        tied.push(head.next);
        await advance(head);
      }
    }
    tied.sort((a, b) => (a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : 0));
    for (const entry of tied) {
      out.push(entry);
      if (out.length >= chunk) {
        yield out;
        out = [];
      }
    }
  }
  if (out.length > 0) yield out;
}
