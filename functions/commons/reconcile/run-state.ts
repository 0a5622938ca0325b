/**
 * Whose turn it is: each reconciler run takes the next number from a counter item in the calls
 * table (`pk = reconciler#runs`), so every company × direction pair goes first in turn across
 * runs, whatever the schedule. One atomic UpdateItem: overlapping runs get different turns, the
 * first run creates the item, and the reconciler needs no permission it does not already have.
 * The item holds no call: it has no index keys, state or record, so no reader lists it.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CALLS_TABLE } from '../definitions.js';

export const RUN_COUNTER_KEY = 'reconciler#runs';

/** Takes this run's turn: the number of runs before it (0 for the first). */
export const takeTurn = async (doc: DynamoDBDocumentClient, table: string): Promise<number> => {
  const { Attributes } = await doc.send(
    new UpdateCommand({
      TableName: table,
      Key: { [CALLS_TABLE.partitionKey]: RUN_COUNTER_KEY },
      UpdateExpression: 'ADD #runs :one',
      ExpressionAttributeNames: { '#runs': 'runs' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(Attributes?.runs ?? 1) - 1;
};
