/**
 * A warm ingest container handles request after request: nothing may hold on to a body from one
 * to the next. An earlier version's caches did (a type name sliced out of a body points into it
 * in V8 from 13 characters on, and a cache kept the name); ingest keeps no such state now, and
 * this guards that it stays so.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createEnqueuer } from '../../../functions/commons/ingest/enqueue.js';
import { createIngestHandler } from '../../../functions/commons/ingest/ingest-handler.js';
import { apiEvent, RecordingCounter, RecordingLogger } from '../../support/recorders.js';

// A fresh context reads the flag when it is created, so its `gc` exists even though jest's does not.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const heapMb = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed / 1e6;
};

/** A compact envelope of about 2 × `chars` bytes (two-byte text, like a Chinese transcript). */
const bigBody = (type: string, chars: number) =>
  JSON.stringify({
    code: 200,
    data: { dataType: type, data: { callInstanceId: 1, text: '您好'.repeat(chars / 2) } },
  });

test('a handled body is not kept alive by anything ingest remembers between requests', async () => {
  const messages: number[] = [];
  const types: (string | undefined)[] = [];
  const enqueue = createEnqueuer({
    sqs: {
      send: async (command: { input: { MessageBody?: string } }) => {
        messages.push(command.input.MessageBody?.length ?? 0);
        return { MessageId: `m-${messages.length}`, $metadata: {} };
      },
    } as never,
    queueUrl: 'https://sqs.example/queue',
    claims: { put: async (key) => ({ bucket: 'b', key }) },
    maxMessageBytes: 262_144,
  });
  const handler = createIngestHandler({
    enqueue: (meta, body) => {
      types.push(meta.dataType);
      return enqueue(meta, body);
    },
    logger: new RecordingLogger(),
    counter: new RecordingCounter(),
  });
  const send = async (type: string, chars: number) => {
    const reply = await handler(apiEvent(bigBody(type, chars)));
    expect(reply.body).toBe('success');
  };
  const before = heapMb();
  // Type names of 13 or more characters (from that length V8 slices instead of copying), each in
  // a 20 MB body (which goes through the claim check), one with spaces around it, and many others.
  await send('CALL_INSTANCE_RESULT', 10_000_000);
  await send(' JOB_INFO_RESULT ', 10_000_000);
  for (let i = 0; i < 20; i++) await send(`SOME_OTHER_TYPE_${i}`, 100);
  await send('YET_ANOTHER_TYPE_NAME', 10_000_000);
  expect(messages).toHaveLength(23);
  expect(heapMb() - before).toBeLessThan(5);
  // Each type was read as the reader reads it (trimmed).
  await send('CALL_INSTANCE_RESULT', 100);
  await send('YET_ANOTHER_TYPE_NAME', 100);
  expect(types).toEqual([
    'CALL_INSTANCE_RESULT',
    'JOB_INFO_RESULT',
    ...Array.from({ length: 20 }, (_, i) => `SOME_OTHER_TYPE_${i}`),
    'YET_ANOTHER_TYPE_NAME',
    'CALL_INSTANCE_RESULT',
    'YET_ANOTHER_TYPE_NAME',
  ]);
}, 30_000);
