/**
 * Faults of the recording host, on the local stack (`npm start`'s code, in process): the host
 * down for a while then back, links that answer 404, a file over the cap, links to a private
 * address or a disallowed host. Every call ends with a final status; nothing stays PENDING and
 * nothing archivable is lost. Retry delays are scaled down (60 s → about a second).
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/commons/store/document-client.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/emulators.js';
import { recordingSha256 } from '../../local/fake-recordings.js';
import { freePort } from '../../local/ports.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import { RecordingHost } from '../support/recording-host.js';
import { waitScale } from '../support/stored.js';
import { variantOf } from '../support/vendor.js';

let stack: LocalStack;
let doc: ReturnType<typeof documentClient>;
const host = new RecordingHost();
const CAP = 4 * 1024 * 1024;

beforeAll(async () => {
  await host.start();
  stack = await startLocalStack({
    port: await freePort(),
    awsPort: await freePort(),
    dynamoPort: await freePort(),
    recordingHosts: ['127.0.0.1'],
    recordingMaxBytes: CAP,
    recordingRetryScale: 0.02,
  });
  doc = documentClient(
    new DynamoDBClient({
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: stack.emulators.dynamoEndpoint,
    }),
  );
});
afterAll(async () => {
  await stack?.stop();
  await host.stop();
  doc?.destroy();
});

const post = async (id: number, call?: string, customer?: string) => {
  const body = variantOf('outbound', (inner) => {
    const scene = inner.sceneInstance as Record<string, unknown>;
    scene.callInstanceId = id;
    scene.luyinOssUrl = call ?? null;
    scene.userLuyinOssUrl = customer ?? null;
  });
  const reply = await fetch(`${stack.url}/callbacks/call`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  expect(await reply.text()).toBe('success');
};

type Entry = { status: string; sha256?: string; reason?: string; attempts?: number };
const entryOf = async (id: number, kind = 'call'): Promise<Entry | undefined> => {
  const item = (
    await doc.send(
      new GetCommand({
        TableName: stack.resources.callsTable,
        Key: { pk: `out#${id}` },
        ConsistentRead: true,
      }),
    )
  ).Item;
  return (item?.recordings as Record<string, Entry> | undefined)?.[kind];
};
const waitFor = async (
  ids: number[],
  done: (entry: Entry | undefined) => boolean,
  seconds: number,
  kind = 'call',
) => {
  const deadline = Date.now() + seconds * 1000 * waitScale();
  for (;;) {
    const entries = await Promise.all(ids.map((id) => entryOf(id, kind)));
    if (entries.every(done)) return entries;
    if (Date.now() > deadline) return entries;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

test('the recording host down for a while, then back: every recording archived later, none lost', async () => {
  const port = host.port;
  await host.stop();
  const ids = Array.from({ length: 10 }, (_, index) => 81_000 + index);
  for (const id of ids) await post(id, `http://127.0.0.1:${port}/${id}-full.wav`);
  const pending = await waitFor(ids, (entry) => entry?.status === 'PENDING', 20);
  expect(pending.map((entry) => entry?.status)).toEqual(ids.map(() => 'PENDING'));
  expect(pending[0]?.reason).toMatch(/ECONNREFUSED/);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await host.start(port);
  const archived = await waitFor(ids, (entry) => entry?.status === 'ARCHIVED', 60);
  expect(archived.map((entry) => entry?.status)).toEqual(ids.map(() => 'ARCHIVED'));
  expect(archived.map((entry) => entry?.sha256)).toEqual(ids.map((id) => recordingSha256(`${id}-full.wav`)));
  expect(Math.max(...archived.map((entry) => entry?.attempts ?? 0))).toBeGreaterThan(1);
});

test('a link answering 404 ends EXPIRED after three attempts', async () => {
  host.on('/82000-full.wav', { status: 404 });
  await post(82_000, host.url('/82000-full.wav'));
  const [entry] = await waitFor([82_000], (found) => found?.status === 'EXPIRED', 30);
  expect(entry).toMatchObject({ status: 'EXPIRED', attempts: 3 });
  expect(host.hits.get('/82000-full.wav')).toBe(3);
});

test('a file over the cap is refused cleanly (declared and streamed), and the call’s other recording still archives', async () => {
  host.on('/83000-user.wav', { chunked: true });
  await post(83_000, host.url('/83000-full.wav', CAP + 1), host.url('/83000-user.wav', CAP * 2));
  await post(83_001, host.url('/83001-full.wav', 100_000));
  const [call] = await waitFor([83_000], (found) => found?.status === 'REFUSED', 30);
  expect(call?.reason).toContain('over the cap');
  // The two links are two tasks: the streamed one ends later than the declared one.
  const [customer] = await waitFor([83_000], (found) => found?.status === 'REFUSED', 30, 'customer');
  expect(customer).toMatchObject({ status: 'REFUSED', reason: expect.stringContaining('over the cap') });
  const [other] = await waitFor([83_001], (found) => found?.status === 'ARCHIVED', 30);
  expect(other?.sha256).toBe(recordingSha256('83001-full.wav', 100_000));
});

test('links to a private address or a disallowed host are REFUSED, never fetched', async () => {
  await post(84_000, 'https://10.0.0.8/rec.wav', 'https://recordings.example.org/rec.wav');
  await post(84_001, 'http://169.254.169.254/latest/meta-data/');
  const [first, second] = await waitFor([84_000, 84_001], (found) => found?.status === 'REFUSED', 30);
  expect(first?.reason).toContain('not on the recording host allowlist');
  expect(second?.reason).toMatch(/https only|allowlist/);
  expect((await entryOf(84_000, 'customer'))?.reason).toContain(
    'recordings.example.org is not on the recording host allowlist',
  );
});
