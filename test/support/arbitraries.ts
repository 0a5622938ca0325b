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

/** Bodies as bytes with the content type they claim, for ingest. */
export const hostileRequest = fc.oneof(
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
