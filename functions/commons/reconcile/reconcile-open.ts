/**
 * One reconciler run for 百应's open platform (open.byai.com), which retries a callback for only
 * about 4 h 42 min and lists no failed deliveries: for every job of each configured company that
 * was active in the look-back window, page through the job's completed calls (`calldone/list`),
 * and put every call we do not hold on the pipeline's queue as the open-platform callback it would
 * have been (consume stays the only writer of records), with the call's detail where the platform
 * gives it.
 *
 * Bounded: a deadline from the function's time left; each page fetched once per run; jobs taken a
 * page at a time in turn, across companies, starting elsewhere each run, so a huge job cannot
 * starve the others; one company's failure never stops the others.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ByrobotError } from '../byrobot/errors.js';
import { digitsOf, type OpenPage, type OpenPlatformClient } from '../byrobot/open-client.js';
import type { Enqueuer } from '../ingest/enqueue.js';
import { maskPhone } from '../mask.js';
import { CALL_STATES } from '../store/items.js';
import { callKey } from '../store/keys.js';
import type { Counter, Log } from '../telemetry.js';
import { jobsSeen } from './jobs-seen.js';
import { callIdOf, epochMsOf, recoveredOpenCall } from './open-call.js';
import { statesOf } from './presence.js';
import { countRun, OutOfTime, untilOutOfTime } from './run-report.js';

export interface OpenReconcileDeps {
  readonly client: Pick<OpenPlatformClient, 'jobs' | 'jobDetail' | 'callsDone' | 'callDetail'>;
  readonly doc: DynamoDBDocumentClient;
  readonly tables: { readonly calls: string; readonly jobs: string };
  readonly enqueue: Enqueuer;
  readonly logger: Log;
  readonly counter: Counter;
  readonly now?: () => number;
  /** Shards of the calls' index keys (store/shards.ts). @default DEFAULT_INDEX_SHARDS */
  readonly shards?: number;
}

export interface OpenReconcileOptions {
  readonly companyIds: readonly string[];
  /** How far back a job counts as active. @default 48 */
  readonly lookBackHours?: number;
  /** The instant whose window to use (default now); requests and receive times still use the real clock. */
  readonly windowAt?: number;
  /** This run's number: jobs start at a different one each run. @default 0 */
  readonly turn?: number;
  /** Milliseconds the run may still use; it stops cleanly below `reserveMs`. */
  readonly remainingMs: () => number;
  readonly reserveMs?: number;
}

export interface OpenReconcileSummary {
  companies: number;
  jobsChecked: number;
  pages: number;
  listed: number;
  alreadyPresent: number;
  recovered: number;
  transcriptsMissing: number;
  failed: number;
  stoppedEarly: boolean;
}

export const DEFAULT_LOOK_BACK_HOURS = 48;

/** The times a job's detail may carry; the latest says when it was last active. */
const ACTIVITY_FIELDS = ['lastCallTime', 'updateTime', 'gmtModified', 'endTime', 'finishTime'];

/** When a job was last active by its detail, or undefined when the detail does not tell. */
const lastActiveOf = (detail: Record<string, unknown>): number | undefined => {
  const times = ACTIVITY_FIELDS.map((field) => epochMsOf(detail[field])).filter(
    (time): time is number => time !== undefined,
  );
  return times.length > 0 ? Math.max(...times) : undefined;
};

interface JobTurn {
  readonly companyId: string;
  readonly callJobId: string;
  pageNum: number;
}

