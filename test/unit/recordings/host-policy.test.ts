/** The SSRF rules for recording links: scheme, host allowlist, and the addresses a host may resolve to. */
import type { LookupAddress } from 'node:dns';
import { RECORDINGS } from '../../../functions/commons/definitions.js';
import { sniffAudio, storedTypeOf } from '../../../functions/commons/recordings/audio-type.js';
import { linkDigest, recordingKey } from '../../../functions/commons/recordings/copy-recording.js';
import {
  assertPublicAddress,
  checkUrl,
  parseHostList,
  publicOnlyLookup,
  RefusedUrlError,
} from '../../../functions/commons/recordings/host-policy.js';
import { backoffSeconds } from '../../../functions/commons/recordings/recordings-handler.js';
import { parseTask } from '../../../functions/commons/recordings/task.js';
import { sqsTaskSender } from '../../../functions/commons/recordings/task-queue.js';

const deployed = { hosts: [...RECORDINGS.defaultHosts] };
const refused = (policy: Parameters<typeof checkUrl>[0], url: string): string => {
  try {
    checkUrl(policy, url);
  } catch (error) {
    expect(error).toBeInstanceOf(RefusedUrlError);
    return (error as Error).message;
  }
  throw new Error(`${url} was allowed`);
};

describe('allowlist', () => {
  test.each([
    'https://byrobot-test.oss-cn-hangzhou.aliyuncs.com/RobotPhoneCommunicate/11/xxx.wav',
    'https://a.b.c.aliyuncs.com/x.mp3?Expires=1&Signature=abc',
    'https://pre-crm.indata.cc/rec/1.wav',
    'https://rec.byrobot.cn/1.wav',
    'https://cdn.byai.com/1.wav',
    'https://CDN.BYAI.COM/1.wav',
    'https://cdn.byai.com:443/1.wav',
  ])('%s is allowed', (url) => {
    expect(checkUrl(deployed, url).toString()).toBe(new URL(url).toString());
  });

  test.each([
    ['http://byrobot-test.oss-cn-hangzhou.aliyuncs.com/1.wav', 'https only'],
    ['ftp://x.aliyuncs.com/1.wav', 'https only'],
    ['file:///etc/passwd', 'https only'],
    ['https://aliyuncs.com/1.wav', 'not on the recording host allowlist'],
    ['https://aliyuncs.com.evil.example/1.wav', 'not on the recording host allowlist'],
    ['https://evilaliyuncs.com/1.wav', 'not on the recording host allowlist'],
    ['https://indata.cc/1.wav', 'not on the recording host allowlist'],
    ['https://169.254.169.254/latest/meta-data/', 'not on the recording host allowlist'],
    ['https://user:pw@x.aliyuncs.com/1.wav', 'credentials'],
    ['https://CDN.BYAI.COM:8443/1.wav', 'port 8443 is not allowed'],
    ['https://x.aliyuncs.com:22/1.wav', 'port 22 is not allowed'],
    ['https://x.aliyuncs.com:80/1.wav', 'port 80 is not allowed'],
    ['not a url', 'not a URL'],
  ])('%s is refused (%s)', (url, reason) => {
    expect(refused(deployed, url)).toContain(reason);
  });

  test('an IP on the allowlist is still refused when it is not public', () => {
    expect(refused({ hosts: ['10.0.0.5'] }, 'https://10.0.0.5/a.wav')).toContain('private');
    expect(checkUrl({ hosts: ['8.8.8.8'] }, 'https://8.8.8.8/a.wav').hostname).toBe('8.8.8.8');
  });

  test('exempt hosts (local stack) may use http and loopback; nothing else may', () => {
    const local = { hosts: [...RECORDINGS.defaultHosts], exemptHosts: ['127.0.0.1'] };
    expect(checkUrl(local, 'http://127.0.0.1:4580/recordings/1-full.wav').port).toBe('4580');
    expect(refused(local, 'https://localhost:4580/recordings/1-full.wav')).toContain('allowlist');
    expect(refused(local, 'http://x.aliyuncs.com/1.wav')).toContain('https only');
  });

  test('onlyExempt (local stack): an allowed host that is not exempt is refused, saying why', () => {
    const local = { hosts: [...RECORDINGS.defaultHosts], exemptHosts: ['127.0.0.1'], onlyExempt: true };
    expect(refused(local, 'https://x.aliyuncs.com/1.wav')).toContain('--recording-hosts');
    expect(checkUrl(local, 'http://127.0.0.1:1/a.wav').hostname).toBe('127.0.0.1');
  });

  test.each([
    ['*.aliyuncs.com, pre-crm.indata.cc', ['*.aliyuncs.com', 'pre-crm.indata.cc']],
    ['127.0.0.1,localhost', ['127.0.0.1', 'localhost']],
    [' A.Example.COM ,, ', ['a.example.com']],
    ['::1', ['::1']],
  ])('host list %j parses to %j', (text, hosts) => {
    expect(parseHostList(text, 'x')).toEqual(hosts);
  });

  test.each(['bad host', 'http://x.com', '*.com', '*', 'x_y.com', 'a/b'])(
    'host list entry %j is refused',
    (text) => {
      expect(() => parseHostList(text, 'recordingHosts')).toThrow('recordingHosts');
    },
  );
});

