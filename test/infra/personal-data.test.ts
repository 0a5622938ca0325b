/**
 * Personal data in the template: the TTL of both tables, the `byPhone` index, the phone hash key,
 * the lifecycle rules `retentionDays` derives, the synth warning without it, and both key modes
 * (a customer-managed key the stack creates, an existing one) with only the KMS actions used.
 */
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { BY_PHONE, TTL_ATTRIBUTE } from '../../functions/commons/definitions.js';
import { buildApp, type DeployTarget } from '../../lib/build-app.js';
import { ConfigError, readReceiverConfig } from '../../lib/config.js';
import { actionsOf, entries, envOf, one, type Resource, synthChecked } from './template.js';

const TARGET: DeployTarget = { account: '111122223333', region: 'cn-northwest-1' };
const EXISTING_KEY = 'arn:aws-cn:kms:cn-northwest-1:111122223333:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

type Rule = {
  Id: string;
  Prefix?: string;
  ExpirationInDays?: number;
  Transitions?: { StorageClass: string; TransitionInDays: number }[];
};
const rulesOf = (template: Template): Map<string, Rule> => {
  const [, bucket] = one(template, 'AWS::S3::Bucket', 'DataBucket');
  const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Rule[] }).Rules;
  return new Map(rules.map((rule) => [rule.Id, rule]));
};
const keyStatements = (template: Template) =>
  entries(template, 'AWS::IAM::Policy').flatMap(([id, policy]) =>
    (
      policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }
    ).Statement.filter((statement) =>
      actionsOf(statement as never).some((action) => action.startsWith('kms:')),
    ).map((statement) => ({ id, statement })),
  );

