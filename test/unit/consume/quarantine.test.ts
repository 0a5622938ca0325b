/** A quarantined body kept as base64 (not text in its declared charset) says so, and shows decoded where it can. */
import {
  decodeQuarantinedBody,
  type QuarantineEntry,
  writeQuarantine,
} from '../../../functions/commons/consume/quarantine.js';
import type { ObjectStore } from '../../../functions/commons/object-store.js';

const memoryStore = () => {
  const objects = new Map<string, string>();
  const store: ObjectStore = {
    put: async (key, body) =>
      void objects.set(key, typeof body === 'string' ? body : Buffer.from(body).toString()),
    get: async (key) => Buffer.from(objects.get(key) ?? ''),
    list: async (prefix) => [...objects.keys()].filter((key) => key.startsWith(prefix)),
    delete: async (key) => void objects.delete(key),
  };
  return { store, objects };
};

// "张三" in GBK, sent declared as UTF-8: ingest could not decode it and kept the bytes as base64.
const gbk = Buffer.concat([
  Buffer.from('{"name":"'),
  Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]),
  Buffer.from('"}'),
]);
const entry: QuarantineEntry = {
  quarantinedAt: '2026-11-27T00:00:00.000Z',
  messageId: 'm-1',
  reason: { code: 'REJECTED_BY_INGEST', message: 'body is not valid utf-8' },
  meta: {
    requestId: 'r-1',
    receivedAt: '2026-11-27T00:00:00.000Z',
    source: 'callback',
    contentType: 'application/json;charset=utf-8',
    bodyEncoding: 'base64',
  },
  body: gbk.toString('base64'),
};

test('the stored quarantine entry says bodyEncoding: base64', async () => {
  const { store, objects } = memoryStore();
  const key = await writeQuarantine(store, entry);
  expect(JSON.parse(objects.get(key) ?? '{}')).toMatchObject({
    bodyEncoding: 'base64',
    body: gbk.toString('base64'),
  });
});

test('it is shown decoded by the first charset that reads it (the declared one failed: GB18030 does)', () => {
  expect(decodeQuarantinedBody({ ...entry, bodyEncoding: 'base64' })).toEqual({
    text: '{"name":"张三"}',
    charset: 'gb18030',
  });
  const { bodyEncoding: _none, ...text } = entry;
  expect(decodeQuarantinedBody(text)).toBeUndefined();
});
