/**
 * `Date#toISOString` for a receive time, cheaper on the hot path: requests arriving within the
 * same second share everything up to the milliseconds, so that part is formatted once per second.
 * Between two SDK calls, formatting a Date cost ingest about as much as the rest of its metadata.
 */

/** Dates whose ISO form has the plain `yyyy-MM-ddTHH:mm:ss.` shape (years 1970–9999). */
const LAST_PLAIN_MS = 253_402_300_799_999;

let cachedSecond = Number.NaN;
/** `yyyy-MM-ddTHH:mm:ss.` of `cachedSecond`. */
let cachedPrefix = '';

export const isoTimestamp = (epochMs: number): string => {
  if (!Number.isInteger(epochMs) || epochMs < 0 || epochMs > LAST_PLAIN_MS) {
    return new Date(epochMs).toISOString();
  }
  const ms = epochMs % 1000;
  const second = epochMs - ms;
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second).toISOString().slice(0, 20);
    cachedSecond = second;
  }
  return `${cachedPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
};
