/**
 * What the call item says of its recordings (`recordings.call`, `recordings.customer`), and how
 * the worker writes one entry without touching the rest of the item.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CALLS_TABLE, type RecordingKind } from '../definitions.js';
import { ERASED_AT } from '../personal/tombstone.js';
import type { ArchivedCopy, RecordingEntry, Recordings } from '../store/items.js';

export type { ArchivedCopy, RecordingEntry, Recordings };

export interface RecordingsState {
  /** `{}` when none yet. */
  readonly recordings: Recordings;
  /** The call was erased: its recordings are not copied again. */
  readonly erased: boolean;
}

/** The item's recordings and whether it is erased, or undefined when the call item does not exist. */
export const readRecordings = async (
  doc: DynamoDBDocumentClient,
  table: string,
  pk: string,
): Promise<RecordingsState | undefined> => {
  const { Item } = await doc.send(
    new GetCommand({
      TableName: table,
      Key: { [CALLS_TABLE.partitionKey]: pk },
      ProjectionExpression: '#pk, recordings, #erased',
      ExpressionAttributeNames: { '#pk': CALLS_TABLE.partitionKey, '#erased': ERASED_AT },
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  return { recordings: (Item.recordings as Recordings | undefined) ?? {}, erased: ERASED_AT in Item };
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
 * map), each step conditional so two writers never overwrite each other's kind. Nothing is written
 * on an erased call (false: the caller reads again and sees it erased).
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
  const names = { '#pk': CALLS_TABLE.partitionKey, '#r': 'recordings', '#k': kind, '#erased': ERASED_AT };
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET #r.#k = :entry',
        // DynamoDB compares maps by value: the entry must be exactly as it was read.
        ConditionExpression: `attribute_exists(#pk) AND attribute_not_exists(#erased) AND attribute_exists(#r) AND ${
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
          ConditionExpression:
            'attribute_exists(#pk) AND attribute_not_exists(#erased) AND attribute_not_exists(#r)',
          ExpressionAttributeNames: { '#pk': names['#pk'], '#r': names['#r'], '#erased': ERASED_AT },
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
