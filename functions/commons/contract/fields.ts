/**
 * Field codecs: one valibot schema per kind of value 百应 sends. Each accepts every form seen
 * in the vendor doc, its examples and real traffic, and outputs a `Read` carrying the
 * normalized value plus, when the form was not the canonical one, a note of the drift.
 *
 * Canonical forms follow the doc's *examples* where the doc's type table disagrees with them,
 * because the examples are what 百应 actually serializes.
 */
import * as v from 'valibot';
import { LosslessNumber, toPlain } from './lossless.js';
import {
  beijingIsoFromEpochMs,
  beijingIsoFromWallClock,
  isNoTimeSentinel,
  isoFromGmtText,
  readEpochNumber,
  readTimeText,
  type TimeForm,
  type TimeRead,
} from './time.js';

export interface Drift {
  readonly code: string;
  readonly message: string;
}

export interface Read<T> {
  readonly value: T;
  readonly drift?: Drift;
  /** Set only when the value could not be read at all and was kept as sent. */
  readonly raw?: unknown;
}

const ok = <T>(value: T): Read<T> => ({ value });
const drifted = <T>(value: T, code: string, message: string): Read<T> => ({
  value,
  drift: { code, message },
});

const DIGITS = /^\d+$/;
const INTEGER_TEXT = /^-?\d+$/;
const _NUMBER_TEXT = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

const stripLeadingZeros = (digits: string): string => digits.replace(/^0+(?=\d)/, '');

const emptyString = <T>(what: string) =>
  v.pipe(
    v.literal(''),
    v.transform(() => drifted<T | null>(null, 'empty-string', `empty string where ${what} was expected`)),
  );

const idFromDigits = (digits: string, sentAs: string): Read<string> => {
  const id = stripLeadingZeros(digits);
  if (id !== digits) return drifted(id, 'id-leading-zeros', `id ${sentAs} with leading zeros`);
  return sentAs === 'as a number' ? ok(id) : drifted(id, 'id-as-string', 'id sent as a string');
};

/**
 * A 百应 id (Java `long` or `int`) as an exact decimal string. Numbers above 2^53 arrive as
 * LosslessNumber from our parser and keep every digit.
 */
export const id = v.union([
  v.pipe(
    v.number(),
    v.safeInteger(),
    v.minValue(0),
    v.transform((n) => ok(String(n))),
  ),
  v.pipe(
    v.instance(LosslessNumber),
    v.check((n) => DIGITS.test(n.value)),
    v.transform((n) => idFromDigits(n.value, 'as a number')),
  ),
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(DIGITS),
    v.transform((s) => idFromDigits(s, 'as a string')),
  ),
]);

/** One id or a list of ids (the doc types JOB_INFO_RESULT's callJobId as `List`, its example sends one). */
export const idList = v.union([
  v.pipe(
    id,
    v.transform(
      (read): Read<string[]> =>
        read.drift ? drifted([read.value], read.drift.code, read.drift.message) : ok([read.value]),
    ),
  ),
  v.pipe(
    v.array(id),
    v.minLength(1),
    v.transform((reads) =>
      drifted(
        reads.map((read) => read.value),
        'id-list',
        `a list of ${reads.length} ids where one id was expected`,
      ),
    ),
  ),
]);

/** A Java `int`/`long` quantity or code: duration, chatRound, status codes, cost. */
export const int = v.union([
  v.pipe(
    v.number(),
    v.safeInteger(),
    v.transform((n) => ok<number | null>(n)),
  ),
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(INTEGER_TEXT),
    v.transform((s) => drifted<number | null>(Number(s), 'number-as-string', 'number sent as a string')),
    v.check((read) => Number.isSafeInteger(read.value)),
  ),
  v.pipe(
    v.boolean(),
    v.transform((b) =>
      drifted<number | null>(b ? 1 : 0, 'boolean-as-number', 'boolean where a number was expected'),
    ),
  ),
  emptyString<number>('a number'),
]);

const TRUE_TEXT = new Set(['true', '1', 'yes', 'y']);
const FALSE_TEXT = new Set(['false', '0', 'no', 'n']);

/**
 * A yes/no flag. `canonical` is the form the doc's examples use for this field; the other
 * form (0/1 vs true/false) is accepted as drift, strings too.
 */
export const flag = (canonical: 'boolean' | 'int') =>
  v.union([
    v.pipe(
      v.boolean(),
      v.transform((b) =>
        canonical === 'boolean'
          ? ok<boolean | null>(b)
          : drifted<boolean | null>(b, 'boolean-for-int', 'boolean where 0/1 was expected'),
      ),
    ),
    v.pipe(
      v.picklist([0, 1]),
      v.transform((n) =>
        canonical === 'int'
          ? ok<boolean | null>(n === 1)
          : drifted<boolean | null>(n === 1, 'int-for-boolean', '0/1 where a boolean was expected'),
      ),
    ),
    v.pipe(
      v.string(),
      v.transform((s) => s.trim().toLowerCase()),
      v.check((s) => TRUE_TEXT.has(s) || FALSE_TEXT.has(s)),
      v.transform((s) =>
        drifted<boolean | null>(TRUE_TEXT.has(s), 'flag-as-string', 'flag sent as a string'),
      ),
    ),
    emptyString<boolean>('a flag'),
  ]);

