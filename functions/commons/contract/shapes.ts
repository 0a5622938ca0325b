/**
 * The nested parts of a call body brought into the shape the schemas read, before they read it.
 * 百应 (and the proxies some customers put in front of us) sometimes send a nested part in
 * another shape: `phoneLog: ""`, `phoneLogs: {}`, one `taskResult` object instead of a list,
 * a list inside a JSON string. One odd part must never cost the call: a shape whose meaning is
 * unambiguous is coerced, with a warning; anything else is kept under `unreadable` and the rest
 * of the call is read.
 */
import { parseLossless } from './lossless.js';
import type { ReadContext } from './read-context.js';
import type { Path } from './warnings.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !('isLosslessNumber' in value);

/** A JSON text parsed, or undefined when it is not JSON (duplicate keys are noted as warnings). */
const parseText = (ctx: ReadContext, text: string, path: Path): unknown => {
  try {
    return parseLossless(text, (keys) =>
      ctx.warnings.add(ctx.at(path), 'duplicate-key', `JSON text repeats ${keys.join(', ')}; last kept`),
    );
  } catch {
    return undefined;
  }
};

const note = (ctx: ReadContext, path: Path, code: string, message: string): void =>
  ctx.warnings.add(ctx.at(path), code, message);

/** A list of objects: a list as is; one object → a one-element list; a JSON string → its content. */
export const asList = (ctx: ReadContext, value: unknown, path: Path): unknown => {
  if (value === undefined || value === null || Array.isArray(value)) return value;
  if (typeof value === 'string') {
    if (value.trim() === '') {
      note(ctx, path, 'empty-string', 'empty string where a list was expected; read as no entries');
      return [];
    }
    const parsed = parseText(ctx, value, path);
    if (Array.isArray(parsed) || isObject(parsed)) {
      note(ctx, path, 'json-as-string', 'list sent inside a JSON string');
      return asList(ctx, parsed, path);
    }
    return ctx.keepUnreadable(value, path, 'text where a list was expected');
  }
  if (isObject(value)) {
    if (Object.keys(value).length === 0) {
      note(ctx, path, 'empty-object', 'empty object where a list was expected; read as no entries');
      return [];
    }
    note(ctx, path, 'object-as-list', 'one object where a list was expected; read as a list of one');
    return [value];
  }
  return ctx.keepUnreadable(value, path, 'value where a list was expected');
};

/** An object: as is, or the object a JSON string holds; `""` reads as absent. */
export const asObject = (ctx: ReadContext, value: unknown, path: Path): unknown => {
  if (value === undefined || value === null || isObject(value)) return value;
  if (typeof value === 'string') {
    if (value.trim() === '') {
      note(ctx, path, 'empty-string', 'empty string where an object was expected; read as absent');
      return undefined;
    }
    const parsed = parseText(ctx, value, path);
    if (isObject(parsed)) {
      note(ctx, path, 'json-as-string', 'object sent inside a JSON string');
      return parsed;
    }
  }
  return ctx.keepUnreadable(value, path, 'value where an object was expected');
};

/** Sets or deletes `key` on a copy-on-write object. */
const put = (object: Json, key: string, value: unknown): void => {
  if (value === undefined) delete object[key];
  else Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
};

/**
 * The object that carries the call (`sceneInstance`, `callInstance`), unwrapped from a JSON
 * string. Only that: without a readable one the call has no id, and the schema reports that.
 */
const unwrapRecordObject = (ctx: ReadContext, data: Json, key: string, out: Json): void => {
  const value = data[key];
  if (typeof value !== 'string') return;
  const parsed = parseText(ctx, value, [key]);
  if (!isObject(parsed)) return;
  note(ctx, [key], 'json-as-string', `${key} sent inside a JSON string`);
  put(out, key, parsed);
};

/**
 * The call body (classic `sceneInstance` form) with its nested parts in shape. The caller's
 * object is not changed. `sceneInstance` itself is only unwrapped from a JSON string: without a
 * readable one the call has no id, and the schema reports that.
 */
export const shapeCallData = (ctx: ReadContext, data: Json): Json => {
  const out: Json = { ...data };
  unwrapRecordObject(ctx, data, 'sceneInstance', out);
  if ('taskResult' in data) put(out, 'taskResult', asList(ctx, data.taskResult, ['taskResult']));
  if ('phoneLog' in data) {
    let phoneLog = data.phoneLog;
    // A bare list of turns where `{phoneLogs: [...]}` was expected.
    if (Array.isArray(phoneLog)) {
      note(ctx, ['phoneLog'], 'list-as-object', 'phoneLog sent as the list of turns itself');
      phoneLog = { phoneLogs: phoneLog };
    } else phoneLog = asObject(ctx, phoneLog, ['phoneLog']);
    if (isObject(phoneLog) && 'phoneLogs' in phoneLog) {
      phoneLog = { ...phoneLog };
      put(
        phoneLog as Json,
        'phoneLogs',
        asList(ctx, (phoneLog as Json).phoneLogs, ['phoneLog', 'phoneLogs']),
      );
    }
    put(out, 'phoneLog', phoneLog);
  }
  return out;
};

/** The open platform's call body with its nested parts in shape (same rules as the classic one). */
export const shapeOpenCallData = (ctx: ReadContext, data: Json): Json => {
  const out: Json = { ...data };
  unwrapRecordObject(ctx, data, 'callInstance', out);
  for (const list of ['phoneLogs', 'taskResult', 'callRepeat', 'jobPhoneInfos']) {
    if (list in data) put(out, list, asList(ctx, data[list], [list]));
  }
  return out;
};

/** Keys valibot's object copies leave out (they could reach a prototype); never a 百应 field. */
export const RESERVED_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const RESERVED: ReadonlySet<string> = new Set(RESERVED_KEYS);

/**
 * The schemas copy objects and leave out keys named `__proto__`, `constructor` or `prototype`,
 * so such keys would vanish. They are moved to `extra` under their path (anywhere in the inner
 * data) before the schemas run. Returns a copy only where something was moved.
 */
export const liftProtoKeys = (ctx: ReadContext, value: unknown, path: Path = []): unknown => {
  if (Array.isArray(value)) {
    const items = value.map((item, index) => liftProtoKeys(ctx, item, [...path, index]));
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  if (!isObject(value)) return value;
  let out: Json | undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (RESERVED.has(key)) {
      out ??= { ...value };
      delete out[key];
      ctx.keepExtra([...path, key], inner);
      ctx.warnings.add(ctx.at([...path, key]), 'reserved-key', `key ${key} kept under extra`);
      continue;
    }
    const lifted = liftProtoKeys(ctx, inner, [...path, key]);
    if (lifted !== inner) {
      out ??= { ...value };
      put(out, key, lifted);
    }
  }
  return out ?? value;
};
