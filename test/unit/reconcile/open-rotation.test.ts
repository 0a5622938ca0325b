/**
 * The open-platform reconciler's fairness, with a stub platform: jobs are taken a page at a time
 * in turn across companies, so a huge job cannot starve the others; each run starts with another
 * company and job; a run stops cleanly at its deadline; listed jobs that were not active in the
 * window are not paged.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { OpenPage } from '../../../functions/commons/byrobot/open-client.js';
import { runOpenReconcile } from '../../../functions/commons/reconcile/reconcile-open.js';
import { RecordingCounter, RecordingLogger } from '../../support/recorders.js';

/** Jobs per company, each with its number of pages of calls (one call a page). */
const PLATFORM: Record<string, Record<string, number>> = { '1': { '101': 3, '102': 1 }, '2': { '201': 1 } };
/** Short names for the jobs in the expectations. */
const NAMES: Record<string, string> = { '101': 'A', '102': 'B', '201': 'C' };
const NOW = Date.UTC(2026, 11, 8, 4, 0, 0);

const stub = (lastActive: Record<string, number> = {}) => {
  const pages: string[] = [];
  const page = (list: Record<string, unknown>[], pageNum: number, pagesTotal: number): OpenPage => ({
    total: list.length,
    pages: pagesTotal,
    pageNum,
    list,
  });
  const client = {
    jobs: async (companyId: string) =>
      page(
        Object.keys(PLATFORM[companyId] ?? {}).map((callJobId) => ({ callJobId })),
        1,
        1,
      ),
    jobDetail: async (_companyId: string, callJobId: string) =>
      lastActive[callJobId] === undefined ? {} : { lastCallTime: lastActive[callJobId] },
    callsDone: async (companyId: string, callJobId: string, pageNum: number) => {
      pages.push(`${NAMES[callJobId]}${pageNum}`);
      const total = PLATFORM[companyId]?.[callJobId] ?? 0;
      return page([{ callInstanceId: `${callJobId}00${pageNum}` }], pageNum, total);
    },
    callDetail: async () => ({ phoneLogs: [] }),
  };
  // Nothing is stored yet: every listed call is recovered; the stack has seen no job.
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const tables = mockClient(doc);
  tables.on(QueryCommand).resolves({ Items: [] });
  tables.on(BatchGetCommand).resolves({ Responses: {} });
  const sent: string[] = [];
  const deps = {
    client,
    doc,
    tables: { calls: 'calls', jobs: 'jobs' },
    enqueue: async (meta: { requestId: string }) => {
      sent.push(meta.requestId);
      return { messageId: 'm', claimed: false };
    },
    logger: new RecordingLogger(),
    counter: new RecordingCounter(),
    now: () => NOW,
  };
  return { deps, pages, sent };
};

test('a huge job takes turns with the others, a page at a time, across companies', async () => {
  const { deps, pages } = stub();
  const summary = await runOpenReconcile(deps, { companyIds: ['1', '2'], remainingMs: () => 600_000 });
  expect(pages).toEqual(['A1', 'C1', 'B1', 'A2', 'A3']);
  expect(summary).toMatchObject({ jobsChecked: 3, pages: 5, recovered: 5, stoppedEarly: false });
});

test('each run starts with another company and job', async () => {
  const firsts: string[] = [];
  for (const turn of [0, 1, 2, 3]) {
    const { deps, pages } = stub();
    await runOpenReconcile(deps, { companyIds: ['1', '2'], turn, remainingMs: () => 600_000 });
    firsts.push(pages[0] as string);
  }
  expect(firsts).toEqual(['A1', 'C1', 'B1', 'C1']);
});

test('a run stops cleanly at its deadline, the pages it reached done', async () => {
  const { deps, pages } = stub();
  let budget = 8;
  const summary = await runOpenReconcile(deps, {
    companyIds: ['1', '2'],
    remainingMs: () => (budget-- > 0 ? 600_000 : 1_000),
  });
  expect(summary.stoppedEarly).toBe(true);
  expect(pages.length).toBeLessThan(5);
  expect(summary.pages).toBe(pages.length);
  expect(summary.recovered).toBeLessThanOrEqual(summary.pages);
});

test('a listed job whose detail shows no activity in the window is not paged; one whose detail says nothing is', async () => {
  const { deps, pages } = stub({ '101': NOW - 72 * 3_600_000, '102': NOW - 3_600_000 });
  await runOpenReconcile(deps, { companyIds: ['1', '2'], remainingMs: () => 600_000 });
  expect(pages).toEqual(['B1', 'C1']);
});
