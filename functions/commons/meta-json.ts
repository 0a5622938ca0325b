/**
 * The JSON of a delivery's metadata for ingest's queue message, safe for SQS: exactly what
 * `sqsSafeJson(meta)` writes.
 *
 * Why not JSON.stringify alone: between two SDK calls it was the costliest step of building the
 * message (bench/README). Only the request id and the time change from one request to the next;
 * the rest (source, sender IP, route, content type, type) repeats for every delivery of one kind
 * from one sender, so its JSON is written once and reused while it stays the same.
 */
import type { ReceiveMeta } from './queue-message.js';
import { sqsSafeJson } from './sqs-safe-json.js';

/** Whether an id or time needs no escaping in a JSON string (API Gateway's ids are UUIDs). */
const isPlain = (text: string): boolean => {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // 0-9 A-Z a-z _ . : + -
    const plain =
      (code >= 0x30 && code <= 0x3a) ||
      ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) ||
      code === 0x5f ||
      code === 0x2e ||
      code === 0x2b ||
      code === 0x2d;
    if (!plain) return false;
  }
  return true;
};

interface Tail {
  readonly dataType: string | undefined;
  readonly source: ReceiveMeta['source'];
  readonly sourceIp: string | undefined;
  readonly route: string | undefined;
  readonly contentType: string | undefined;
  /** `"source":…}`: the object's JSON after the time, with its closing brace. */
  readonly json: string;
}
/**
 * By type (calls and job statuses interleave), searched in order: a handful of entries compared
 * with `===` cost less than hashing a fresh type string for a Map. Bounded, oldest dropped.
 */
const tails: Tail[] = [];
const MAX_TAILS = 8;

/** Every field of ReceiveMeta is named here: a new one fails to compile until it is handled below. */
type Named =
  | 'requestId'
  | 'receivedAt'
  | 'source'
  | 'sourceIp'
  | 'route'
  | 'contentType'
  | 'dataType'
  | 'rejected'
  | 'bodyEncoding';
const allNamed: [Exclude<keyof ReceiveMeta, Named>] extends [never] ? true : never = true;

export const metaJson = (meta: ReceiveMeta): string => {
  const { requestId, receivedAt, source, sourceIp, route, contentType, dataType } = meta;
  // Refused or undecodable bodies (rare) and unusual ids take the general path.
  if (
    !allNamed ||
    meta.rejected !== undefined ||
    meta.bodyEncoding !== undefined ||
    !isPlain(requestId) ||
    !isPlain(receivedAt)
  ) {
    return sqsSafeJson(meta);
  }
  // A plain loop: no closure to allocate per request, as findIndex would need.
  let at = 0;
  while (at < tails.length && tails[at]?.dataType !== dataType) at++;
  let tail = tails[at];
  if (
    tail === undefined ||
    tail.source !== source ||
    tail.sourceIp !== sourceIp ||
    tail.route !== route ||
    tail.contentType !== contentType
  ) {
    const json = sqsSafeJson({ source, sourceIp, route, contentType, dataType }).slice(1);
    const fresh: Tail = { dataType, source, sourceIp, route, contentType, json };
    if (tail !== undefined) tails[at] = fresh;
    else {
      if (tails.length >= MAX_TAILS) tails.shift();
      tails.push(fresh);
    }
    tail = fresh;
  }
  return `{"requestId":"${requestId}","receivedAt":"${receivedAt}",${tail.json}`;
};
