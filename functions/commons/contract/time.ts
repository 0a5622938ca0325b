/**
 * Time conversions. 百应 runs in China and sends Beijing wall-clock times without a zone;
 * China has had no daylight saving since 1991, so Beijing is always UTC+08:00.
 */
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

export const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/;

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
  // Past milliseconds (a 6- or 9-digit fraction) the digits are dropped: records keep ms.
  const millis = m[7] ? Number(m[7].slice(1, 4).padEnd(3, '0')) : 0;
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
const RFC_1123 =
  /^\w{3}, (?<day>\d{1,2}) (?<month>\w{3}) (?<year>\d{4}) (?<hh>\d{2}):(?<mm>\d{2}):(?<ss>\d{2}) GMT$/;
/** Java's `Date.toString()`: `Thu Oct 16 07:13:48 GMT 2014` (CST there means China Standard Time). */
const JAVA_DATE =
  /^\w{3} (?<month>\w{3}) (?<day>\d{1,2}) (?<hh>\d{2}):(?<mm>\d{2}):(?<ss>\d{2}) (?<zone>GMT|UTC|CST) (?<year>\d{4})$/;
/** ISO-8601 with an explicit zone. */
const ISO_ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;

/** The named parts both GMT text forms capture. */
type TextParts = Partial<Record<'year' | 'month' | 'day' | 'hh' | 'mm' | 'ss' | 'zone', string>>;

const utcFromParts = ({ year, month, day, hh, mm, ss }: TextParts, offsetMs: number): number | null => {
  const monthIndex = MONTHS.indexOf(month ?? '');
  if (monthIndex < 0) return null;
  const wall = `${year}-${pad(monthIndex + 1)}-${pad(Number(day))} ${hh}:${mm}:${ss}`;
  const asBeijing = epochMsFromWallClock(wall);
  // epochMsFromWallClock reads the text as UTC+8; shift to the zone the text was really in.
  return asBeijing === null ? null : asBeijing + BEIJING_OFFSET_MS - offsetMs;
};

/** Reads an explicitly zoned time text into Beijing ISO-8601, or null when it is none of the known forms. */
export const isoFromGmtText = (text: string): string | null => {
  let epochMs: number | null = null;
  // Java's Date.toString() writes CST for China Standard Time; RFC 1123 is always GMT.
  const parts: TextParts | undefined = (RFC_1123.exec(text) ?? JAVA_DATE.exec(text))?.groups;
  if (parts) {
    epochMs = utcFromParts(parts, parts.zone === 'CST' ? BEIJING_OFFSET_MS : 0);
  } else if (ISO_ZONED.test(text)) {
    const parsed = Date.parse(text);
    epochMs = Number.isNaN(parsed) ? null : parsed;
  }
  return epochMs === null ? null : beijingIsoFromEpochMs(epochMs);
};

/** How a time text was written: only `wall-clock` is the form the vendor doc declares. */
export type TimeForm =
  | 'wall-clock'
  | 'iso-t'
  | 'fraction'
  | 'zoned'
  | 'compact'
  | 'epoch-ms'
  | 'epoch-s'
  | 'gmt';

export interface TimeRead {
  readonly epochMs: number;
  readonly form: TimeForm;
}

/** Wall clock with an optional fraction (up to ns) and an optional zone: `Z`, `+08:00`, `+0800`, `+08`. */
const FLEXIBLE =
  /^(\d{4}-\d{2}-\d{2})([ T])(\d{2}:\d{2}:\d{2})(\.\d{1,9})?(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;
const EPOCH_DIGITS = /^\d{1,13}$/;

/** Below this a number is read as epoch seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_BELOW = 1e11;

/** Epoch milliseconds of a number that is either epoch seconds or epoch milliseconds. */
export const readEpochNumber = (n: number): TimeRead | null => {
  if (!Number.isFinite(n) || n < 0) return null;
  return n < SECONDS_BELOW
    ? { epochMs: Math.round(n * 1000), form: 'epoch-s' }
    : { epochMs: Math.trunc(n), form: 'epoch-ms' };
};

const zoneOffsetMs = (zone: string): number => {
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
};

/**
 * Reads every time text seen from 百应 and its integrators: Beijing wall clock (the doc's form),
 * the ISO `T` form, fractions up to nanoseconds, explicit zones (`+08:00`, `+0800`, `+08`, `Z`),
 * `yyyyMMddHHmmss`, epoch seconds or milliseconds as digits, RFC 1123 and Java's Date text.
 * Null when the text is none of them or no real calendar time.
 */
export const readTimeText = (raw: string): TimeRead | null => {
  const text = raw.trim();
  const flexible = FLEXIBLE.exec(text);
  if (flexible) {
    const [, day, separator, clock, fraction, zone] = flexible;
    const asBeijing = epochMsFromWallClock(`${day} ${clock}${fraction ?? ''}`);
    if (asBeijing === null) return null;
    if (zone !== undefined)
      return { epochMs: asBeijing + BEIJING_OFFSET_MS - zoneOffsetMs(zone), form: 'zoned' };
    if (fraction !== undefined) return { epochMs: asBeijing, form: 'fraction' };
    return { epochMs: asBeijing, form: separator === 'T' ? 'iso-t' : 'wall-clock' };
  }
  const compact = COMPACT.exec(text);
  if (compact) {
    const [, y, mo, d, h, mi, se] = compact;
    const epochMs = epochMsFromWallClock(`${y}-${mo}-${d} ${h}:${mi}:${se}`);
    return epochMs === null ? null : { epochMs, form: 'compact' };
  }
  if (EPOCH_DIGITS.test(text)) return readEpochNumber(Number(text));
  const gmt = isoFromGmtText(text);
  return gmt === null ? null : { epochMs: Date.parse(gmt), form: 'gmt' };
};

/** 百应's "no time" values: epoch 0 printed as Beijing wall clock (08:00) or with an extra hour (09:00). */
export const isNoTimeSentinel = (epochMs: number): boolean => epochMs === 0 || epochMs === 3_600_000;
