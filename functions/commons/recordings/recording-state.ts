/**
 * What the call item says of its recordings (`recordings.call`, `recordings.customer`), and how
 * the worker writes one entry without touching the rest of the item.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CALLS_TABLE, type RecordingKind } from '../definitions.js';
import type { ArchivedCopy, RecordingEntry, Recordings } from '../store/items.js';

export type { ArchivedCopy, RecordingEntry, Recordings };

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
 * Sets `recordings.<kind>` on an existing call item, if the entry is still `expected` (the entry
 * as the caller read it; undefined when there was none): a compare-and-set, so a late or
 * concurrent task never overwrites what another wrote after it read (an ARCHIVED copy above
 * all). Resolves false when the entry changed meanwhile: the caller reads again and decides
 * afresh. The map is created on first use (DynamoDB cannot set a nested path under a missing
 * map), each step conditional so two writers never overwrite each other's kind.
 */
export const writeRecording = async (
  doc: DynamoDBDocumentClient,
  table: string,
  pk: string,
  kind: RecordingKind,
  entry: RecordingEntry,
  expected: RecordingEntry | undefined,
): Promise<boolean> => {
  const key = { [CALLS_TABLE.partitionKey]: pk };
  const names = { '#pk': CALLS_TABLE.partitionKey, '#r': 'recordings', '#k': kind };
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET #r.#k = :entry',
        // DynamoDB compares maps by value: the entry must be exactly as it was read.
        ConditionExpression: `attribute_exists(#pk) AND attribute_exists(#r) AND ${
          expected ? '#r.#k = :expected' : 'attribute_not_exists(#r.#k)'
        }`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':entry': entry, ...(expected ? { ':expected': expected } : {}) },
      }),
    );
    return true;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  if (expected === undefined) {
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
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  if ((await readRecordings(doc, table, pk)) === undefined) {
    throw new CallItemMissingError(`call item ${pk} does not exist`);
  }
  return false;
};
