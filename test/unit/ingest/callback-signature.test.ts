/** The three signature modes of ingest, with the assumed scheme computed independently. */
import { createHmac } from 'node:crypto';
import type { SignatureMode } from '../../../functions/commons/ingest/callback-signature.js';
import { createIngestHandler } from '../../../functions/commons/ingest/ingest-handler.js';
import { apiEvent, RecordingCounter, RecordingLogger } from '../../support/recorders.js';
import { variantOf } from '../../support/vendor.js';

const CREDENTIALS = { appKey: 'cb-key', appSecret: 'cb-secret' };
const NOW = Date.UTC(2026, 10, 26, 4, 0, 0);

const signedBody = (
  options: { at?: number; secret?: string; sign?: string | null; dateTime?: string } = {},
) => {
  const dateTime = options.dateTime ?? new Date(options.at ?? NOW).toUTCString();
  const sign =
    options.sign !== undefined
      ? options.sign
      : createHmac('sha1', options.secret ?? CREDENTIALS.appSecret)
          .update(`${CREDENTIALS.appKey}\n${dateTime}`)
          .digest('base64');
  return variantOf('outbound', (inner) => {
    inner.sign = sign;
    inner.dateTime = dateTime;
  });
};

const setup = (mode: SignatureMode, credentials = async () => CREDENTIALS) => {
  const sent: string[] = [];
  const rejected: string[] = [];
  const logger = new RecordingLogger();
  const counter = new RecordingCounter();
  const handler = createIngestHandler({
    enqueue: async (meta, body) => {
      (meta.rejected ? rejected : sent).push(body);
      return { messageId: 'm', claimed: false };
    },
    logger,
    counter,
    now: () => NOW,
    signature: { mode, credentials, maxAgeSeconds: 600 },
  });
  return { handler, sent, rejected, logger, counter };
};

describe('enforce', () => {
  test('a correct signature with a fresh dateTime is accepted', async () => {
    const { handler, sent, counter } = setup('enforce');
    expect((await handler(apiEvent(signedBody()))).body).toBe('success');
    expect(sent).toHaveLength(1);
    expect(counter.total('CallbackSignatures', { Verdict: 'valid' })).toBe(1);
  });

  test('Java-style dateTime is read too', async () => {
    const { handler } = setup('enforce');
    expect((await handler(apiEvent(signedBody({ dateTime: 'Thu Nov 26 03:58:00 GMT 2026' })))).body).toBe(
      'success',
    );
  });

  test.each([
    ['a wrong secret', { secret: 'other' }, 'mismatch'],
    ['no sign (null, as in the doc examples)', { sign: null }, 'missing'],
    ['a dateTime 11 minutes old', { at: NOW - 11 * 60_000 }, 'stale'],
    ['a dateTime 11 minutes ahead', { at: NOW + 11 * 60_000 }, 'stale'],
    ['an unreadable dateTime', { dateTime: 'yesterday' }, 'stale'],
  ])('%s → 401, never success; the body is kept for quarantine', async (_what, options, verdict) => {
    const { handler, sent, rejected } = setup('enforce');
    const reply = await handler(apiEvent(signedBody(options)));
    expect(reply.statusCode).toBe(401);
    expect(reply.body).not.toContain('success');
    expect(JSON.parse(reply.body)).toEqual({
      error: 'BAD_SIGNATURE',
      message: `the callback signature is ${verdict}`,
    });
    expect(sent).toEqual([]);
    expect(rejected).toHaveLength(1);
  });

  test('credentials that cannot be read → 503 so that 百应 retries', async () => {
    const { handler, sent } = setup('enforce', async () => {
      throw new Error('AccessDeniedException');
    });
    const reply = await handler(apiEvent(signedBody()));
    expect(reply.statusCode).toBe(503);
    expect(sent).toEqual([]);
  });
});

describe('log', () => {
  test('a mismatch is logged and counted, and the callback is accepted', async () => {
    const { handler, sent, logger, counter } = setup('log');
    const reply = await handler(apiEvent(signedBody({ secret: 'other' })));
    expect(reply.body).toBe('success');
    expect(sent).toHaveLength(1);
    expect(counter.total('CallbackSignatures', { Verdict: 'mismatch' })).toBe(1);
    expect(logger.lines.map((line) => line.message)).toContain(
      'callback signature did not verify (log mode: accepted)',
    );
  });
});

describe('off', () => {
  test('nothing is checked and credentials are never read', async () => {
    let reads = 0;
    const { handler, counter } = setup('off', async () => {
      reads++;
      return CREDENTIALS;
    });
    expect((await handler(apiEvent(signedBody({ sign: 'garbage' })))).body).toBe('success');
    expect(reads).toBe(0);
    expect(counter.total('CallbackSignatures')).toBe(0);
  });
});
