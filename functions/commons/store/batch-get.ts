/**
 * Items by partition key, 100 keys per BatchGetItem, retrying what DynamoDB leaves unprocessed
 * with backoff. Used by the reconciler (which listed calls we hold) and the records CLI.
 */
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

const BATCH = 100;
const ATTEMPTS = 8;

/** Items by key, typed as the table's items (store/items.ts); with `attributes`, only those are set. */
export const getItemsByKey = async <T extends { readonly pk: string } = { readonly pk: string }>(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly string[],
  /** Attributes to read; whole items when absent. */
  attributes?: readonly string[],
): Promise<Map<string, T>> => {
  const items = new Map<string, T>();
  const unique = [...new Set(keys)];
  const projection = attributes
    ? {
        ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name])),
      }
    : {};
  for (let start = 0; start < unique.length; start += BATCH) {
    let request: BatchGetCommandInput['RequestItems'] | undefined = {
      [table]: { Keys: unique.slice(start, start + BATCH).map((pk) => ({ pk })), ...projection },
    };
    for (let attempt = 0; request && attempt < ATTEMPTS; attempt++) {
      const result: BatchGetCommandOutput = await doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[table] ?? []) items.set(item.pk as string, item as T);
      const unprocessed = result.UnprocessedKeys?.[table];
      request = unprocessed?.Keys?.length ? { [table]: unprocessed } : undefined;
      if (request) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
    if (request) throw new Error(`DynamoDB left keys unprocessed after ${ATTEMPTS} attempts`);
  }
  return items;
};
