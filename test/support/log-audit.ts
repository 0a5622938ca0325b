/**
 * Captures everything the handlers write to stdout/stderr (Powertools logs) so a test can assert
 * that no full phone number and no raw body ever reaches a log line.
 */
export class LogAudit {
  readonly lines: string[] = [];
  private restore: (() => void) | undefined;

  start(): void {
    const streams = [process.stdout, process.stderr];
    const originals = streams.map((stream) => stream.write);
    for (const stream of streams) {
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        this.lines.push(...String(chunk).split('\n').filter(Boolean));
        const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }) as typeof stream.write;
    }
    this.restore = () => {
      streams.forEach((stream, i) => {
        stream.write = originals[i] as typeof stream.write;
      });
    };
  }

  stop(): void {
    this.restore?.();
  }

  /** Lines that hold any of `phones` in full. */
  leakedPhones(phones: readonly string[]): string[] {
    return this.lines.filter((line) => phones.some((phone) => line.includes(phone)));
  }

  /** Lines that look like a raw 百应 body rather than a log record about one. */
  leakedBodies(): string[] {
    // Field paths may be named in messages (data.data.sceneInstance…); a body shows its keys quoted.
    // A recording link's host may be logged (the recordings worker says which host refused or
    // failed); the link itself (a path, maybe a signed token) may not.
    const body = /\\?"(sceneInstance|phoneLogs|taskResult)\\?":|oss-cn-hangzhou\.aliyuncs\.com\/|您好/;
    return this.lines.filter((line) => body.test(line));
  }
}
