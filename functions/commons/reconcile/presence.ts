/** Which listed calls we already hold: one BatchGetItem per 100 ids, reading only the key and state. */
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

const BATCH = 100;

export const statesOf = async (
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly string[],
): Promise<Map<string, string>> => {
  const states = new Map<string, string>();
  const unique = [...new Set(keys)];
  for (let start = 0; start < unique.length; start += BATCH) {
    let request: BatchGetCommandInput['RequestItems'] | undefined = {
      [table]: {
        Keys: unique.slice(start, start + BATCH).map((pk) => ({ pk })),
        ProjectionExpression: '#pk, #state',
        ExpressionAttributeNames: { '#pk': 'pk', '#state': 'state' },
      },
    };
    for (let attempt = 0; request && attempt < 8; attempt++) {
      const result: BatchGetCommandOutput = await doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[table] ?? [])
        states.set(item.pk as string, (item.state as string | undefined) ?? 'UNKNOWN');
      const unprocessed = result.UnprocessedKeys?.[table];
      request = unprocessed?.Keys?.length ? { [table]: unprocessed } : undefined;
      if (request) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
    if (request) throw new Error('DynamoDB left keys unprocessed after 8 attempts');
  }
  return states;
};
