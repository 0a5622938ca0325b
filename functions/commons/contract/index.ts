/** The 百应 callback contract: pure (no AWS SDK, no I/O). */
export { checkEnvelope, type EnvelopeInfo, type EnvelopeResult, readEnvelope } from './envelope.js';
export type { ContractError, ContractErrorCode } from './errors.js';
export { UNKNOWN_COMPANY } from './normalize-open.js';
export { DATA_TYPES, OPEN_DATA_TYPES, type ReadResult, readCallback } from './read-callback.js';
export type * from './types.js';
