/**
 * One reconciler run: for each company, ask 百应 which outbound (0) and inbound (1) deliveries
 * failed over the Beijing days that cover its whole retry horizon, skip what we already hold,
 * fetch each missing outbound call and put it on the pipeline's queue (consume stays the only
 * writer of call records), and mark inbound misses MISSING. Bounded by the function's remaining
 * time; a stopped run loses nothing, because the next run lists the same misses again.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ByrobotClient, Miss } from '../byrobot/client.js';
import { ByrobotError } from '../byrobot/errors.js';
import { allPages } from '../byrobot/paging.js';
import { parseLossless, toPlain } from '../contract/lossless.js';
import { beijingIsoFromEpochMs } from '../contract/time.js';
import type { Enqueuer } from '../ingest/enqueue.js';
import { maskPhone } from '../mask.js';
import type { DataPolicy } from '../personal/policy.js';
import { CALL_STATES } from '../store/call-store.js';
import { callKey } from '../store/keys.js';
import type { Counter, Log } from '../telemetry.js';
import { writeMissingMarker } from './missing-marker.js';
import { statesOf } from './presence.js';
import { countRun, OutOfTime, untilOutOfTime } from './run-report.js';

export interface ReconcileDeps {
  readonly client: Pick<ByrobotClient, 'queryUnCallBack' | 'phoneLogInfo'>;
  readonly doc: DynamoDBDocumentClient;
  readonly callsTable: string;
  readonly enqueue: Enqueuer;
  readonly logger: Log;
  readonly counter: Counter;
  /** Retention and the phone hash for the MISSING markers written. */
  readonly policy?: DataPolicy;
  /** Shards of the index keys of the markers written (store/shards.ts). @default DEFAULT_INDEX_SHARDS */
  readonly shards?: number;
  readonly now?: () => number;
}

export interface ReconcileOptions {
  readonly companyIds: readonly string[];
  /** Beijing days to cover, today included; never less than 百应's retry horizon back from now. */
  readonly lookBackDays: number;
  /** The instant whose window to query (default now); requests and receive times still use the real clock. */
  readonly windowAt?: number;
  /**
   * This run's number (the runs before it, from the run state): the run starts at pair
   * `turn mod pairs`, so every company × direction pair goes first in turn. @default 0
   */
  readonly turn?: number;
  /** Milliseconds the run may still use; it stops cleanly below `reserveMs`. */
  readonly remainingMs: () => number;
  readonly reserveMs?: number;
}

export interface ReconcileSummary {
  listed: number;
  recovered: number;
  alreadyPresent: number;
  markedMissing: number;
  failed: number;
  pages: number;
  stoppedEarly: boolean;
}

const DAY_MS = 86_400_000;

/**
 * 百应 retries a delivery for 26 h 46 min; the window always reaches this far back (with a
 * margin), measured from now rather than counted in calendar days: at 00:30 Beijing a call
 * from the day before yesterday may still be in its retries.
 */
export const RETRY_HORIZON_MS = 27 * 3_600_000;

/** The query window in Beijing dates: back to `lookBackDays - 1` days or the retry horizon, whichever is further. */
export const beijingWindow = (
  nowMs: number,
  lookBackDays: number,
): { startDate: string; endDate: string } => ({
  startDate: beijingIsoFromEpochMs(nowMs - Math.max(RETRY_HORIZON_MS, (lookBackDays - 1) * DAY_MS)).slice(
    0,
    10,
  ),
  endDate: beijingIsoFromEpochMs(nowMs).slice(0, 10),
});

/** The callback body consume would have received: the fetched data in the callback envelope. */
export const recoveredBody = (dataText: string): string =>
  `{"code":200,"data":{"dataType":"CALL_INSTANCE_RESULT","data":${dataText}},"resultMsg":"recovered by the reconciler (phoneLogInfo)","errorStackTrace":null}`;

/** The call id a phoneLogInfo answer is about (`sceneInstance.callInstanceId`, exact), if any. */
const answeredCallId = (dataText: string): string | undefined => {
  try {
    const data = parseLossless(dataText) as { sceneInstance?: { callInstanceId?: unknown } };
    const id = data.sceneInstance?.callInstanceId;
    return id === undefined || id === null ? undefined : String(toPlain(id));
  } catch {
    return undefined;
  }
};

