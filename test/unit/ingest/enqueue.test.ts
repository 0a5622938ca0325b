import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createEnqueuer } from '../../../functions/commons/ingest/enqueue.js';
import { sqsSafeJson } from '../../../functions/commons/sqs-safe-json.js';

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
