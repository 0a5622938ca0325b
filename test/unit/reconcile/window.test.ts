/** The reconciler's query window reaches back past 百应's whole retry horizon at any hour. */
import { beijingWindow, RETRY_HORIZON_MS } from '../../../functions/commons/reconcile/reconcile.js';

/** A Beijing wall-clock time as epoch ms. */
const beijing = (iso: string) => Date.parse(`${iso}+08:00`);

describe('reconciler window', () => {
  test('at 00:30 Beijing it still covers the day before yesterday (26 h 46 min of retries)', () => {
    const now = beijing('2026-11-28T00:30:00');
    expect(beijingWindow(now, 2)).toEqual({ startDate: '2026-11-26', endDate: '2026-11-28' });
    // A call made at 21:45 two calendar days ago is still retried by 百应 until 00:31 today.
    const lastRetry = beijing('2026-11-26T21:45:00') + (26 * 60 + 46) * 60_000;
    expect(lastRetry).toBeGreaterThan(now);
  });

  test('at noon two calendar days still reach 27 hours back', () => {
    expect(beijingWindow(beijing('2026-11-28T12:00:00'), 2)).toEqual({
      startDate: '2026-11-27',
      endDate: '2026-11-28',
    });
  });

  test('at every minute of a day, the window starts no later than 27 h ago', () => {
    for (let minute = 0; minute < 24 * 60; minute += 7) {
      const now = beijing('2026-11-28T00:00:00') + minute * 60_000;
      const { startDate } = beijingWindow(now, 1);
      expect(beijing(`${startDate}T00:00:00`)).toBeLessThanOrEqual(now - RETRY_HORIZON_MS);
    }
  });

  test('a longer look-back is honoured', () => {
    expect(beijingWindow(beijing('2026-11-28T12:00:00'), 5).startDate).toBe('2026-11-24');
  });
});
