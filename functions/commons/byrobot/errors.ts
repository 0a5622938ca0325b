/** Typed failures of the 百应 OpenAPI, so callers can tell what to retry and what to report. */

export type ByrobotErrorKind =
  /** 401: bad appKey/appSecret or signature. Credentials are reloaded once, then this is final. */
  | 'unauthorized'
  /** 403: the app may not call this API or see this company. */
  | 'forbidden'
  /** 404: no such endpoint or record. */
  | 'not-found'
  /** 412: a precondition (parameter) 百应 refused. */
  | 'precondition'
  /** 408: our clock is more than 3 minutes off 百应's (after correcting once). */
  | 'clock-skew'
  /** A response `code` other than 200. */
  | 'api-error'
  /** 5xx, timeouts and network errors that outlasted the retries. */
  | 'unavailable'
  /** A body that is not the documented envelope. */
  | 'malformed';

export interface ByrobotErrorOptions extends ErrorOptions {
  /** The HTTP status of the answer, when there was one. */
  readonly status?: number;
  /** The `code` of 百应's envelope, when it was not 200. */
  readonly code?: string;
}

export class ByrobotError extends Error {
  override readonly name = 'ByrobotError';
  readonly status?: number;
  readonly code?: string;
  constructor(
    readonly kind: ByrobotErrorKind,
    message: string,
    options: ByrobotErrorOptions = {},
  ) {
    const { status, code, ...errorOptions } = options;
    super(message, errorOptions);
    if (status !== undefined) this.status = status;
    if (code !== undefined) this.code = code;
  }

  /** Worth trying again later (next run), as opposed to a configuration problem. */
  get transient(): boolean {
    return this.kind === 'unavailable' || this.kind === 'malformed' || this.kind === 'clock-skew';
  }
}
