/**
 * Time conversions. 百应 runs in China and sends Beijing wall-clock times without a zone;
 * China has had no daylight saving since 1991, so Beijing is always UTC+08:00.
 */
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

export const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Formats a UTC instant as the Beijing wall clock with an explicit `+08:00`. */
export const beijingIsoFromEpochMs = (epochMs: number): string => {
  const d = new Date(epochMs + BEIJING_OFFSET_MS);
  const ms = d.getUTCMilliseconds();
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${base}${ms === 0 ? '' : `.${pad(ms, 3)}`}+08:00`;
};

/** Epoch ms of a Beijing wall-clock text, or null when it is not a real calendar time. */
export const epochMsFromWallClock = (text: string): number | null => {
  const m = WALL_CLOCK.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = m[7] ? Number(m[7].slice(1).padEnd(3, '0')) : 0;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(utc);
  // Date.UTC rolls 2019-02-30 over into March; a rolled value means the text was no real date.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day)
    return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return utc - BEIJING_OFFSET_MS;
};

export const beijingIsoFromWallClock = (text: string): string | null => {
  const epochMs = epochMsFromWallClock(text);
  return epochMs === null ? null : beijingIsoFromEpochMs(epochMs);
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** RFC 1123: `Thu, 24 Jan 2019 07:28:09 GMT`. */
const RFC_1123 = /^\w{3}, (\d{1,2}) (\w{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
/** Java's `Date.toString()`: `Thu Oct 16 07:13:48 GMT 2014` (CST there means China Standard Time). */
const JAVA_DATE = /^\w{3} (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (GMT|UTC|CST) (\d{4})$/;
/** ISO-8601 with an explicit zone. */
const ISO_ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;

const utcFromParts = (
  year: string,
  monthName: string,
  day: string,
  hh: string,
  mm: string,
  ss: string,
  offsetMs: number,
): number | null => {
  const month = MONTHS.indexOf(monthName);
  if (month < 0) return null;
  const wall = `${year}-${pad(month + 1)}-${pad(Number(day))} ${hh}:${mm}:${ss}`;
  const asBeijing = epochMsFromWallClock(wall);
  // epochMsFromWallClock reads the text as UTC+8; shift to the zone the text was really in.
  return asBeijing === null ? null : asBeijing + BEIJING_OFFSET_MS - offsetMs;
};

/** Reads an explicitly zoned time text into Beijing ISO-8601, or null when it is none of the known forms. */
export const isoFromGmtText = (text: string): string | null => {
  let epochMs: number | null = null;
  const rfc = RFC_1123.exec(text);
  const java = JAVA_DATE.exec(text);
  if (rfc) {
    const [, day, month, year, hh, mm, ss] = rfc as unknown as string[];
    epochMs = utcFromParts(
      year as string,
      month as string,
      day as string,
      hh as string,
      mm as string,
      ss as string,
      0,
    );
  } else if (java) {
    const [, month, day, hh, mm, ss, zone, year] = java as unknown as string[];
    const offset = zone === 'CST' ? BEIJING_OFFSET_MS : 0;
    epochMs = utcFromParts(
      year as string,
      month as string,
      day as string,
      hh as string,
      mm as string,
      ss as string,
      offset,
    );
  } else if (ISO_ZONED.test(text)) {
    const parsed = Date.parse(text);
    epochMs = Number.isNaN(parsed) ? null : parsed;
  }
  return epochMs === null ? null : beijingIsoFromEpochMs(epochMs);
};
