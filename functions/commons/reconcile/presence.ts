/** Which listed calls we already hold, reading only the key and state of each. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getItemsByKey } from '../store/batch-get.js';
import type { CallItem } from '../store/items.js';

export const statesOf = async (
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly string[],
): Promise<Map<string, string>> => {
  const items = await getItemsByKey<Pick<CallItem, 'pk' | 'state'>>(doc, table, keys, ['pk', 'state']);
  return new Map([...items].map(([pk, item]) => [pk, item.state ?? 'UNKNOWN']));
};
