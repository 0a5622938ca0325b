/**
 * The jobs of a company the stack has seen lately: from its job statuses (the jobs table's
 * `byCompany` index, updated since `since`) and from its calls (the calls table's
 * `byCompanyDate` index over the Beijing days of the window). Index queries only, never a scan.
 */
import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { BY_COMPANY, BY_COMPANY_DATE } from '../definitions.js';
import { beijingDate, companyDateKeys } from '../store/keys.js';
import { DEFAULT_INDEX_SHARDS } from '../store/shards.js';

/** Beijing days from the one holding `fromMs` to the one holding `toMs`, both included. */
export const beijingDaysBetween = (fromMs: number, toMs: number): string[] => {
  const days: string[] = [];
  for (let at = fromMs; ; at += 86_400_000) {
    const day = beijingDate(new Date(Math.min(at, toMs)).toISOString());
    if (days.at(-1) !== day) days.push(day);
    if (at >= toMs) return days;
  }
};

export const jobsSeen = async (
  doc: DynamoDBDocumentClient,
  tables: { readonly calls: string; readonly jobs: string },
  companyId: string,
  window: { readonly fromMs: number; readonly toMs: number },
  shards = DEFAULT_INDEX_SHARDS,
): Promise<Set<string>> => {
  const seen = new Set<string>();
  const add = (items: readonly Record<string, unknown>[] | undefined) => {
    for (const item of items ?? []) if (typeof item.callJobId === 'string') seen.add(item.callJobId);
  };
  const statuses = paginateQuery(
    { client: doc },
    {
      TableName: tables.jobs,
      IndexName: BY_COMPANY.name,
      KeyConditionExpression: '#company = :company AND #at >= :since',
      ExpressionAttributeNames: {
        '#company': BY_COMPANY.partitionKey,
        '#at': BY_COMPANY.sortKey,
        '#job': 'callJobId',
      },
      ExpressionAttributeValues: { ':company': companyId, ':since': new Date(window.fromMs).toISOString() },
      ProjectionExpression: '#job',
    },
  );
  for await (const page of statuses) add(page.Items);
  for (const day of beijingDaysBetween(window.fromMs, window.toMs)) {
    // Every shard of the day, and its key from before sharding.
    for (const key of companyDateKeys(companyId, day, shards)) {
      const calls = paginateQuery(
        { client: doc },
        {
          TableName: tables.calls,
          IndexName: BY_COMPANY_DATE.name,
          KeyConditionExpression: '#key = :key',
          ExpressionAttributeNames: { '#key': BY_COMPANY_DATE.partitionKey, '#job': 'callJobId' },
          ExpressionAttributeValues: { ':key': key },
          ProjectionExpression: '#job',
        },
      );
      for await (const page of calls) add(page.Items);
    }
  }
  return seen;
};
