/**
 * Hardening found in review: the secret path never leaves the request, signatures are not
 * stored, and a body in another charset (GBK) reaches the reader intact the way API Gateway
 * hands it over with binary media type `*` + `/` + `*` (base64).
 */
import { readCallback } from '../../../functions/commons/contract/index.js';
import type { CallRecord } from '../../../functions/commons/contract/types.js';
import { createIngestHandler, logicalRoute } from '../../../functions/commons/ingest/ingest-handler.js';
import type { ReceiveMeta } from '../../../functions/commons/queue-message.js';
import { apiEvent, RecordingCounter, RecordingLogger } from '../../support/recorders.js';
import { variantOf, vendorBody } from '../../support/vendor.js';

const wire = () => {
  const sent: { meta: ReceiveMeta; body: string }[] = [];
  const logger = new RecordingLogger();
  const handler = createIngestHandler({
    enqueue: async (meta, body) => {
      sent.push({ meta, body });
      return { messageId: `m-${sent.length}`, claimed: false };
    },
    logger,
    counter: new RecordingCounter(),
  });
  return { handler, sent, logger };
};

const SECRET = 'Zq8vN3pL0sKd7Rt2Wm5Xy9';

test.each([
  [`/${SECRET}/callbacks/call`, 'call'],
  [`/${SECRET}/callbacks/job`, 'job'],
  ['/callbacks/call', 'call'],
  ['/callbacks/job/', 'job'],
  ['/elsewhere', 'other'],
])('the route kept for %s is the logical %s', (path, route) => {
  expect(logicalRoute(path)).toBe(route);
});

test('with a secret path segment, neither the queued metadata nor any log line holds the secret', async () => {
  const { handler, sent, logger } = wire();
  const event = apiEvent(vendorBody('outbound'), { route: `/${SECRET}/callbacks/call` });
  expect((await handler(event)).body).toBe('success');
  await handler(apiEvent('not json', { route: `/${SECRET}/callbacks/job` }));
  expect(sent.map((item) => item.meta.route)).toEqual(['call', 'job']);
  expect(JSON.stringify(sent.map((item) => item.meta))).not.toContain(SECRET);
  expect(logger.text()).not.toContain(SECRET);
});

test('a callback signature is never stored: only that one was sent', () => {
  const body = variantOf('outbound', (inner) => {
    inner.sign = 'b64signature/A+Z==';
  });
  const result = readCallback(body);
  if (!result.ok) throw new Error(result.error.message);
  const record = result.records[0] as CallRecord;
  expect(record.signed).toBe(true);
  expect(JSON.stringify(record)).not.toContain('b64signature');
  const unsigned = readCallback(vendorBody('outbound'));
  expect(unsigned.ok && (unsigned.records[0] as CallRecord).signed).toBeUndefined();
});

test('a GBK body, base64 as API Gateway passes binary media, is decoded by its declared charset', async () => {
  const { handler, sent } = wire();
  // "张三" in GBK is D5 C5 C8 FD; the rest of the body is ASCII, the same in both charsets.
  const json =
    '{"code":200,"data":{"dataType":"CALL_INSTANCE_RESULT","data":{"sceneInstance":{"callInstanceId":7,"companyId":1,"customerName":"@NAME@"}}}}';
  const [before, after] = json.split('@NAME@') as [string, string];
  const bytes = Buffer.concat([
    Buffer.from(before, 'utf8'),
    Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]),
    Buffer.from(after, 'utf8'),
  ]);
  expect(Buffer.byteLength(before + after, 'utf8')).toBe((before + after).length);
  const event = apiEvent('', { contentType: 'application/json;charset=GBK' });
  event.body = bytes.toString('base64');
  event.isBase64Encoded = true;
  expect((await handler(event)).body).toBe('success');
  const stored = readCallback(sent[0]?.body ?? '');
  expect(stored.ok && (stored.records[0] as CallRecord).customerName).toBe('张三');
  // The same bytes read as UTF-8 would not be 张三: the charset decides.
  expect(Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]).toString('utf8')).not.toBe('张三');
});
