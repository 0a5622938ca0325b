/**
 * What the call item says of its recordings (`recordings.call`, `recordings.customer`), and how
 * the worker writes one entry without touching the rest of the item.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CALLS_TABLE, type RecordingKind, type RecordingStatus } from '../definitions.js';

export interface ArchivedCopy {
  readonly url: string;
  readonly s3Key: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly fetchedAt: string;
}

export interface RecordingEntry {
  readonly status: RecordingStatus;
  /** The 百应 link this entry is about. */
  readonly url: string;
  readonly s3Key?: string;
  readonly bytes?: number;
  readonly sha256?: string;
  readonly contentType?: string;
  readonly fetchedAt?: string;
  /** Where the bytes came from after a redirect. */
  readonly fetchedFrom?: string;
  readonly attempts: number;
  /** Why it is not ARCHIVED (the last error, the refusal). */
  readonly reason?: string;
  readonly updatedAt: string;
  /** Earlier archived recordings of the same call and kind (a redial's new link replaced them). */
  readonly previous?: readonly ArchivedCopy[];
}

export type Recordings = Partial<Record<RecordingKind, RecordingEntry>>;

/** The item's recordings (`{}` when none yet), or undefined when the call item does not exist. */
export const readRecordings = async (
  doc: DynamoDBDocumentClient,
  table: string,
  pk: string,
): Promise<Recordings | undefined> => {
  const { Item } = await doc.send(
    new GetCommand({
      TableName: table,
      Key: { [CALLS_TABLE.partitionKey]: pk },
      ProjectionExpression: '#pk, recordings',
      ExpressionAttributeNames: { '#pk': CALLS_TABLE.partitionKey },
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  return (Item.recordings as Recordings | undefined) ?? {};
};

export class CallItemMissingError extends Error {
  override readonly name = 'CallItemMissingError';
}

/**
 * Sets `recordings.<kind>` on an existing call item. The map is created on first use (DynamoDB
 * cannot set a nested path under a missing map), with a condition in each step so two writers
 * never overwrite each other's kind.
 */
export const writeRecording = async (
  doc: DynamoDBDocumentClient,
  table: string,
  pk: string,
  kind: RecordingKind,
  entry: RecordingEntry,
): Promise<void> => {
  const key = { [CALLS_TABLE.partitionKey]: pk };
  const names = { '#pk': CALLS_TABLE.partitionKey, '#r': 'recordings', '#k': kind };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET #r.#k = :entry',
          ConditionExpression: 'attribute_exists(#pk) AND attribute_exists(#r)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':entry': entry },
        }),
      );
      return;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    try {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET #r = :map',
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#r)',
          ExpressionAttributeNames: { '#pk': names['#pk'], '#r': names['#r'] },
          ExpressionAttributeValues: { ':map': { [kind]: entry } },
        }),
      );
      return;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // Both conditions failed: either the map appeared between the two writes (try again) or the
    // call item does not exist.
    const current = await readRecordings(doc, table, pk);
    if (current === undefined) throw new CallItemMissingError(`call item ${pk} does not exist`);
  }
  throw new Error(`recordings.${kind} of ${pk} could not be written (concurrent writers)`);
};
