/** Exponential backoff with full jitter (AWS Architecture Blog's recommendation for contended retries). */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
  readonly random?: () => number;
}

export const backoffDelay = (attempt: number, options: BackoffOptions): number => {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** attempt);
  return Math.floor((options.random ?? Math.random)() * ceiling);
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