export const runOpenReconcile = async (
  deps: OpenReconcileDeps,
  options: OpenReconcileOptions,
): Promise<OpenReconcileSummary> => {
  const now = deps.now ?? Date.now;
  const summary: OpenReconcileSummary = {
    companies: options.companyIds.length,
    jobsChecked: 0,
    pages: 0,
    listed: 0,
    alreadyPresent: 0,
    recovered: 0,
    transcriptsMissing: 0,
    failed: 0,
    stoppedEarly: false,
  };
  const toMs = options.windowAt ?? now();
  const window = { fromMs: toMs - (options.lookBackHours ?? DEFAULT_LOOK_BACK_HOURS) * 3_600_000, toMs };
  const checkTime = () => {
    if (options.remainingMs() < (options.reserveMs ?? 15_000)) throw new OutOfTime();
  };
  const failed = (message: string, fields: Record<string, unknown>) => {
    summary.failed++;
    deps.logger.warn(message, fields);
  };

  /** The jobs of a company to check: those the stack has seen, and those listed that were active or may have been. */
  const jobsOf = async (companyId: string): Promise<string[]> => {
    const jobs = await jobsSeen(deps.doc, deps.tables, companyId, window, deps.shards);
    for (let pageNum = 1, pages = 1; pageNum <= pages; pageNum++) {
      checkTime();
      const page = await deps.client.jobs(companyId, pageNum);
      pages = page.pages;
      for (const entry of page.list) {
        const callJobId = digitsOf(entry.callJobId);
        if (callJobId === undefined || jobs.has(callJobId)) continue;
        checkTime();
        let lastActive: number | undefined;
        try {
          lastActive = lastActiveOf(await deps.client.jobDetail(companyId, callJobId));
        } catch (error) {
          if (error instanceof ByrobotError && error.kind === 'unauthorized') throw error;
          // Nothing tells when it was active: check it (a finished job may hold undelivered calls).
        }
        if (lastActive === undefined || lastActive >= window.fromMs) jobs.add(callJobId);
      }
      if (page.list.length === 0) break;
    }
    return [...jobs].sort();
  };

  const recover = async (companyId: string, entry: Record<string, unknown>, id: string): Promise<void> => {
    checkTime();
    let detail: Record<string, unknown> | undefined;
    try {
      detail = await deps.client.callDetail(companyId, id);
    } catch (error) {
      if (error instanceof ByrobotError && error.kind === 'unauthorized') throw error;
      deps.logger.warn('call detail not available; the list entry is stored without a transcript', {
        companyId,
        callInstanceId: id,
        error,
      });
    }
    const call = recoveredOpenCall(entry, detail, companyId);
    await deps.enqueue(
      {
        // One request id per call: whichever run recovers it, consume merges it once.
        requestId: `reconcile-open:${companyId}:${id}`,
        receivedAt: new Date(now()).toISOString(),
        source: 'reconciler',
        dataType: 'CALL_INSTANCE_RESULT',
        ...(call.transcriptMissing ? { transcriptMissing: true as const } : {}),
      },
      call.body,
    );
    summary.recovered++;
    if (call.transcriptMissing) summary.transcriptsMissing++;
  };

  /** One page of a job's completed calls: what we do not hold is recovered. True when more pages follow. */
  const checkPage = async (turn: JobTurn): Promise<boolean> => {
    checkTime();
    const page: OpenPage = await deps.client.callsDone(turn.companyId, turn.callJobId, turn.pageNum);
    summary.pages++;
    summary.listed += page.list.length;
    const entries = page.list.flatMap((entry) => {
      const id = callIdOf(entry);
      return id === undefined ? [] : [{ entry, id }];
    });
    const states = await statesOf(
      deps.doc,
      deps.tables.calls,
      entries.map(({ id }) => callKey('outbound', id)),
    );
    for (const { entry, id } of entries) {
      if (states.get(callKey('outbound', id)) === CALL_STATES.recorded) {
        summary.alreadyPresent++;
        continue;
      }
      try {
        await recover(turn.companyId, entry, id);
      } catch (error) {
        if (error instanceof OutOfTime) throw error;
        if (error instanceof ByrobotError && error.kind === 'unauthorized') throw error;
        failed('open-platform call not recovered; the next run retries', {
          companyId: turn.companyId,
          callJobId: turn.callJobId,
          callInstanceId: id,
          customer:
            typeof entry.customerTelephone === 'string' ? maskPhone(entry.customerTelephone) : undefined,
          error,
        });
      }
    }
    // An empty job answers pageNum 0; `pages` says how many there are.
    return page.pageNum > 0 && page.list.length > 0 && turn.pageNum < page.pages;
  };

  // Companies start at the next one each run, and a company's jobs at its next one each time its
  // turn comes round again; then they take turns a page at a time.
  const turn = options.turn ?? 0;
  const rotate = <T>(items: readonly T[], by: number): T[] => {
    const offset = items.length === 0 ? 0 : by % items.length;
    return [...items.slice(offset), ...items.slice(0, offset)];
  };
  const jobTurn = Math.floor(turn / Math.max(1, options.companyIds.length));
  summary.stoppedEarly = await untilOutOfTime(deps.counter, 'open', async () => {
    const perCompany: JobTurn[][] = [];
    for (const companyId of rotate(options.companyIds, turn)) {
      try {
        const jobs = await jobsOf(companyId);
        perCompany.push(rotate(jobs, jobTurn).map((callJobId) => ({ companyId, callJobId, pageNum: 1 })));
      } catch (error) {
        if (error instanceof OutOfTime) throw error;
        failed('listing open-platform jobs failed; the next run retries', { companyId, error });
      }
    }
    const queue = interleave(perCompany);
    summary.jobsChecked = queue.length;
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      try {
        if (await checkPage(item)) queue.push({ ...item, pageNum: item.pageNum + 1 });
      } catch (error) {
        if (error instanceof OutOfTime) throw error;
        failed('listing a job’s completed calls failed; the next run retries', {
          companyId: item.companyId,
          callJobId: item.callJobId,
          pageNum: item.pageNum,
          error,
        });
      }
    }
  });
  countRun(deps.counter, 'open', summary, { TranscriptsMissing: summary.transcriptsMissing });
  deps.logger.info('open-platform reconcile run finished', {
    ...summary,
    from: new Date(window.fromMs).toISOString(),
    to: new Date(window.toMs).toISOString(),
  });
  return summary;
};

/** The jobs of different companies in turn (one of each, then the next of each …), so no company waits for another's many jobs. */
const interleave = <T>(lists: readonly (readonly T[])[]): T[] => {
  const out: T[] = [];
  const longest = Math.max(0, ...lists.map((list) => list.length));
  for (let index = 0; index < longest; index++) {
    for (const list of lists) {
      const item = list[index];
      if (item !== undefined) out.push(item);
    }
  }
  return out;
};