describe('defaults (no retentionDays, AWS-managed keys)', () => {
  let template: Template;
  beforeAll(() => {
    template = synthChecked();
  });

  test('both tables expire items by expiresAt; the calls table has the byPhone index (keys and a few ids only)', () => {
    for (const [, table] of entries(template, 'AWS::DynamoDB::GlobalTable')) {
      expect(table.Properties.TimeToLiveSpecification).toEqual({
        AttributeName: TTL_ATTRIBUTE,
        Enabled: true,
      });
    }
    const [, calls] = one(template, 'AWS::DynamoDB::GlobalTable', 'CallsTable');
    const index = (calls.Properties.GlobalSecondaryIndexes as { IndexName: string }[]).find(
      (candidate) => candidate.IndexName === BY_PHONE.name,
    );
    expect(index).toEqual({
      IndexName: 'byPhone',
      KeySchema: [
        { AttributeName: 'phoneHash', KeyType: 'HASH' },
        { AttributeName: 'sortTime', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['direction', 'callId', 'companyId'] },
    });
  });

  test('the phone hash key is generated, kept on delete, and read only by the writers of call items', () => {
    const [secretId, secret] = one(template, 'AWS::SecretsManager::Secret', 'PhoneHashKey');
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    expect(
      (template.toJSON().Resources as Record<string, { DeletionPolicy?: string }>)[secretId]?.DeletionPolicy,
    ).toBe('Retain');
    for (const fn of ['PipelineConsume', 'ReconcilerReconcile']) {
      expect(envOf(template, fn)).toMatchObject({
        PHONE_HASH_KEY_SECRET_ARN: { Ref: secretId },
        RETENTION_DAYS: '0',
      });
    }
    const readers = entries(template, 'AWS::IAM::Policy')
      .filter(([, policy]) =>
        JSON.stringify(policy.Properties.PolicyDocument).includes(`"Ref":"${secretId}"`),
      )
      .map(([id]) => id.replace(/RoleDefaultPolicy.*/, ''));
    expect(readers.sort()).toEqual(['PipelineConsume', 'ReconcilerReconcile']);
  });

  test('nothing personal expires: no retention rules, archive and quarantine kept; no KMS actions in any role', () => {
    const rules = rulesOf(template);
    expect(rules.has('records-retention')).toBe(false);
    expect(rules.has('foreign-quarantine')).toBe(false);
    expect(rules.get('archive-to-colder-storage')?.ExpirationInDays).toBeUndefined();
    expect(rules.get('quarantine-to-colder-storage')?.ExpirationInDays).toBeUndefined();
    expect(keyStatements(template)).toEqual([]);
    template.resourceCountIs('AWS::KMS::Alias', 0);
  });

  test('synth warns that data is kept forever, and stops warning once retentionDays is set', () => {
    const warned = (context: Record<string, unknown>) =>
      Annotations.fromStack(buildApp({ context }).stack).findWarning(
        '*',
        Match.stringLikeRegexp('retentionDays is not set'),
      ).length;
    expect(warned({})).toBe(1);
    expect(warned({ retentionDays: '365' })).toBe(0);
  });
});

describe('retentionDays', () => {
  test('365: records expire with their calls, whole bodies after 30 days, other companies after 7, recordings after 365', () => {
    const template = synthChecked({ retentionDays: '365' });
    const rules = rulesOf(template);
    expect(rules.get('records-retention')).toMatchObject({ Prefix: 'records/', ExpirationInDays: 365 });
    expect(rules.get('archive-to-colder-storage')?.ExpirationInDays).toBe(30);
    // Standard-IA bills 30 days at least: no transition for what is gone by then.
    expect(rules.get('quarantine-to-colder-storage')).toMatchObject({ ExpirationInDays: 30 });
    expect(rules.get('quarantine-to-colder-storage')?.Transitions).toBeUndefined();
    expect(rules.get('foreign-quarantine')).toMatchObject({
      Prefix: 'quarantine/foreign/',
      ExpirationInDays: 7,
    });
    expect(
      rules.get('recordings-lifecycle') ?? [...rules.values()].find((rule) => rule.Prefix === 'recordings/'),
    ).toMatchObject({
      ExpirationInDays: 365,
    });
    expect(envOf(template, 'PipelineConsume').RETENTION_DAYS).toBe('365');
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.RetentionDays?.Value).toBe('365');
    expect(outputs.ArchiveExpireDays?.Value).toBe('30');
    expect(outputs.QuarantineExpireDays?.Value).toBe('30');
  });

  test.each([
    [{ retentionDays: '20' }, { archive: 20, quarantine: 20, recordings: 20, ia: 0, glacier: 0 }],
    [{ retentionDays: '60' }, { archive: 30, quarantine: 30, recordings: 60, ia: 30, glacier: 0 }],
    [
      { retentionDays: '400', archiveExpireDays: '90', quarantineExpireDays: '0' },
      { archive: 90, quarantine: 0, recordings: 400, ia: 30, glacier: 90 },
    ],
    [
      { retentionDays: '400', recordingsExpireDays: '0' },
      { archive: 30, quarantine: 30, recordings: 0, ia: 30, glacier: 90 },
    ],
    [{}, { archive: 0, quarantine: 0, recordings: 0, ia: 30, glacier: 90 }],
  ])('%j derives archive %j', (context, expected) => {
    const config = readReceiverConfig((key) => (context as Record<string, unknown>)[key]);
    expect({
      archive: config.archiveExpireDays,
      quarantine: config.quarantineExpireDays,
      recordings: config.recordingsExpireDays,
      ia: config.recordingsInfrequentAccessDays,
      glacier: config.recordingsGlacierDays,
    }).toEqual(expected);
  });

  test.each([['-1'], ['1.5'], ['a year']])('retentionDays=%s is refused at synth', (days) => {
    expect(() => buildApp({ context: { retentionDays: days } })).toThrow(ConfigError);
    expect(() => buildApp({ context: { retentionDays: days } })).toThrow(/retentionDays/);
  });
});

