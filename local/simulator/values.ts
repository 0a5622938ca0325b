/** Small value makers shared by the classic and open-platform generators. */
import type { Random } from './random.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** Epoch ms as 百应's Beijing wall clock, `yyyy-MM-dd HH:mm:ss`. */
export const beijing = (ms: number): string => {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};

/** A plausible mainland mobile number. */
export const phone = (random: Random): string =>
  `1${random.pick(['3', '5', '7', '8', '9'])}${String(random.int(0, 999_999_999)).padStart(9, '0')}`;
