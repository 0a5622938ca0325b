import type * as v from 'valibot';
import { type Coded, lookup } from './enums.js';
import type { Drift, JsonText } from './fields.js';
import { toPlain } from './lossless.js';
import { formatPath, type Path, type Warnings } from './warnings.js';

/** The value type a codec's output (`Read<T>`, possibly absent) carries. */
type ReadValue<R> = R extends { readonly value: infer T } ? Exclude<T, null> : never;

interface AnyRead<T> {
  readonly value: T | null;
  readonly drift?: Drift;
  readonly raw?: unknown;
}

/** The ids a nested entry (a turn, a result) repeats from the call it belongs to. */
export interface Owner {
  readonly callId?: string | undefined;
  readonly companyId?: string | undefined;
  readonly callJobId?: string | undefined;
  readonly robotDefId?: string | undefined;
}

/**
 * What normalizing one callback accumulates: warnings for tolerated drift, values kept raw
 * because nothing could read them, and fields the doc does not list. Paths are relative to the
 * whole body so they read the same in every message.
 */
export class ReadContext {
  readonly unreadable: Record<string, unknown> = {};
  readonly extra: Record<string, unknown> = {};

  constructor(
    readonly warnings: Warnings,
    private readonly base: Path,
  ) {}

  at(path: Path): Path {
    return [...this.base, ...path];
  }

  /** Unwraps a codec's output: records its drift, keeps an unreadable value raw, maps null to absent. */
  take<T>(read: AnyRead<T> | undefined, path: Path): T | undefined {
    if (read === undefined) return undefined;
    const where = this.at(path);
    if (read.drift) this.warnings.add(where, read.drift.code, read.drift.message);
    if (read.raw !== undefined) this.unreadable[formatPath(where)] = toPlain(read.raw);
    return read.value ?? undefined;
  }

  /**
   * Takes several fields of one object at once: `map` names each output field and the source
   * field it is read from (`{ durationSeconds: 'duration' }`). Same as a `take` per field, in
   * map order, with the path of each source field.
   */
  takeFields<TSource extends object, const TMap extends Readonly<Record<string, keyof TSource & string>>>(
    source: TSource,
    path: Path,
    map: TMap,
  ): { -readonly [K in keyof TMap]: ReadValue<TSource[TMap[K]]> | undefined } {
    const out: Record<string, unknown> = {};
    for (const [name, key] of Object.entries(map)) {
      out[name] = this.take(source[key as keyof TSource] as AnyRead<unknown> | undefined, [...path, key]);
    }
    return out as { -readonly [K in keyof TMap]: ReadValue<TSource[TMap[K]]> | undefined };
  }

  /** A numeric code with its name; an unknown code is kept with the name UNKNOWN and a warning. */
  coded(
    table: Parameters<typeof lookup>[0],
    read: AnyRead<number> | undefined,
    path: Path,
  ): Coded | undefined {
    const code = this.take(read, path);
    if (code === undefined) return undefined;
    const found = lookup(table, code);
    if (!found.known)
      this.warnings.add(this.at(path), 'unknown-code', `code ${code} is not in the known list; kept raw`);
    return { code: found.code, name: found.name };
  }

  /** JSON carried in a string: the parsed value, or `{ unparsed }` with the text as sent. */
  embedded(read: AnyRead<JsonText> | undefined, path: Path): unknown {
    const value = this.take(read, path);
    if (value === undefined) return undefined;
    return value.parsed ? value.value : { unparsed: value.text };
  }

  /** Keeps a value no codec can read under `unreadable` at `path`, with a warning saying what it should have been. */
  keepUnreadable(raw: unknown, path: Path, what: string): undefined {
    this.take({ value: null, raw, drift: { code: 'unreadable', message: `${what}; kept as sent` } }, path);
    return undefined;
  }

  /**
   * Reads each object of a list with `read`; an element that is not even an object (the
   * schemas' `listOf` marks it `unreadableItem`) is kept raw, never costing the record.
   */
  readList<TItem extends object, TOut>(
    items: readonly (TItem | { readonly unreadableItem: unknown })[] | null | undefined,
    path: Path,
    read: (item: TItem, at: Path, index: number) => TOut,
  ): TOut[] {
    const out: TOut[] = [];
    (items ?? []).forEach((item, index) => {
      const at = [...path, index];
      if ('unreadableItem' in item) this.keepUnreadable(item.unreadableItem, at, 'entry is not an object');
      else out.push(read(item as TItem, at, index));
    });
    return out;
  }

  /**
   * Whether a callback signature was sent: true, or absent. The signature itself is never kept
   * (with the assumed scheme a `sign`/`dateTime` pair would authorise any body while fresh).
   */
  signed(read: AnyRead<string> | undefined, path: Path): true | undefined {
    return this.take(read, path) === undefined ? undefined : true;
  }

  /** Keeps one value under `extra` at `path` (plain data, exact digits). */
  keepExtra(path: Path, value: unknown): void {
    this.extra[formatPath(this.at(path))] = toPlain(value);
  }

  /**
   * An id a nested entry repeats from its call: implied when it matches (not stored twice), kept
   * under `extra` when the call has none, kept and warned about when it disagrees.
   */
  keepIfDiffers(value: string | undefined, own: string | undefined, path: Path): void {
    if (value === undefined || value === own) return;
    this.extra[formatPath(this.at(path))] = value;
    if (own !== undefined)
      this.warnings.add(
        this.at(path),
        'id-mismatch',
        `id ${value} differs from the one the call itself carries`,
      );
  }

  /** `keepIfDiffers` for each id field of `source` named in `map` (source field → owner id). */
  keepIdsIfDiffer<TSource extends object>(
    source: TSource,
    path: Path,
    map: Partial<Record<keyof TSource & string, keyof Owner>>,
    owner: Owner,
  ): void {
    for (const [key, ownKey] of Object.entries(map) as [keyof TSource & string, keyof Owner][]) {
      const value = this.take(source[key] as AnyRead<string> | undefined, [...path, key]);
      this.keepIfDiffers(value, owner[ownKey], [...path, key]);
    }
  }

  /** Keeps every field of `object` that `schema` does not declare, so nothing 百应 adds is lost. */
  keepExtras(
    schema: { readonly entries: v.ObjectEntries },
    object: Record<string, unknown>,
    path: Path,
  ): void {
    for (const [key, value] of Object.entries(object)) {
      if (!Object.hasOwn(schema.entries, key) && value !== undefined) {
        this.extra[formatPath(this.at([...path, key]))] = toPlain(value);
      }
    }
  }

  /** The `extra` / `unreadable` / `warnings` part of a record, omitting what is empty. */
  finish(): {
    extra?: Record<string, unknown>;
    unreadable?: Record<string, unknown>;
    warnings: Warnings['list'];
  } {
    return compact({
      extra: Object.keys(this.extra).length > 0 ? this.extra : undefined,
      unreadable: Object.keys(this.unreadable).length > 0 ? this.unreadable : undefined,
      warnings: this.warnings.list,
    });
  }
}

/** `T` with every key that may hold `undefined` made optional (and never `undefined` itself). */
export type Compacted<T> = {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K];
} & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Drops keys whose value is undefined (absent values are not stored). */
export const compact = <T extends object>(object: T): Compacted<T> => {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value;
  return out as Compacted<T>;
};
