/**
 * Checks what a simulator run acknowledged against what the tables hold: every acknowledged
 * delivery counted once on its item (stored exactly once), nothing missing (lost).
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

export interface StoredCheck {
  /** Items the acknowledged deliveries should have produced. */
  readonly expected: number;
  /** Acknowledged deliveries, and how many of them the items account for. */
  readonly acked: number;
  readonly stored: number;
  /** Items missing, or holding fewer deliveries than were acknowledged. */
  readonly lost: readonly { key: string; acked: number; deliveries: number }[];
  /**
   * Deliveries stored beyond those acknowledged: a request that reached the queue but whose
   * `success` never reached 百应 (so it retried). At-least-once, counted, never a second item.
   */
  readonly unacknowledgedStored: number;
}

export const checkStored = async (
  doc: DynamoDBDocumentClient,
  tables: { readonly callsTable: string; readonly jobsTable: string },
  ackedByKey: ReadonlyMap<string, number>,
): Promise<StoredCheck> => {
  const expected = [...ackedByKey];
  const found = new Map<string, number>();
  for (let i = 0; i < expected.length; i += 100) {
    const byTable: Record<string, { Keys: { pk: string }[]; ConsistentRead: boolean }> = {};
    for (const [pk] of expected.slice(i, i + 100)) {
      const table = pk.startsWith('job#') ? tables.jobsTable : tables.callsTable;
      byTable[table] = { Keys: [...(byTable[table]?.Keys ?? []), { pk }], ConsistentRead: true };
    }
    let request: typeof byTable | undefined = byTable;
    while (request) {
      const result: BatchGetCommandOutput = await doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const items of Object.values(result.Responses ?? {})) {
        for (const item of items) found.set(item.pk as string, item.deliveries as number);
      }
      const rest: Record<string, unknown> = result.UnprocessedKeys ?? {};
      request = Object.keys(rest).length > 0 ? (rest as typeof byTable) : undefined;
    }
  }
  const lost = expected
    .filter(([pk, acked]) => (found.get(pk) ?? 0) < acked)
    .map(([key, acked]) => ({ key, acked, deliveries: found.get(key) ?? 0 }));
  const acked = expected.reduce((sum, [, count]) => sum + count, 0);
  const stored = expected.reduce((sum, [pk, count]) => sum + Math.min(count, found.get(pk) ?? 0), 0);
  const unacknowledgedStored = expected.reduce(
    (sum, [pk, count]) => sum + Math.max(0, (found.get(pk) ?? 0) - count),
    0,
  );
  return { expected: expected.length, acked, stored, lost, unacknowledgedStored };
};

/** Polls until every acknowledged delivery is stored, or the time is up; returns the last check. */
export const waitUntilStored = async (
  doc: DynamoDBDocumentClient,
  tables: { readonly callsTable: string; readonly jobsTable: string },
  ackedByKey: ReadonlyMap<string, number>,
  timeoutMs: number,
): Promise<StoredCheck> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await checkStored(doc, tables, ackedByKey);
    if (result.lost.length === 0 || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
};
