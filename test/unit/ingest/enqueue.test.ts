import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createEnqueuer } from '../../../functions/commons/ingest/enqueue.js';
import { createIngestHandler } from '../../../functions/commons/ingest/ingest-handler.js';
import { decodeQueueMessage } from '../../../functions/commons/queue-message.js';
import { sqsSafeJson } from '../../../functions/commons/sqs-safe-json.js';
import { apiEvent, RecordingCounter, RecordingLogger } from '../../support/recorders.js';
import { variantOf, vendorBody, vendorObject } from '../../support/vendor.js';

const meta = { requestId: 'r-1', receivedAt: '2026-11-26T00:00:00.000Z', source: 'callback' as const };

test('characters SQS refuses are escaped, and the message parses back to the exact body', () => {
  const body = '{"remark":"a\uFFFEb\uFFFFc","x":"\u0000\ud800","name":"张三😀"}';
  const json = sqsSafeJson({ body });
  // Nothing SQS refuses is left: every code unit is allowed (surrogates only as \u escapes).
  const refused = [...json].filter((ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x20 || (code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff;
  });
  expect(refused).toEqual([]);
  expect(json).toContain('张三');
  expect((JSON.parse(json) as { body: string }).body).toBe(body);
});

test('a message over the limit goes to the claim store, and the message carries the pointer', async () => {
  const sqs = mockClient(SQSClient);
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  const claimed: string[] = [];
  const enqueue = createEnqueuer({
    sqs: new SQSClient({ region: 'us-east-1' }),
    queueUrl: 'https://sqs.example/q',
    claims: {
      put: async (key, body) => {
        claimed.push(body);
        return { bucket: 'b', key };
      },
    },
    maxMessageBytes: 1024,
  });
  expect(await enqueue(meta, 'x'.repeat(100))).toEqual({ messageId: 'm-1', claimed: false });
  expect(await enqueue(meta, 'y'.repeat(2000))).toEqual({ messageId: 'm-1', claimed: true });
  expect(claimed).toEqual(['y'.repeat(2000)]);
  const second = JSON.parse(sqs.commandCalls(SendMessageCommand)[1]?.args[0].input.MessageBody ?? '{}');
  expect(second).toEqual({
    v: 1,
    meta,
    claim: { bucket: 'b', key: 'claims/2026/11/26/r-1.json', bytes: 2000 },
  });
  sqs.restore();
});

test('SQS without a message id is a failure, not a silent success', async () => {
  const sqs = mockClient(SQSClient);
  sqs.on(SendMessageCommand).resolves({});
  const enqueue = createEnqueuer({
    sqs: new SQSClient({ region: 'us-east-1' }),
    queueUrl: 'q',
    claims: { put: async (key) => ({ bucket: 'b', key }) },
    maxMessageBytes: 1024,
  });
  await expect(enqueue(meta, '{}')).rejects.toThrow('SQS accepted no message id');
  sqs.restore();
});

describe('what ingest puts on the queue (one format, v1) decodes to the exact body', () => {
  const sentBy = async (body: string, headers?: Record<string, string>) => {
    const sent: string[] = [];
    const handler = createIngestHandler({
      enqueue: createEnqueuer({
        sqs: {
          send: async (command: SendMessageCommand) => {
            sent.push(command.input.MessageBody ?? '');
            return { MessageId: `m-${sent.length}`, $metadata: {} };
          },
        } as unknown as SQSClient,
        queueUrl: 'q',
        claims: { put: async (key) => ({ bucket: 'b', key }) },
        maxMessageBytes: 1_000_000,
      }),
      logger: new RecordingLogger(),
      counter: new RecordingCounter(),
    });
    const event = apiEvent(body);
    const reply = await handler(headers ? { ...event, headers } : event);
    expect(reply.body).toBe('success');
    const message = sent[0] ?? '';
    return { version: (JSON.parse(message) as { v: number }).v, decoded: decodeQueueMessage(message) };
  };

  test.each([
    ['a vendor example', 1, vendorBody('outbound')],
    [
      'pretty-printed with CRLF',
      1,
      JSON.stringify(vendorObject('inbound'), null, 2).replaceAll('\n', '\r\n'),
    ],
    ['with a byte-order mark (JSON.parse refuses it as sent)', 1, `\uFEFF${vendorBody('outbound')}`],
    ['with the doc’s trailing comma', 1, vendorBody('job')],
    [
      'with an emoji in a name (SQS needs it escaped)',
      1,
      variantOf('outbound', (inner) => {
        (inner.sceneInstance as Record<string, unknown>).customerName = '张三😀';
      }),
    ],
    ['compact', 1, JSON.stringify(vendorObject('outbound'))],
    [
      'compact with an emoji (SQS needs it escaped)',
      1,
      JSON.stringify({ ...vendorObject('outbound'), resultMsg: '成功😀' }),
    ],
    [
      'compact with U+FFFF in a string',
      1,
      JSON.stringify({ ...vendorObject('outbound'), resultMsg: 'a\uFFFFb' }),
    ],
    [
      'compact with a lone surrogate written as an escape (plain text)',
      1,
      JSON.stringify(vendorObject('outbound')).replace('"成功"', '"\\ud800"'),
    ],
  ])('%s → v%i', async (_name, version, body) => {
    const { version: sentVersion, decoded } = await sentBy(body);
    expect(sentVersion).toBe(version);
    expect(decoded?.body).toBe(body);
    expect(decoded?.meta.route).toBe('call');
  });

  test('the content type is read whatever the header name’s case', async () => {
    for (const name of ['content-type', 'Content-Type', 'CONTENT-TYPE']) {
      const { decoded } = await sentBy(vendorBody('outbound'), { [name]: 'text/plain;charset=utf-8' });
      expect(decoded?.meta.contentType).toBe('text/plain;charset=utf-8');
    }
  });
});
