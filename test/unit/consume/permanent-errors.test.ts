/**
 * Which store failures are permanent, against the errors the real SDK throws: the document
 * client's marshaller refuses a value before any request is sent, and the message it refuses with
 * must keep matching, or such a record would go back to retries and into the DLQ.
 */
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  isPermanentStoreError,
  permanentReasonCode,
} from '../../../functions/commons/consume/permanent-errors.js';
import { RecordTooLargeError } from '../../../functions/commons/store/storable.js';

/** The error the SDK's own marshaller throws for `value`. */
const refusal = (value: Record<string, unknown>, options: Parameters<typeof marshall>[1] = {}): Error => {
  try {
    marshall(value, options);
  } catch (error) {
    return error as Error;
  }
  throw new Error('the marshaller accepted it');
};

const serviceError = (name: string) =>
  new DynamoDBServiceException({ name, $fault: 'client', $metadata: {}, message: `${name} from DynamoDB` });

test.each([
  ['a class instance without convertClassInstanceToMap', refusal({ a: new (class Money {})() })],
  ['an undefined value without removeUndefinedValues', refusal({ a: undefined })],
  ['a number above what DynamoDB holds', refusal({ a: 1e300 })],
  ['a number below what DynamoDB holds', refusal({ a: -1e300 })],
  ['an unsafe integer', refusal({ a: 2 ** 60 })],
  ['NaN', refusal({ a: Number.NaN })],
  ['an empty set', refusal({ a: new Set() })],
])('the marshaller refusing %s is permanent', (_what, error) => {
  expect(isPermanentStoreError(error)).toBe(true);
  expect(permanentReasonCode(error)).toBe('UNSTORABLE_RECORD');
});

test.each(['ValidationException', 'SerializationException'])('DynamoDB answering %s is permanent', (name) => {
  expect(isPermanentStoreError(serviceError(name))).toBe(true);
});

test('an item over the limit is permanent, with its own reason', () => {
  const error = new RecordTooLargeError('job 1 is 500000 bytes');
  expect(isPermanentStoreError(error)).toBe(true);
  expect(permanentReasonCode(error)).toBe('RECORD_TOO_LARGE');
});

test.each([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'InternalServerError',
  'ConditionalCheckFailedException',
  'AccessDeniedException',
])('%s is transient: retried', (name) => {
  expect(isPermanentStoreError(serviceError(name))).toBe(false);
});

test('anything that is not an Error, or a network failure, is retried', () => {
  expect(isPermanentStoreError('boom')).toBe(false);
  expect(isPermanentStoreError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
    false,
  );
});
