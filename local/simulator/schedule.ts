/**
 * 百应's documented retry schedule: after a delivery that is not acknowledged with `success`,
 * retry after 10 s, 30 s, 1 min, 2…10 min, 20 min, 30 min, 1 h, 2 h, then every 2 h, up to 27
 * deliveries in all.
 */
export const MAX_DELIVERIES = 27;

const MINUTE = 60_000;
const FIRST_RETRIES_MS = [
  10_000,
  30_000,
  MINUTE,
  ...[2, 3, 4, 5, 6, 7, 8, 9, 10].map((minutes) => minutes * MINUTE),
  20 * MINUTE,
  30 * MINUTE,
  60 * MINUTE,
  120 * MINUTE,
];

/** Delay before delivery number `delivery` (2 for the first retry … 27). */
export const retryDelayMs = (delivery: number): number => FIRST_RETRIES_MS[delivery - 2] ?? 120 * MINUTE;
