/**
 * What a copied object is stored as, seen from the S3 side: an audio type from the file's bytes
 * (or binary) and `Content-Disposition: attachment`, whatever Content-Type the host answered.
 */
import { copyRecording } from '../../../functions/commons/recordings/copy-recording.js';
import { useRecordingRig } from '../../support/s3-sink.js';

const rig = useRecordingRig();
const { host, sink } = rig;

const copy = (url: string) =>
  copyRecording(
    {
      v: 1,
      callId: '42',
      direction: 'inbound',
      companyId: '7',
      startTime: '2026-11-27T10:00:00+08:00',
      kind: 'customer',
      url,
    },
    { s3: rig.s3, bucket: 'sink' },
    { hosts: [], exemptHosts: ['127.0.0.1'] },
    { maxBytes: 10_000_000, timeoutMs: 10_000 },
    { now: new Date() },
  );

test.each([
  ['text/html; charset=utf-8', '/42-a.php'],
  ['application/json', '/42-b'],
  ['audio/x-wav', '/42-c.mp3'],
])('a WAV answered as %s (link %s) is stored as audio/wav, as a download', async (contentType, path) => {
  host.on(path, { contentType });
  const copied = await copy(host.url(path, 70_000));
  expect(copied).toMatchObject({ contentType: 'audio/wav', bytes: 70_000 });
  expect(copied.s3Key).toMatch(/^recordings\/7\/2026\/11\/27\/in-42-customer-[0-9a-f]{16}\.wav$/);
  const headers = sink.created.get(copied.s3Key);
  expect(headers?.['content-type']).toBe('audio/wav');
  expect(headers?.['content-disposition']).toMatch(
    /^attachment; filename="in-42-customer-[0-9a-f]{16}\.wav"$/,
  );
});

test('bytes that are no audio format, under a link without an audio extension, are stored as binary', async () => {
  // Shorter than the bytes sniffed, and no extension: nothing says audio.
  host.on('/42-short', { contentType: 'text/html' });
  const copied = await copy(host.url('/42-short', 7));
  expect(copied).toMatchObject({ contentType: 'application/octet-stream', bytes: 7 });
  expect(copied.s3Key).toMatch(/\.bin$/);
  expect(sink.created.get(copied.s3Key)?.['content-disposition']).toMatch(/^attachment/);
});
