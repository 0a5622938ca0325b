/**
 * The key that encrypts the stack's data at rest (context `encryptionKey`): AWS-managed keys by
 * default; `customer` creates one customer-managed KMS key (yearly rotation, an alias named by the
 * stack, kept if the stack is deleted: data it encrypted would be lost with it); a key ARN uses an
 * existing key, whose key policy must let this account's roles use it.
 */
import { type IAspect, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';

/** What CDK's grants ask of a key, as this stack grants it (see ExactKeyGrants). */
const EXACT: Readonly<Record<string, string | undefined>> = {
  'kms:GenerateDataKey*': 'kms:GenerateDataKey',
  'kms:ReEncrypt*': undefined,
  'kms:Encrypt': undefined,
};

type PolicyJson = { Statement?: { Action?: string | string[] }[] };

/** A policy document with every KMS action list narrowed to the actions really used. */
const narrowed = (document: PolicyJson): PolicyJson => ({
  ...document,
  Statement: (document.Statement ?? []).map((statement) => {
    if (!Array.isArray(statement.Action) || !statement.Action.some((action) => action in EXACT))
      return statement;
    const kept = [
      ...new Set(
        statement.Action.map((action) => (action in EXACT ? EXACT[action] : action)).filter(
          (action): action is string => action !== undefined,
        ),
      ),
    ];
    return { ...statement, Action: kept.length === 1 ? kept[0] : kept };
  }),
});

/**
 * Narrows the KMS actions CDK's queue, bucket and secret grants give under a customer key
 * (`kms:Encrypt`, `kms:ReEncrypt*`, `kms:GenerateDataKey*`) to what the functions use: writing
 * to SQS or S3 under a key takes exactly `kms:GenerateDataKey` (a data key per message or object)
 * and `kms:Decrypt` (SQS reads back its cached data key, S3 completes a multipart upload);
 * reading takes `kms:Decrypt`. Nothing here encrypts directly or re-encrypts.
 */
export class ExactKeyGrants implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof iam.CfnPolicy)) return;
    const document = node.policyDocument;
    node.policyDocument = Lazy.any({
      produce: () => narrowed(Stack.of(node).resolve(document) as PolicyJson),
    });
  }
}

/** The customer-managed key, or undefined for AWS-managed keys. */
export const encryptionKeyOf = (scope: Construct, setting: string): kms.IKey | undefined => {
  if (setting === 'aws') return undefined;
  if (setting !== 'customer') return kms.Key.fromKeyArn(scope, 'EncryptionKey', setting);
  const stackName = Stack.of(scope).stackName;
  return new kms.Key(scope, 'EncryptionKey', {
    description: `${stackName}: tables, bucket, queues and secrets of byrobot-callbacks`,
    alias: `alias/${stackName}`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
};

/** A queue's encryption settings: the customer key when there is one, else SQS-managed SSE. */
export const queueEncryption = (
  key: kms.IKey | undefined,
): Pick<sqs.QueueProps, 'encryption' | 'encryptionMasterKey'> =>
  key
    ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key }
    : { encryption: sqs.QueueEncryption.SQS_MANAGED };

/**
 * What a role needs of the key to read or write the tables it was granted by statement: DynamoDB
 * encrypts with the table's own key and decrypts that key with this one on the caller's behalf.
 * Nothing with AWS-managed keys.
 */
export const grantTableKey = (key: kms.IKey | undefined, role: iam.IGrantable): void => {
  key?.grantDecrypt(role);
};
