/**
 * A drift the tolerant reader accepted: the value was readable, but not in the form the
 * vendor doc declares. Warnings travel with the normalized record so an operator can see
 * exactly what 百应 sent differently, without the record being dropped.
 */
export interface Warning {
  /** Dotted path into the callback's inner `data`, e.g. `sceneInstance.callJobId`. */
  readonly path: string;
  /** Stable machine code, e.g. `id-as-string`, `unknown-code`, `unreadable`. */
  readonly code: string;
  readonly message: string;
}

export type Path = readonly (string | number)[];

export const formatPath = (path: Path): string =>
  path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? key : `${text}.${key}`;
  }, '');

/** Collects warnings for one callback; handed down the normalizer instead of global state. */
export class Warnings {
  readonly list: Warning[] = [];

  add(path: Path, code: string, message: string): void {
    this.list.push({ path: formatPath(path), code, message });
  }
}
