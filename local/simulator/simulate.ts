/**
 * 百应 as a delivery client: posts generated callbacks to a receiver URL, counts only a body of
 * exactly `success` as an acknowledgement, retries on 百应's schedule (compressed by
 * `timeScale`), and can inject duplicates, reordering and dropped deliveries. Dropped outbound
 * and inbound calls are reported to a fake 百应 (if given) so the reconciler can find them.
 */

import type { Platform } from '../../functions/commons/contract/types.js';
import { OPEN_ADMIN_PATH } from '../fake-open-platform.js';
import { type Generated, generateCallbacks, type Kind } from './generate.js';
import { createPoster } from './post.js';
import { Random } from './random.js';
import { retryDelayMs, SCHEDULES } from './schedule.js';

export interface SimulationOptions {
  /** Base URL of the receiver: the local stack, or the deployed API (`…/v1` or `…/v1/<secret>`). */
  readonly url: string;
  readonly count: number;
  readonly concurrency: number;
  readonly seed: number;
  /** Fraction of callbacks delivered twice (百应 repeating an acknowledged delivery). */
  readonly duplicates: number;
  /** Deliver in a shuffled order (manual changes may precede their call records). */
  readonly shuffle: boolean;
  /** Fraction of callbacks never delivered (百应 gave up); reported to `byrobotUrl`. */
  readonly drop: number;
  /** 1 = real time; 0.001 turns 百应's 10 s first retry into 10 ms. */
  readonly timeScale: number;
  /** Defaults to the platform's own schedule (27 classic, 16 open). */
  readonly maxDeliveries?: number;
  /** Which 百应 platform to play: its envelope and its retry schedule. @default classic */
  readonly platform?: Platform;
  /**
   * The fake 百应 to tell: dropped classic deliveries (its failed-delivery list), or every
   * open-platform call, delivered or not (its jobs' completed-call lists).
   */
  readonly byrobotUrl?: string;
  readonly companyId?: string;
  /** Recording links under this base (the fake 百应's `/recordings`), instead of 百应's OSS. */
  readonly recordingBase?: string;
  readonly requestTimeoutMs?: number;
  readonly onProgress?: (progress: Progress) => void;
}

export interface Progress {
  readonly total: number;
  readonly done: number;
  readonly acked: number;
  readonly retrying: number;
}

export interface SimulationSummary {
  readonly callbacks: number;
  readonly byKind: Readonly<Record<Kind, number>>;
  readonly sent: number;
  readonly acked: number;
  readonly retried: number;
  readonly givenUp: number;
  readonly duplicatesSent: number;
  readonly droppedCount: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number };
  readonly durationMs: number;
  readonly ackedPerSecond: number;
  /** Acknowledged deliveries per stored item key: what the receiver must show. */
  readonly ackedByKey: ReadonlyMap<string, number>;
  /** Customer phone numbers the generated callbacks carry (to audit logs for leaks). */
  readonly phones: readonly string[];
  /** What was dropped on purpose; only outbound and inbound calls are reported to 百应's list. */
  readonly dropped: readonly { readonly kind: Kind; readonly key: string }[];
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);

class Semaphore {
  private waiting: (() => void)[] = [];
  private active = 0;
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

const reportDropped = async (byrobotUrl: string, dropped: readonly Generated[]): Promise<void> => {
  for (const dataType of [0, 1] as const) {
    const kind = dataType === 0 ? 'outbound' : 'inbound';
    const calls = dropped.filter((item) => item.kind === kind);
    if (calls.length === 0) continue;
    const scene = (item: Generated) => item.data.sceneInstance as Record<string, unknown>;
    const response = await fetch(new URL('/_fake/misses', byrobotUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        companyId: calls[0]?.companyId,
        dataType,
        misses: calls.map((item) => ({
          callInstanceId: String(scene(item).callInstanceId ?? scene(item).inboundInstanceId),
          callJobId: String(scene(item).callJobId),
          customerTelephone: scene(item).customerTelephone,
          callerTime: scene(item).startTime,
        })),
        details:
          dataType === 0
            ? Object.fromEntries(calls.map((item) => [String(scene(item).callInstanceId), item.data]))
            : {},
      }),
    });
    if (!response.ok)
      throw new Error(`the fake 百应 refused the dropped deliveries: HTTP ${response.status}`);
  }
};

