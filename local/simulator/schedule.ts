/**
 * 百应's documented retry schedules: after a delivery that is not acknowledged with `success`,
 * retry after the listed delays. The classic OpenAPI retries 26 times (10 s, 30 s, 1 min,
 * 2…10 min, 20 min, 30 min, 1 h, 2 h, then every 2 h: 27 deliveries over 26 h 46 min); the open
 * platform 15 times (10 s, 30 s, 1, 2, 3, 5, 6, 7, 8, 9, 10, 20, 30 min, 1 h, 2 h: about 4 h 42 min).
 */
import type { Platform } from '../../functions/commons/contract/types.js';

const MINUTE = 60_000;

interface Schedule {
  /** Deliveries in all, the first included. */
  readonly maxDeliveries: number;
  /** Delays before deliveries 2, 3, …; the last one repeats. */
  readonly delaysMs: readonly number[];
}

export const SCHEDULES: Readonly<Record<Platform, Schedule>> = {
  classic: {
    maxDeliveries: 27,
    delaysMs: [
      10_000,
      30_000,
      MINUTE,
      ...[2, 3, 4, 5, 6, 7, 8, 9, 10].map((minutes) => minutes * MINUTE),
      20 * MINUTE,
      30 * MINUTE,
      60 * MINUTE,
      120 * MINUTE,
    ],
  },
  open: {
    maxDeliveries: 16,
    delaysMs: [
      10_000,
      30_000,
      ...[1, 2, 3, 5, 6, 7, 8, 9, 10, 20, 30, 60, 120].map((minutes) => minutes * MINUTE),
    ],
  },
};

/** Delay before delivery number `delivery` (2 for the first retry …) on `platform`'s schedule. */
export const retryDelayMs = (delivery: number, platform: Platform = 'classic'): number => {
  const { delaysMs } = SCHEDULES[platform];
  return delaysMs[delivery - 2] ?? (delaysMs.at(-1) as number);
};