export const runReconcile = async (
  deps: ReconcileDeps,
  options: ReconcileOptions,
): Promise<ReconcileSummary> => {
  const now = deps.now ?? Date.now;
  const summary: ReconcileSummary = {
    listed: 0,
    recovered: 0,
    alreadyPresent: 0,
    markedMissing: 0,
    failed: 0,
    pages: 0,
    stoppedEarly: false,
  };
  const window = beijingWindow(options.windowAt ?? now(), options.lookBackDays);
  const checkTime = () => {
    if (options.remainingMs() < (options.reserveMs ?? 15_000)) throw new OutOfTime();
  };

  const recoverOutbound = async (companyId: string, miss: Miss): Promise<void> => {
    checkTime();
    try {
      const dataText = await deps.client.phoneLogInfo(miss.callInstanceId);
      if (!dataText.includes('"sceneInstance":{')) {
        throw new ByrobotError('malformed', `phoneLogInfo ${miss.callInstanceId} holds no sceneInstance yet`);
      }
      // Enqueue only the call that was asked for: 百应 answering with another call would file it twice.
      const answered = answeredCallId(dataText);
      if (answered !== miss.callInstanceId) {
        throw new ByrobotError(
          'malformed',
          `phoneLogInfo for ${miss.callInstanceId} answered with call ${answered ?? 'none'}`,
        );
      }
      const receivedAt = new Date(now()).toISOString();
      // One request id per call: whichever run recovers it, consume merges it once.
      await deps.enqueue(
        {
          requestId: `reconcile:${companyId}:${miss.callInstanceId}`,
          receivedAt,
          source: 'reconciler',
          dataType: 'CALL_INSTANCE_RESULT',
        },
        recoveredBody(dataText),
      );
      summary.recovered++;
    } catch (error) {
      // Only wrong credentials stop the run (every other call would fail the same way); one
      // call 百应 refuses (403, 412, an API error) is counted and tried again next run.
      if (error instanceof ByrobotError && error.kind === 'unauthorized') throw error;
      summary.failed++;
      deps.logger.warn('missed call not recovered; the next run retries', {
        companyId,
        callInstanceId: miss.callInstanceId,
        customer: miss.customerTelephone ? maskPhone(String(miss.customerTelephone)) : undefined,
        error,
      });
    }
  };

  const reconcileList = async (companyId: string, dataType: 0 | 1): Promise<void> => {
    const direction = dataType === 0 ? 'outbound' : 'inbound';
    for await (const page of allPages(deps.client, { companyId, dataType, ...window })) {
      summary.pages++;
      summary.listed += page.list.length;
      checkTime();
      const states = await statesOf(
        deps.doc,
        deps.callsTable,
        page.list.map((miss) => callKey(direction, miss.callInstanceId)),
      );
      for (const miss of page.list) {
        if (states.get(callKey(direction, miss.callInstanceId)) === CALL_STATES.recorded) {
          summary.alreadyPresent++;
          continue;
        }
        if (dataType === 0) {
          await recoverOutbound(companyId, miss);
        } else {
          checkTime();
          const outcome = await writeMissingMarker(
            deps.doc,
            deps.callsTable,
            companyId,
            miss,
            new Date(now()).toISOString(),
            deps.policy,
            deps.shards,
          );
          if (outcome === 'marked') summary.markedMissing++;
          else summary.alreadyPresent++;
        }
      }
      checkTime();
    }
  };

  // Every (company, direction) pair, the next one first on each run: a pair that keeps failing
  // or running out of time cannot starve the ones after it.
  const pairs = options.companyIds.flatMap((companyId) =>
    ([0, 1] as const).map((dataType) => ({ companyId, dataType })),
  );
  const offset = pairs.length === 0 ? 0 : (options.turn ?? 0) % pairs.length;
  const ordered = [...pairs.slice(offset), ...pairs.slice(0, offset)];

  summary.stoppedEarly = await untilOutOfTime(deps.counter, 'classic', async () => {
    for (const { companyId, dataType } of ordered) {
      try {
        await reconcileList(companyId, dataType);
      } catch (error) {
        if (error instanceof OutOfTime) throw error;
        // Wrong credentials fail every company alike: stop. Anything else (a company 百应
        // refuses, an outage) is counted, and the other companies still get their turn.
        if (error instanceof ByrobotError && error.kind === 'unauthorized') throw error;
        summary.failed++;
        deps.logger.error('listing failed deliveries failed; the next run retries', {
          companyId,
          dataType,
          error,
        });
      }
    }
  });
  countRun(deps.counter, 'classic', summary, { MarkedMissing: summary.markedMissing });
  deps.logger.info('reconcile run finished', { ...summary, ...window, companies: options.companyIds.length });
  return summary;
};
