/** What the generators make, and small value makers shared by the classic and open-platform ones. */
import type { Random } from './random.js';

export type Kind = 'outbound' | 'manualIntent' | 'inbound' | 'job';

export interface Generated {
  readonly kind: Kind;
  readonly route: '/callbacks/call' | '/callbacks/job';
  readonly body: string;
  readonly companyId: string;
  /** The item key the callback lands on (`out#…`, `in#…`, `job#…`). */
  readonly key: string;
  /** The callback's inner data (what phoneLogInfo would return for an outbound call). */
  readonly data: Record<string, unknown>;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Epoch ms as 百应's Beijing wall clock, `yyyy-MM-dd HH:mm:ss`. */
export const beijing = (ms: number): string => {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};

/** A plausible mainland mobile number. */
export const phone = (random: Random): string =>
  `1${random.pick(['3', '5', '7', '8', '9'])}${String(random.int(0, 999_999_999)).padStart(9, '0')}`;

/** One generated callback in the given platform's envelope; jobs go to the job URL, the rest to the call URL. */
export const generatedCallback = (
  envelope: (type: string, data: unknown) => string,
  kind: Kind,
  type: string,
  companyId: string,
  key: string,
  data: Record<string, unknown>,
): Generated => ({
  kind,
  route: kind === 'job' ? '/callbacks/job' : '/callbacks/call',
  body: envelope(type, data),
  companyId,
  key,
  data,
});

/**
 * A generated call's recording link: on 百应's OSS by default (no such file exists), or on a fake
 * 百应 (`base` = `http://127.0.0.1:<port>/recordings`) that serves a generated file there.
 */
export const recordingUrl = (
  base: string | undefined,
  id: number,
  kind: 'full' | 'user',
  ext: 'wav' | 'mp3',
  ossFolder: string,
): string =>
  base
    ? `${base.replace(/\/$/, '')}/${id}-${kind}.${ext}`
    : `https://byrobot-prod.oss-cn-hangzhou.aliyuncs.com/${ossFolder}/${id}/${kind}.${ext}`;
