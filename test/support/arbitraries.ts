/** fast-check arbitraries of hostile and mutated 百应 bodies, shared by the property and hostile-input tests. */
import fc from 'fast-check';
import { type VendorExample, vendorBody, vendorObject } from './vendor.js';

const EXAMPLES: readonly VendorExample[] = ['outbound', 'inbound', 'job', 'manualIntent'];

/** A vendor example with one value somewhere replaced by arbitrary JSON. */
export const mutatedExample = fc
  .tuple(fc.constantFrom(...EXAMPLES), fc.nat(), fc.jsonValue())
  .map(([example, pick, replacement]) => {
    const body = vendorObject(example);
    const slots: [Record<string | number, unknown>, string | number][] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) {
        node.forEach((child, i) => {
          slots.push([node as unknown as Record<number, unknown>, i]);
          walk(child);
        });
      } else if (node !== null && typeof node === 'object') {
        for (const [key, child] of Object.entries(node)) {
          slots.push([node as Record<string, unknown>, key]);
          walk(child);
        }
      }
    };
    walk(body);
    const [holder, key] = slots[pick % slots.length] as [Record<string | number, unknown>, string | number];
    holder[key] = replacement;
    return JSON.stringify(body);
  });

/** Text edits of the raw example that JSON.stringify would never produce. */
const textEdits: readonly [RegExp, string][] = [
  [/"callInstanceId": 1,/, '"callInstanceId": 00001,'],
  [/"duration": 35,/, '"duration": 1e309,'],
  [/"callJobId": 1,/, '"callJobId": 12345678901234567890123,'],
  [/"code": 200,/, '"code": 200, "__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}},'],
  [/"sceneInstance": \{/, '"sceneInstance": {"__proto__": {"isAdmin": true},'],
  [/\}\s*$/, ',}'],
  [/"dataType": "CALL_INSTANCE_RESULT"/, '"dataType": "CALL_INSTANCE_RESULT", "dataType": "JOB_INFO_RESULT"'],
];

export const editedExample = fc
  .tuple(fc.constantFrom(...EXAMPLES), fc.subarray([...textEdits], { minLength: 1 }))
  .map(([example, edits]) =>
    edits.reduce((body, [pattern, replacement]) => body.replace(pattern, replacement), vendorBody(example)),
  );

/** Keys that reach into Object.prototype or shadow its methods, and values that break stores. */
const POISON_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
] as const;
const poisonValue = fc.oneof(
  fc.constant({ polluted: true }),
  fc.constant({ prototype: { isAdmin: true } }),
  fc.constant(''),
  fc.constant([]),
  fc.constant({}),
  fc.constant(null),
  fc.constant('\u0000\uFFFF'),
  fc.constant(-0),
  fc.constant(1e-300),
  fc.jsonValue({ maxDepth: 3 }),
);
const poisonObject = fc.dictionary(fc.constantFrom(...POISON_KEYS), poisonValue, { minKeys: 1, maxKeys: 4 });

/**
 * A vendor example with poison keys and values in every field that is parsed or copied: the
 * JSON-in-string fields (`properties`, `userProperties`, `corpName`, `userMeanDetail`, result
 * `extra`), the objects the schemas copy (sceneInstance, turns, results), and raw text around
 * the values (`1e309`, a duplicate key).
 */
export const poisonedExample = fc
  .tuple(
    fc.constantFrom<VendorExample>('outbound', 'inbound', 'manualIntent', 'job'),
    fc.array(poisonObject, {
      minLength: 6,
      maxLength: 6,
    }),
  )
  .map(([example, [a, b, c, d, e, f]]) => {
    const body = vendorObject(example);
    const inner = (body.data as Record<string, unknown>).data as Record<string, unknown>;
    const scene = inner.sceneInstance as Record<string, unknown> | undefined;
    if (scene) {
      scene.properties = JSON.stringify(a);
      scene.userProperties = JSON.stringify(b);
      scene.corpName = JSON.stringify(c);
      scene.propertiesMap = d;
      Object.assign(scene, e);
    }
    const turns = ((inner.phoneLog as Record<string, unknown> | undefined)?.phoneLogs ?? []) as Record<
      string,
      unknown
    >[];
    for (const turn of turns) {
      turn.userMeanDetail = JSON.stringify(f);
      Object.assign(turn, a);
    }
    const results = (inner.taskResult ?? []) as Record<string, unknown>[];
    for (const result of results) {
      result.extra = JSON.stringify(b);
      Object.assign(result, c);
    }
    Object.assign(inner, d);
    // JSON.stringify cannot write these: an own `__proto__` key set above is written as data.
    return JSON.stringify(body).replace('"code":200', '"code":200,"__proto__":{"polluted":true}');
  });

/** Bodies as bytes with the content type they claim, for ingest. */
export const hostileRequest = fc.oneof(
  poisonedExample.map((body) => ({ body: Buffer.from(body), contentType: 'application/json;charset=utf-8' })),
  mutatedExample.map((body) => ({ body: Buffer.from(body), contentType: 'application/json;charset=utf-8' })),
  editedExample.map((body) => ({ body: Buffer.from(body), contentType: 'text/plain;charset=UTF-8' })),
  fc
    .uint8Array({ maxLength: 2048 })
    .map((bytes) => ({ body: Buffer.from(bytes), contentType: 'application/octet-stream' })),
  fc
    .string({ unit: 'binary', maxLength: 512 })
    .map((text) => ({ body: Buffer.from(text), contentType: 'text/plain' })),
  fc.jsonValue().map((value) => ({
    body: Buffer.from(JSON.stringify(value) ?? 'null'),
    contentType: 'application/json',
  })),
  // A correct body declared in a charset it is not in.
  fc.constantFrom(...EXAMPLES).map((example) => ({
    body: Buffer.from(vendorBody(example), 'utf16le'),
    contentType: 'text/plain;charset=utf-8',
  })),
);