describe('addresses', () => {
  test.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
  ])('%s is refused', (address) => {
    expect(() => assertPublicAddress(address)).toThrow(RefusedUrlError);
  });

  test.each(['8.8.8.8', '47.96.1.2', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(() => assertPublicAddress(address)).not.toThrow();
  });

  test('the lookup used for connections refuses a name that resolves to loopback', async () => {
    const result = await new Promise<{ error: Error | null; address: string | LookupAddress[] }>((resolve) =>
      publicOnlyLookup('localhost', {}, (error, address) => resolve({ error, address })),
    );
    expect(result.error).toBeInstanceOf(RefusedUrlError);
    expect(result.error?.message).toMatch(/loopback/);
  });
});

describe('keys and retries', () => {
  test('the object key: company, the call’s Beijing day, direction, call id, kind, a digest of the link', () => {
    const task = {
      v: 1 as const,
      callId: '1540384412',
      direction: 'outbound' as const,
      companyId: '888',
      startTime: '2019-01-12T00:10:11+08:00',
      kind: 'customer' as const,
      url: 'https://x.aliyuncs.com/a.wav',
    };
    const digest = linkDigest(task.url);
    expect(digest).toMatch(/^[0-9a-f]{16}$/);
    expect(recordingKey(task, 'wav', new Date('2026-01-01T00:00:00Z'))).toBe(
      `recordings/888/2019/01/12/out-1540384412-customer-${digest}.wav`,
    );
    // No start time: the day of the copy, in Beijing.
    const { startTime: _omitted, ...undated } = task;
    expect(recordingKey(undated, 'mp3', new Date('2026-11-27T17:00:00Z'))).toBe(
      `recordings/888/2026/11/28/out-1540384412-customer-${digest}.mp3`,
    );
  });

  test('outbound and inbound calls with the same id, and two links of one call, never share a key', () => {
    const base = {
      v: 1 as const,
      callId: '1091',
      companyId: '1',
      startTime: '2019-01-24T15:27:39+08:00',
      kind: 'call' as const,
    };
    const at = new Date('2026-01-01T00:00:00Z');
    const keys = [
      recordingKey({ ...base, direction: 'outbound', url: 'https://x.aliyuncs.com/1091.wav' }, 'wav', at),
      recordingKey({ ...base, direction: 'inbound', url: 'https://x.aliyuncs.com/1091.wav' }, 'wav', at),
      recordingKey(
        { ...base, direction: 'inbound', url: 'https://x.aliyuncs.com/1091-redial.wav' },
        'wav',
        at,
      ),
    ];
    expect(new Set(keys).size).toBe(3);
    expect(keys[0]).toContain('/out-1091-call-');
    expect(keys[1]).toContain('/in-1091-call-');
  });

  test('the stored type comes from the file’s bytes, else the link’s audio extension, else binary', () => {
    const wav = Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1');
    const html = Buffer.from('<!doctype html><script>', 'latin1');
    const mp3 = Buffer.from([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0]);
    const aac = Buffer.from([0xff, 0xf1, 0x50, 0x80, 0, 0, 0, 0, 0, 0, 0, 0]);
    const m4a = Buffer.from('\x00\x00\x00\x20ftypM4A ', 'latin1');
    const url = (path: string) => new URL(`https://x.aliyuncs.com${path}`);
    expect(storedTypeOf(wav, url('/a'))).toEqual({ contentType: 'audio/wav', extension: 'wav' });
    // The bytes win over a misleading extension.
    expect(storedTypeOf(wav, url('/a.mp3'))).toEqual({ contentType: 'audio/wav', extension: 'wav' });
    expect(storedTypeOf(mp3, url('/a'))).toEqual({ contentType: 'audio/mpeg', extension: 'mp3' });
    expect(storedTypeOf(Buffer.from('ID3\x04', 'latin1'), url('/a'))).toMatchObject({ extension: 'mp3' });
    expect(storedTypeOf(aac, url('/a'))).toEqual({ contentType: 'audio/aac', extension: 'aac' });
    expect(storedTypeOf(m4a, url('/a'))).toEqual({ contentType: 'audio/mp4', extension: 'm4a' });
    expect(storedTypeOf(Buffer.from('OggS\x00', 'latin1'), url('/a'))).toMatchObject({
      contentType: 'audio/ogg',
    });
    // Unknown bytes: the link's audio extension, else binary — never text/html.
    expect(storedTypeOf(html, url('/a.WAV?x=1'))).toEqual({ contentType: 'audio/wav', extension: 'wav' });
    expect(storedTypeOf(html, url('/a.html'))).toEqual({
      contentType: 'application/octet-stream',
      extension: 'bin',
    });
    expect(storedTypeOf(Buffer.alloc(0), url('/a'))).toEqual({
      contentType: 'application/octet-stream',
      extension: 'bin',
    });
    expect(sniffAudio(html)).toBeUndefined();
  });

  test('backoff doubles from a minute and stops at two hours; a day holds under maxReceiveCount attempts', () => {
    expect([1, 2, 3, 4, 7, 8, 20].map(backoffSeconds)).toEqual([60, 120, 240, 480, 3840, 7200, 7200]);
    let elapsed = 0;
    let attempt = 1;
    while (elapsed < RECORDINGS.retryForHours * 3600) elapsed += backoffSeconds(attempt++);
    expect(attempt).toBeLessThan(RECORDINGS.maxReceiveCount);
  });
});

test('a recording task whose link holds characters SQS refuses is sent escaped, and reads back the same', async () => {
  const bodies: string[] = [];
  const sqs = {
    send: async (command: { input: { Entries: { MessageBody: string }[] } }) => {
      bodies.push(...command.input.Entries.map((entry) => entry.MessageBody));
      return {};
    },
  };
  const task = {
    v: 1 as const,
    callId: '1',
    direction: 'outbound' as const,
    companyId: '1',
    kind: 'call' as const,
    url: 'https://x.aliyuncs.com/录音/😀\uFFFF.wav',
  };
  expect(await sqsTaskSender(sqs as never, 'q').send([{ id: 'a', task }])).toEqual(new Set());
  expect(bodies[0]).not.toMatch(/[\uD800-\uDFFF\uFFFE\uFFFF]/);
  expect(bodies[0]).toContain('录音');
  expect(parseTask(bodies[0] as string)).toEqual(task);
});
