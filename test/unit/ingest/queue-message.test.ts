/**
 * The two queue-message encodings: v2 carries a JSON body unescaped, and consume must get back
 * exactly the text 百应 sent (its archive and its exact-number parser read that text); anything
 * not quite one of our messages decodes to nothing (consume quarantines it).
 */
import fc from 'fast-check';
import {
  decodeQueueMessage,
  type ReceiveMeta,
  verbatimMessage,
} from '../../../functions/commons/queue-message.js';
import { sqsSafeJson } from '../../../functions/commons/sqs-safe-json.js';
import { vendorBody } from '../../support/vendor.js';

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

describe('v2: a body JSON.parse reads as it is travels unescaped', () => {
  test('a vendor example: smaller than v1, valid JSON, and decoded to the identical text', () => {
    const body = vendorBody('outbound');
    const message = verbatimMessage(meta, body);
    expect(message).toBeDefined();
    if (!message) return;
    const v1 = sqsSafeJson({ v: 1, meta, body });
    expect(message.length).toBeLessThan(v1.length);
    expect(message.startsWith('{"v":2,"n":')).toBe(true);
    // Still one JSON object: the console and any tool can read the whole message.
    expect(JSON.parse(message)).toEqual({ v: 2, n: body.length, meta, json: JSON.parse(body) });
    expect(decodeQueueMessage(message)).toEqual({ meta, body });
  });

  test('any JSON text, however spaced, comes back character for character', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.constantFrom(0, 2, '\t'),
        fc.stringMatching(/^[ \t\r\n]{0,3}$/),
        (value, indent, pad) => {
          const body = `${pad}${JSON.stringify(value, null, indent)}${pad}`;
          const message = verbatimMessage(meta, body);
          if (message === undefined) {
            // Only a body SQS would refuse as it is goes the escaped way.
            expect(sqsAccepts(body)).toBe(false);
            return;
          }
          expect(sqsAccepts(message)).toBe(true);
          expect(decodeQueueMessage(message)).toEqual({ meta, body });
        },
      ),
      { numRuns: 400 },
    );
  });

  test('a body with characters SQS refuses (an emoji, U+FFFF) is left to v1', () => {
    expect(verbatimMessage(meta, '{"name":"张三😀"}')).toBeUndefined();
    expect(verbatimMessage(meta, '{"x":"\uffff"}')).toBeUndefined();
    expect(verbatimMessage(meta, '{"name":"张三"}')).toBeDefined();
  });

  test('metadata with such characters is escaped, and still decodes', () => {
    const odd = { ...meta, dataType: 'TYPE😀\uffff' };
    const message = verbatimMessage(odd, '{"a":1}');
    expect(message && sqsAccepts(message)).toBe(true);
    expect(decodeQueueMessage(message ?? '')).toEqual({ meta: odd, body: '{"a":1}' });
  });
});

describe('decoding refuses what is not quite a message', () => {
  const body = '{"code":200,"data":{"dataType":"X","data":{}}}';
  const good = verbatimMessage(meta, body) ?? '';

  test.each([
    ['the length one short', good.replace(`"n":${body.length}`, `"n":${body.length - 1}`)],
    ['the length one long', good.replace(`"n":${body.length}`, `"n":${body.length + 1}`)],
    ['a length beyond the message', good.replace(`"n":${body.length}`, '"n":99999')],
    ['cut short', good.slice(0, -1)],
    ['a character after it', `${good} `],
    ['metadata missing its request id', good.replace('"requestId":"c1d2-e3",', '')],
    ['the body key renamed', good.replace(',"json":', ',"jsom":')],
    ['not JSON', 'hello'],
    ['an unknown version', '{"v":3,"meta":{}}'],
  ])('%s', (_name, raw) => {
    expect(decodeQueueMessage(raw)).toBeUndefined();
  });

  test('v1 messages (in flight during an upgrade, redriven, or with a claim) still decode', () => {
    expect(decodeQueueMessage(sqsSafeJson({ v: 1, meta, body: 'not json at all' }))).toEqual({
      v: 1,
      meta,
      body: 'not json at all',
    });
    const claim = { bucket: 'b', key: 'claims/2026/11/28/c1d2-e3.json', bytes: 2_000_000 };
    expect(decodeQueueMessage(JSON.stringify({ v: 1, meta, claim }))).toEqual({ v: 1, meta, claim });
  });
});
