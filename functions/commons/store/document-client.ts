/**
 * The one way the project builds a DynamoDB document client, so every writer and reader
 * marshals the same way: absent values are dropped (never stored as null), and objects whose
 * keys shadow Object's own (`constructor`, `toString`, …) — 百应 passes customers' own script
 * variables through — are stored as the plain maps they are instead of being refused as
 * "class instances".
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const documentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
