/**
 * The queue message: ingest writes v1, whose body consume must get back exactly as 百应 sent it
 * (its archive and its exact-number parser read that text), and consume still reads every
 * message an earlier version may have left in the queue or its DLQ (SQS keeps them 14 days):
 * the fixtures were written by the previous version's own ingest and reconciler code. Anything
 * not quite one of our messages decodes to nothing (consume quarantines it).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  decodeQueueMessage,
  encodeQueueMessage,
  type ReceiveMeta,
} from '../../../functions/commons/queue-message.js';
import { fixturePath, queueMessageFixtures } from '../../support/vendor.js';

const meta: ReceiveMeta = {
  requestId: 'c1d2-e3',
  receivedAt: '2026-11-28T01:02:03.004Z',
  source: 'callback',
  sourceIp: '120.55.46.3',
  route: 'call',
  contentType: 'application/json;charset=utf-8',
  dataType: 'CALL_INSTANCE_RESULT',
};

/** Every code unit SQS accepts (surrogates only as \u escapes). */
const sqsAccepts = (text: string) =>
  [...text].every((ch) => {
    const code = ch.charCodeAt(0);
    return (
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code < 0xd800) ||
      (code > 0xdfff && code < 0xfffe)
    );
  });

const QUEUE_MESSAGE_FIXTURES = queueMessageFixtures();

test('v1: any body, whatever its characters, travels as SQS accepts it and comes back character for character', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (body) => {
      const message = encodeQueueMessage(meta, { body });
      expect(sqsAccepts(message)).toBe(true);
      expect(decodeQueueMessage(message)).toEqual({ v: 1, meta, body });
    }),
    { numRuns: 500 },
  );
  const claim = { bucket: 'b', key: 'claims/2026/11/28/c1d2-e3.json', bytes: 2_000_000 };
  expect(decodeQueueMessage(encodeQueueMessage(meta, { claim }))).toEqual({ v: 1, meta, claim });
});

describe('every message format an earlier version wrote is still read', () => {
  test.each(Object.entries(QUEUE_MESSAGE_FIXTURES))('%s', (_name, fixture) => {
    const decoded = decodeQueueMessage(fixture.message);
    expect(decoded?.meta.requestId).toMatch(/^(fixture-|reconcile:)/);
    if (fixture.claims) {
      expect(decoded?.body).toBeUndefined();
      expect(Object.keys(fixture.claims)).toEqual([decoded?.claim?.key]);
    } else {
      expect(typeof decoded?.body).toBe('string');
    }
  });

  test('a v2 message gives back its body exactly as sent, spacing and all', () => {
    const fixture = QUEUE_MESSAGE_FIXTURES['v2 verbatim (pretty-printed vendor example)'];
    const body = readFileSync(fixturePath('vendor-inbound-call'), 'utf8');
    expect(decodeQueueMessage(fixture?.message ?? '')?.body).toBe(body);
  });
});

describe('decoding refuses what is not quite a message', () => {
  const good = QUEUE_MESSAGE_FIXTURES['v2 verbatim (compact JSON, envelope scan)']?.message ?? '';
  const length = Number(/"n":(\d+)/.exec(good)?.[1]);

  test.each([
    ['a v2 length one short', good.replace(`"n":${length}`, `"n":${length - 1}`)],
    ['a v2 length one long', good.replace(`"n":${length}`, `"n":${length + 1}`)],
    ['a v2 length beyond the message', good.replace(`"n":${length}`, '"n":99999')],
    ['cut short', good.slice(0, -1)],
    ['a character after it', `${good} `],
    ['metadata missing its request id', good.replace('"requestId":"fixture-v2-compact",', '')],
    ['the v2 body key renamed', good.replace(',"json":', ',"jsom":')],
    ['not JSON', 'hello'],
    ['an unknown version', '{"v":3,"meta":{}}'],
    ['v1 without metadata', '{"v":1,"body":"{}"}'],
  ])('%s', (_name, raw) => {
    expect(decodeQueueMessage(raw)).toBeUndefined();
  });
});
