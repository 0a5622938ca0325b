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

/**
 * How much slower than usual this machine is right now (1 = an idle 2-core machine), so the
 * reliability runs scale their waits instead of reporting deliveries as lost that are only late.
 * Measured once: a fixed amount of CPU work, timed. `RELIABILITY_WAIT_SCALE` overrides it.
 */
export const waitScale = (() => {
  let measured: number | undefined;
  return (): number => {
    if (process.env.RELIABILITY_WAIT_SCALE) return Number(process.env.RELIABILITY_WAIT_SCALE);
    if (measured === undefined) {
      const started = performance.now();
      let x = 0;
      for (let i = 0; i < 20_000_000; i++) x = (x + i * 7) % 1_000_003;
      const elapsed = performance.now() - started + (x < 0 ? 1 : 0);
      // About 90 ms on an idle machine of this size (2 cores); never scale down.
      measured = Math.max(1, Math.min(5, elapsed / 90));
    }
    return measured;
  };
})();

/**
 * Item keys of the messages parked in a dead-letter queue: not lost (a redrive stores them),
 * but not stored either. Reported apart from losses. Reading them makes them visible again at once.
 */
export const parkedKeys = async (
  sqs: import('@aws-sdk/client-sqs').SQSClient,
  dlqUrl: string,
  keyOfBody: (body: string) => readonly string[],
): Promise<Set<string>> => {
  const { ReceiveMessageCommand, ChangeMessageVisibilityCommand } = await import('@aws-sdk/client-sqs');
  const keys = new Set<string>();
  for (let round = 0; round < 20; round++) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 30,
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    for (const message of messages) {
      for (const key of keyOfBody(message.Body ?? '')) keys.add(key);
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: dlqUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
  }
  return keys;
};
