import { maskDigitsIn } from '../mask.js';
import { formatPath, type Path } from './warnings.js';

export type ContractErrorCode =
  /** The body is empty, not text, or not JSON even after the tolerated repairs. */
  | 'NOT_JSON'
  /** JSON, but not 百应's `{code, data:{dataType, data}}` envelope. */
  | 'NOT_ENVELOPE'
  /** An envelope whose `dataType` this reader does not know. */
  | 'UNKNOWN_DATA_TYPE'
  /** A known `dataType` whose record lacks what identifies it (e.g. no readable call id). */
  | 'INVALID_RECORD'
  /** The reader itself failed: a bug on our side. Kept as an error so the body is quarantined, not lost. */
  | 'READER_FAILURE';

/**
 * Why a body could not be read. Returned, never thrown: the reader must not throw on any input.
 * `message` always names the field path, what was expected and what was found.
 */
export interface ContractError {
  readonly code: ContractErrorCode;
  readonly path: string;
  readonly expected: string;
  readonly received: string;
  readonly message: string;
}

export const describeValue = (value: unknown): string => {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the string ${JSON.stringify(maskDigitsIn(shown))}`;
  }
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
};

export const contractError = (
  code: ContractErrorCode,
  path: Path,
  expected: string,
  received: string,
): ContractError => {
  const where = formatPath(path) || '(body)';
  return {
    code,
    path: where,
    expected,
    received,
    message: `${where}: expected ${expected}, got ${received}`,
  };
};