/** The open platform lists every completed call of a job, whether its callback got through or not. */
const registerOpenCalls = async (byrobotUrl: string, generated: readonly Generated[]): Promise<void> => {
  const calls = generated.filter((item) => item.kind === 'outbound');
  if (calls.length === 0) return;
  const response = await fetch(new URL(OPEN_ADMIN_PATH, byrobotUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ companyId: calls[0]?.companyId, calls: calls.map((item) => item.data) }),
  });
  if (!response.ok) throw new Error(`the fake 百应 refused the open-platform calls: HTTP ${response.status}`);
};

export const runSimulation = async (options: SimulationOptions): Promise<SimulationSummary> => {
  const started = Date.now();
  const random = new Random(options.seed);
  const companyId = options.companyId ?? '1';
  const platform = options.platform ?? 'classic';
  const generated = generateCallbacks(random, {
    count: options.count,
    companyId,
    platform,
    idBase: 100_000_000 + (options.seed % 1000) * 100_000,
    around: started,
    ...(options.recordingBase ? { recordingBase: options.recordingBase } : {}),
  });
  const dropped: Generated[] = [];
  const deliveries: Generated[] = [];
  for (const item of generated) {
    if (random.chance(options.drop)) {
      dropped.push(item);
      continue;
    }
    deliveries.push(item);
    if (random.chance(options.duplicates)) deliveries.push(item);
  }
  if (options.shuffle) random.shuffle(deliveries);
  if (options.byrobotUrl && dropped.length > 0 && platform === 'classic')
    await reportDropped(options.byrobotUrl, dropped);
  if (options.byrobotUrl && platform === 'open') await registerOpenCalls(options.byrobotUrl, generated);

  const base = options.url.replace(/\/$/, '');
  const limit = new Semaphore(options.concurrency);
  const poster = createPoster({
    maxSockets: options.concurrency,
    timeoutMs: options.requestTimeoutMs ?? 30_000,
  });
  const latencies: number[] = [];
  const ackedByKey = new Map<string, number>();
  const firstOf = new Set<Generated>();
  let sent = 0;
  let acked = 0;
  let retried = 0;
  let givenUp = 0;
  let done = 0;
  let retrying = 0;
  let duplicatesSent = 0;
  const progress = () => options.onProgress?.({ total: deliveries.length, done, acked, retrying });

  const post = (item: Generated): Promise<boolean> =>
    limit.run(async () => {
      const begin = performance.now();
      sent++;
      try {
        const { text } = await poster.post(
          `${base}${item.route}`,
          item.body,
          'application/json;charset=utf-8',
        );
        // 百应's rule: only a body of exactly `success` acknowledges the delivery.
        const ok = text === 'success';
        if (ok) latencies.push(performance.now() - begin);
        return ok;
      } catch {
        return false;
      }
    });

  const deliver = async (item: Generated): Promise<void> => {
    if (firstOf.has(item)) duplicatesSent++;
    firstOf.add(item);
    const max = options.maxDeliveries ?? SCHEDULES[platform].maxDeliveries;
    for (let delivery = 1; delivery <= max; delivery++) {
      if (delivery > 1) {
        retried++;
        retrying++;
        await new Promise((resolve) =>
          setTimeout(resolve, retryDelayMs(delivery, platform) * options.timeScale),
        );
        retrying--;
      }
      if (await post(item)) {
        acked++;
        ackedByKey.set(item.key, (ackedByKey.get(item.key) ?? 0) + 1);
        return;
      }
    }
    givenUp++;
  };

  const ticker = options.onProgress ? setInterval(progress, 200) : undefined;
  try {
    await Promise.all(
      deliveries.map(async (item) => {
        await deliver(item);
        done++;
      }),
    );
  } finally {
    if (ticker) clearInterval(ticker);
    poster.close();
    progress();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const durationMs = Date.now() - started;
  const byKind = { outbound: 0, manualIntent: 0, inbound: 0, job: 0 };
  for (const item of generated) byKind[item.kind]++;
  return {
    callbacks: generated.length,
    byKind,
    sent,
    acked,
    retried,
    givenUp,
    duplicatesSent,
    droppedCount: dropped.length,
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) },
    durationMs,
    ackedPerSecond: durationMs > 0 ? (acked / durationMs) * 1000 : 0,
    ackedByKey,
    dropped: dropped.map((item) => ({ kind: item.kind, key: item.key })),
    phones: generated.flatMap((item) => {
      // The classic platform carries the call in `sceneInstance`, the open one in `callInstance`.
      const call = (item.data.sceneInstance ?? item.data.callInstance) as
        | { customerTelephone?: string }
        | undefined;
      const phone = call?.customerTelephone;
      return phone ? [phone] : [];
    }),
  };
};
