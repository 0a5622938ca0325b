/**
 * Which store failures will happen again on every retry. Such a record is quarantined at once
 * (kept, counted, alarmed) instead of cycling through the queue into the DLQ, where a redrive
 * would fail the same way. Everything else — throttling, timeouts, contention, a missing
 * permission being fixed — is transient and retried by SQS.
 */
import { RecordTooLargeError } from '../store/storable.js';

/** DynamoDB's answers for an item it will never accept as written. */
const REFUSED_BY_DYNAMODB = new Set(['ValidationException', 'SerializationException']);

/** The SDK marshaller's refusals (thrown before any request is sent). */
const MARSHALL_REFUSAL =
  /^(Unsupported type passed|Pass options\.removeUndefinedValues|Pass a non-empty set|Special numeric value|Number .* (is greater than|is lesser than|can not be))/;

export const isPermanentStoreError = (error: unknown): boolean => {
  if (error instanceof RecordTooLargeError) return true;
  if (!(error instanceof Error)) return false;
  return REFUSED_BY_DYNAMODB.has(error.name) || MARSHALL_REFUSAL.test(error.message);
};

/** A short stable code for the quarantine reason. */
export const permanentReasonCode = (error: unknown): string =>
  error instanceof RecordTooLargeError ? 'RECORD_TOO_LARGE' : 'UNSTORABLE_RECORD';