/** Free text. Numbers are turned back into their exact text (a phone number sent as a number). */
export const text = v.union([
  v.pipe(
    v.string(),
    v.transform((s) => ok<string | null>(s === '' ? null : s)),
  ),
  v.pipe(
    v.number(),
    v.transform((n) => drifted<string | null>(String(n), 'number-as-text', 'number where text was expected')),
  ),
  v.pipe(
    v.instance(LosslessNumber),
    v.transform((n) => drifted<string | null>(n.value, 'number-as-text', 'number where text was expected')),
  ),
]);

/** The doc's canonical "no second call" text; its other spellings are read as none with a warning. */
const CANONICAL_SENTINEL = '1970-01-01 09:00:00';

const FORM_MESSAGES: Readonly<Record<TimeForm, string>> = {
  'wall-clock': '',
  'iso-t': 'time in ISO form where yyyy-MM-dd HH:mm:ss was expected',
  fraction: 'time with a fraction of a second',
  zoned: 'time with a zone where Beijing wall-clock was expected',
  compact: 'time as yyyyMMddHHmmss',
  'epoch-ms': 'epoch milliseconds where a date was expected',
  'epoch-s': 'epoch seconds where a date was expected',
  gmt: 'time as GMT text where Beijing wall-clock was expected',
};

const timeRead = (read: TimeRead, sentAs: string): Read<string | null> => {
  if (isNoTimeSentinel(read.epochMs)) {
    return sentAs === CANONICAL_SENTINEL
      ? ok(null)
      : drifted(null, 'no-time', `"${sentAs}" is 百应's "no time" value; read as none`);
  }
  const iso = beijingIsoFromEpochMs(read.epochMs);
  if (read.form === 'wall-clock') return ok(iso);
  const code = read.form === 'epoch-ms' || read.form === 'epoch-s' ? read.form : 'time-format';
  return drifted(iso, code, FORM_MESSAGES[read.form]);
};

/**
 * A Beijing wall-clock time, `yyyy-MM-dd HH:mm:ss`, as ISO-8601 with `+08:00`. Every other form
 * `readTimeText` knows is read too, with a warning; 百应's "no time" values read as none.
 */
export const wallClock = v.union([
  v.pipe(
    v.string(),
    v.trim(),
    v.transform((s) => ({ s, read: readTimeText(s) })),
    v.check(({ read }) => read !== null),
    v.transform(({ s, read }) => timeRead(read as TimeRead, s)),
  ),
  v.pipe(
    v.number(),
    v.transform((n) => ({ n, read: readEpochNumber(n) })),
    v.check(({ read }) => read !== null),
    v.transform(({ n, read }) => timeRead(read as TimeRead, String(n))),
  ),
  emptyString<string>('a time'),
]);

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `yyyy-MM-dd` (job start/end). A full time is accepted and cut to its date. */
export const date = v.union([
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(DATE_ONLY),
    v.check((s) => beijingIsoFromWallClock(`${s} 00:00:00`) !== null),
    v.transform((s) => ok<string | null>(s)),
  ),
  v.pipe(
    wallClock,
    v.transform((read) =>
      read.value === null
        ? read
        : drifted<string | null>(
            read.value.slice(0, 10),
            'date-with-time',
            'a time where a date was expected',
          ),
    ),
  ),
]);

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

/** A time of day `HH:mm:ss` (job working/break hours; the doc types the break hours as int). */
export const timeOfDay = v.union([
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(TIME_OF_DAY),
    v.transform((s) => ok<string | null>(s.length === 5 ? `${s}:00` : s)),
  ),
  v.pipe(
    v.number(),
    v.safeInteger(),
    v.minValue(0),
    v.maxValue(2359),
    v.transform((n) => {
      const hh = String(Math.floor(n / 100)).padStart(2, '0');
      const mm = String(n % 100).padStart(2, '0');
      return drifted<string | null>(
        `${hh}:${mm}:00`,
        'time-as-number',
        'time of day sent as a number (HHmm)',
      );
    }),
    v.check((read) => TIME_OF_DAY.test(read.value ?? '')),
  ),
  emptyString<string>('a time of day'),
]);