describe('customer-managed keys', () => {
  const keyRefOf = (template: Template, mode: 'customer' | 'existing'): unknown =>
    mode === 'customer'
      ? { 'Fn::GetAtt': [one(template, 'AWS::KMS::Key', 'EncryptionKey')[0], 'Arn'] }
      : EXISTING_KEY;

  describe.each([
    ['customer' as const, 'customer'],
    ['existing' as const, EXISTING_KEY],
  ])('encryptionKey=%s', (mode, setting) => {
    let template: Template;
    beforeAll(() => {
      template = synthChecked({ encryptionKey: setting, retentionDays: '180' }, TARGET);
    });

    test('tables, bucket, every data queue and both secrets are under the key', () => {
      const key = keyRefOf(template, mode);
      for (const [, table] of entries(template, 'AWS::DynamoDB::GlobalTable')) {
        expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
        expect((table.Properties.Replicas as { SSESpecification: unknown }[])[0]?.SSESpecification).toEqual({
          KMSMasterKeyId: key,
        });
      }
      const [, bucket] = one(template, 'AWS::S3::Bucket', 'DataBucket');
      expect(bucket.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { KMSMasterKeyID: key, SSEAlgorithm: 'aws:kms' },
          },
        ],
      });
      const queues = entries(template, 'AWS::SQS::Queue');
      for (const [id, queue] of queues) {
        // The reconciler's undelivered schedule events hold no personal data; EventBridge delivers
        // them, and it would need the key policy's leave to use a customer key.
        if (id.startsWith('ReconcilerUndeliveredRuns'))
          expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
        else expect(queue.Properties.KmsMasterKeyId).toEqual(key);
      }
      expect(queues.length).toBeGreaterThanOrEqual(5);
      for (const [, secret] of entries(template, 'AWS::SecretsManager::Secret')) {
        expect(secret.Properties.KmsKeyId).toEqual(key);
      }
    });

    test('roles get only kms:Decrypt and kms:GenerateDataKey, on that key alone', () => {
      const key = keyRefOf(template, mode);
      const statements = keyStatements(template);
      expect(statements.length).toBeGreaterThan(0);
      for (const { statement } of statements) {
        for (const action of actionsOf(statement as never)) {
          expect(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']).toContain(action);
        }
        expect(statement.Resource).toEqual(key);
      }
      // Who writes under it, who only reads.
      const actionsBy = (fragment: string) =>
        new Set(
          statements
            .filter(({ id }) => id.startsWith(fragment))
            .flatMap(({ statement }) => actionsOf(statement as never)),
        );
      expect(actionsBy('PipelineIngest')).toEqual(new Set(['kms:Decrypt', 'kms:GenerateDataKey']));
      expect(actionsBy('PipelineConsume')).toEqual(new Set(['kms:Decrypt', 'kms:GenerateDataKey']));
    });

    if (mode === 'customer') {
      test('the key rotates, is kept on delete and has an alias named by the stack', () => {
        const [keyId, key] = one(template, 'AWS::KMS::Key', 'EncryptionKey');
        expect(key.Properties.EnableKeyRotation).toBe(true);
        expect(
          (template.toJSON().Resources as Record<string, Resource & { DeletionPolicy?: string }>)[keyId]
            ?.DeletionPolicy,
        ).toBe('Retain');
        template.hasResourceProperties('AWS::KMS::Alias', {
          AliasName: 'alias/ByrobotCallbacks',
          TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        });
      });
    } else {
      test('no key is created', () => {
        expect(entries(template, 'AWS::KMS::Key').filter(([id]) => id.startsWith('EncryptionKey'))).toEqual(
          [],
        );
      });
    }
  });

  test('a key setting that is neither aws, customer nor a key ARN is refused', () => {
    expect(() => buildApp({ context: { encryptionKey: 'alias/mine' } }, TARGET)).toThrow(
      /encryptionKey must be aws, customer or the ARN/,
    );
  });

  test('without a region to deploy to, a customer key is refused with what to do', () => {
    expect(() => buildApp({ context: { encryptionKey: 'customer' } }, undefined)).toThrow(
      /encryptionKey needs the region/,
    );
  });
});
