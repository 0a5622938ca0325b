/**
 * The ingest handler in-process with a recording enqueuer: what 百应 gets back for every kind
 * of request, and that only an accepted enqueue earns `success`.
 */

import { readCallback } from '../../../functions/commons/contract/read-callback.js';
import { createIngestHandler } from '../../../functions/commons/ingest/ingest-handler.js';
import type { ReceiveMeta } from '../../../functions/commons/queue-message.js';
import { apiEvent, RecordingCounter, RecordingLogger } from '../../support/recorders.js';
import { vendorBody } from '../../support/vendor.js';

const setup = (fail = false) => {
  const sent: { meta: ReceiveMeta; body: string }[] = [];
  const logger = new RecordingLogger();
  const counter = new RecordingCounter();
  const handler = createIngestHandler({
    enqueue: async (meta, body) => {
      if (fail) throw new Error('AWS.SimpleQueueService.NonExistentQueue');
      sent.push({ meta, body });
      return { messageId: `m-${sent.length}`, claimed: false };
    },
    logger,
    counter,
  });
  return { handler, sent, logger, counter };
};

describe('ingest', () => {
  test('a JSON callback is enqueued untouched with its receive metadata, then answered `success`', async () => {
    const { handler, sent, counter } = setup();
    const body = vendorBody('outbound');
    const reply = await handler(
      apiEvent(body, { requestId: 'abc', receivedAt: Date.UTC(2026, 0, 2, 3, 4, 5, 6) }),
    );
    expect(reply).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
      body: 'success',
    });
    expect(sent).toEqual([
      {
        body,
        meta: {
          requestId: 'abc',
          receivedAt: '2026-01-02T03:04:05.006Z',
          source: 'callback',
          sourceIp: '120.55.46.3',
          route: 'call',
          contentType: 'application/json;charset=utf-8',
          dataType: 'CALL_INSTANCE_RESULT',
        },
      },
    ]);
    expect(counter.total('CallbacksReceived', { DataType: 'CALL_INSTANCE_RESULT' })).toBe(1);
  });

  test.each([
    ['text/plain;charset=utf-8', false],
    ['text/plain;charset=UTF-8', true],
    ['application/json', true],
    ['TEXT/PLAIN; charset="utf-8"', true],
  ])('%s (base64: %s) is read as the same body', async (contentType, base64) => {
    const { handler, sent } = setup();
    const body = vendorBody('inbound');
    const reply = await handler(apiEvent(body, { contentType, base64 }));
    expect(reply.body).toBe('success');
    expect(sent[0]?.body).toBe(body);
  });

  test('compact, pretty-printed, BOM and trailing-comma bodies: the same type, each enqueued exactly as sent', async () => {
    const { handler, sent } = setup();
    const compact = JSON.stringify(JSON.parse(vendorBody('inbound')));
    const bodies = {
      compact,
      pretty: JSON.stringify(JSON.parse(compact), null, 2),
      bom: `\uFEFF${compact}`,
      trailingComma: compact.replace(/null\}$/, 'null,}'),
    };
    expect(new Set(Object.values(bodies)).size).toBe(4);
    for (const body of Object.values(bodies)) expect((await handler(apiEvent(body))).body).toBe('success');
    expect(sent.map(({ body }) => body)).toEqual(Object.values(bodies));
    for (const { meta } of sent) expect(meta.dataType).toBe('INBOUND_CALL_INSTANCE_RESULT');
  });

  test('a GBK-encoded body arriving base64-encoded is decoded with its charset', async () => {
    const { handler, sent } = setup();
    // "测试" in GBK is B2 E2 CA D4.
    const gbk = Buffer.concat([
      Buffer.from('{"code":200,"data":{"dataType":"JOB_INFO_RESULT","data":{"callJobId":1,"jobName":"'),
      Buffer.from([0xb2, 0xe2, 0xca, 0xd4]),
      Buffer.from('"}}}'),
    ]);
    const event = apiEvent('', { contentType: 'text/plain;charset=GBK' });
    event.body = gbk.toString('base64');
    event.isBase64Encoded = true;
    const reply = await handler(event);
    expect(reply.body).toBe('success');
    expect(sent[0]?.body).toContain('"jobName":"测试"');
  });

  test('bytes that are not valid in the declared charset → 400, and the raw body is kept for quarantine', async () => {
    const { handler, sent } = setup();
    const event = apiEvent('', { contentType: 'application/json;charset=utf-8' });
    event.body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64');
    event.isBase64Encoded = true;
    const reply = await handler(event);
    expect(reply.statusCode).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ error: 'UNREADABLE_BODY', message: 'body is not valid utf-8' });
    expect(sent[0]?.meta.rejected).toBe('body is not valid utf-8');
  });

  test('not an envelope → 400 with the path and expectation; kept, marked rejected', async () => {
    const { handler, sent, counter } = setup();
    const reply = await handler(apiEvent('{"code":200,"data":{"dataType":"CALL_INSTANCE_RESULT"}}'));
    expect(reply.statusCode).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({
      error: 'NOT_ENVELOPE',
      message: 'data.data: expected an object (or a string holding one), got nothing',
    });
    expect(sent[0]?.meta.rejected).toContain('data.data');
    expect(counter.total('CallbacksRejected')).toBe(1);
  });

  test('an empty body → 400', async () => {
    const { handler } = setup();
    const event = apiEvent('');
    event.body = null;
    const reply = await handler(event);
    expect(reply.statusCode).toBe(400);
    expect(JSON.parse(reply.body).error).toBe('NOT_JSON');
  });

  test('an unknown dataType is accepted and enqueued (consume decides)', async () => {
    const { handler, sent } = setup();
    const reply = await handler(apiEvent('{"code":200,"data":{"dataType":"SMS_RESULT","data":{"a":1}}}'));
    expect(reply.body).toBe('success');
    expect(sent[0]?.meta.dataType).toBe('SMS_RESULT');
  });

  test('an envelope nested 100,000 levels deep is kept whole; consume, which walks it, refuses it', async () => {
    const { handler, sent } = setup();
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const body = `{"code":200,"data":{"dataType":"CALL_INSTANCE_RESULT","data":{"remark":${deep}}}}`;
    const reply = await handler(apiEvent(body));
    expect(reply.body).toBe('success');
    expect(sent[0]?.body).toBe(body);
    const read = readCallback(body);
    expect(read.ok).toBe(false);
    if (!read.ok)
      expect(read.error).toMatchObject({ code: 'NOT_JSON', received: 'nesting 100003 levels deep' });
  });

  test('enqueue failure → 503 and never `success`; logged without the body', async () => {
    const { handler, logger, counter } = setup(true);
    const reply = await handler(apiEvent(vendorBody('outbound')));
    expect(reply.statusCode).toBe(503);
    expect(reply.body).not.toContain('success');
    expect(counter.total('EnqueueFailures')).toBe(1);
    expect(logger.text()).toContain('NonExistentQueue');
    expect(logger.text()).not.toContain('137xxxxxxxx');
  });

  test('one log line per request, with no body', async () => {
    const { handler, logger } = setup();
    await handler(apiEvent(vendorBody('outbound')));
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]?.message).toBe('callback accepted');
    expect(logger.text()).not.toContain('luyinOssUrl');
  });

  test('the Lambda context reaches the logger on every invocation', async () => {
    const { handler, logger } = setup();
    await handler(apiEvent(vendorBody('outbound')), { awsRequestId: 'lambda-req-1' } as never);
    await handler(apiEvent(vendorBody('job')), { awsRequestId: 'lambda-req-2' } as never);
    expect(logger.contexts.map((context) => context.awsRequestId)).toEqual(['lambda-req-1', 'lambda-req-2']);
  });
});