/** The callback's `dateTime`: RFC 1123 (`Thu, 24 Jan 2019 07:28:09 GMT`) or Java's `Date.toString()`. */
export const gmtDateTime = v.union([
  v.pipe(
    v.string(),
    v.trim(),
    v.transform((s) => ({ s, iso: isoFromGmtText(s) })),
    v.check(({ iso }) => iso !== null),
    v.transform(({ s, iso }) =>
      /^\w{3}, /.test(s)
        ? ok<string | null>(iso)
        : drifted<string | null>(iso, 'time-format', 'dateTime not in RFC 1123 form'),
    ),
  ),
  emptyString<string>('a GMT date'),
]);

/** A millisecond offset into the recording (phoneLog start/end; the doc types them as Date). */
export const msOffset = v.union([
  v.pipe(
    v.number(),
    v.minValue(0),
    v.transform((n) => ok<number | null>(n)),
  ),
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^\d+$/),
    v.transform((s) => drifted<number | null>(Number(s), 'number-as-string', 'offset sent as a string')),
  ),
  emptyString<number>('an offset'),
]);

export type JsonText =
  | { readonly parsed: true; readonly value: unknown }
  | { readonly parsed: false; readonly text: string };

/**
 * A field that carries JSON inside a string (`properties`, `userMeanDetail`, `resultValue`,
 * `corpName`, `extra`). Parsed when it parses; kept as the original text when it does not.
 */
export const jsonText = (
  parse: (text: string) => { readonly value: unknown; readonly duplicateKeys: readonly string[] },
) =>
  v.union([
    v.pipe(
      v.string(),
      v.transform((s): Read<JsonText | null> => {
        if (s.trim() === '') return ok(null);
        try {
          const { value, duplicateKeys } = parse(s);
          return duplicateKeys.length === 0
            ? ok({ parsed: true, value })
            : drifted(
                { parsed: true, value },
                'duplicate-key',
                `JSON text repeats ${duplicateKeys.join(', ')}; the last value was kept`,
              );
        } catch {
          return drifted(
            { parsed: false, text: s },
            'json-unparseable',
            'text that should hold JSON does not parse; kept as sent',
          );
        }
      }),
    ),
    v.pipe(
      v.union([v.record(v.string(), v.unknown()), v.array(v.unknown())]),
      v.transform(
        (value): Read<JsonText | null> =>
          drifted(
            // Plain data, as a JSON string's content is: numbers past 2^53 keep their exact digits.
            { parsed: true, value: toPlain(value) },
            'json-not-string',
            'JSON sent as a value where a JSON string was expected',
          ),
      ),
    ),
  ]);

/**
 * JSON held as a value (an object or array: the canonical form), or sent inside a string
 * (drift): parsed when it parses, else kept as `{ unparsed }` with the text as sent.
 */
export const jsonValueOrText = (
  parse: (text: string) => { readonly value: unknown; readonly duplicateKeys: readonly string[] },
) =>
  v.union([
    v.pipe(
      v.union([v.record(v.string(), v.unknown()), v.array(v.unknown())]),
      // Plain data: numbers past 2^53 keep their exact digits as text, never a LosslessNumber map.
      v.transform((value): Read<unknown> => ok(toPlain(value))),
    ),
    v.pipe(
      jsonText(parse),
      v.transform((read): Read<unknown> => {
        if (read.value === null) return ok(null);
        if (!read.value.parsed)
          return drifted(
            { unparsed: read.value.text },
            'json-unparseable',
            'text that should hold JSON does not parse; kept as sent',
          );
        return drifted(
          read.value.value,
          'json-as-string',
          'JSON sent inside a string where an object was expected',
        );
      }),
    ),
  ]);

/** `resultLabels`: `List<IntegerStringBO>` — `{key:int, value:String}`. */
export const labels = v.union([
  v.pipe(
    v.array(
      v.looseObject({
        key: v.union([v.number(), v.string(), v.instance(LosslessNumber)]),
        value: v.nullish(v.union([v.string(), v.number()])),
      }),
    ),
    v.transform((items) =>
      ok<Label[] | null>(
        items.map((item) => ({
          key: item.key instanceof LosslessNumber ? item.key.value : String(item.key),
          value: item.value === null || item.value === undefined ? null : String(item.value),
        })),
      ),
    ),
  ),
]);

export interface Label {
  readonly key: string;
  readonly value: string | null;
}

export interface Unreadable {
  readonly value: null;
  readonly drift: Drift;
  readonly raw: unknown;
}

/**
 * An optional field: missing and null read as null, and a value no variant can read is kept
 * raw (the record carries it under `unreadable`) instead of failing the whole callback.
 */
export const field = <TSchema extends v.GenericSchema<unknown, Read<unknown>>>(codec: TSchema) =>
  v.optional(
    v.union([
      v.pipe(
        v.null(),
        v.transform((): Read<null> => ok(null)),
      ),
      codec,
      v.pipe(
        v.unknown(),
        v.transform(
          (raw): Unreadable => ({
            value: null,
            raw,
            drift: { code: 'unreadable', message: 'value could not be read; kept as sent' },
          }),
        ),
      ),
    ]),
  );
