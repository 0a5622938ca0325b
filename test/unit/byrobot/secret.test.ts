/** The credentials secret: validated, read once per cold start, reloaded on demand (after a 401). */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { parseSecret, SecretError, SecretStore } from '../../../functions/commons/byrobot/secret.js';

const secrets = mockClient(SecretsManagerClient);
/** Wired as the reconcile handler wires it. */
const storeFor = (secretId: string) => {
  const client = new SecretsManagerClient({ region: 'us-east-1' });
  return new SecretStore(
    async () => (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString,
  );
};
beforeEach(() => secrets.reset());

describe('the 百应 secret', () => {
  test('is read once and cached; refresh reads it again', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '{"appKey":"k","appSecret":"s1","companyIds":[12,"34"]}' })
      .resolvesOnce({ SecretString: '{"appKey":"k","appSecret":"s2","companyIds":[12]}' });
    const store = storeFor('arn:secret');
    expect(await store.secret()).toEqual({ appKey: 'k', appSecret: 's1', companyIds: ['12', '34'] });
    await store.get();
    await store.get();
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(await store.refresh()).toMatchObject({ appSecret: 's2' });
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: 'arn:secret' });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  test('a failed read is not cached: the next call tries again', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('ThrottlingException'))
      .resolves({ SecretString: '{"appKey":"k","appSecret":"s","companyIds":[1]}' });
    const store = storeFor('id');
    await expect(store.get()).rejects.toThrow('ThrottlingException');
    await expect(store.get()).resolves.toMatchObject({ appKey: 'k' });
  });

  test.each([
    ['not json', 'not JSON'],
    ['{"appKey":"REPLACE_WITH_APP_KEY","appSecret":"x","companyIds":[]}', 'companyIds lists no company'],
    ['{"appSecret":"x","companyIds":[1]}', 'appKey is missing'],
    ['{"appKey":7,"appSecret":"x","companyIds":[1]}', 'appKey must be a string'],
    ['{"appKey":"k","appSecret":" ","companyIds":[1]}', 'appSecret is empty'],
    ['{"appKey":"k","appSecret":"s","companyIds":["abc"]}', 'companyIds must be numbers'],
  ])('%s → a clear error', (text, message) => {
    expect(() => parseSecret(text)).toThrow(SecretError);
    expect(() => parseSecret(text)).toThrow(message);
  });
});

describe('both platforms', () => {
  test('the open platform’s client may stand beside the classic credentials, or alone', () => {
    expect(
      parseSecret(
        '{"appKey":"k","appSecret":"s","companyIds":[1],"open":{"clientId":"c","clientSecret":"cs","companyIds":[2,"3"]}}',
      ),
    ).toEqual({
      appKey: 'k',
      appSecret: 's',
      companyIds: ['1'],
      open: { clientId: 'c', clientSecret: 'cs', companyIds: ['2', '3'] },
    });
    expect(parseSecret('{"open":{"clientId":"c","clientSecret":"cs","companyIds":[2]}}')).toEqual({
      companyIds: [],
      open: { clientId: 'c', clientSecret: 'cs', companyIds: ['2'] },
    });
  });

  test.each([
    ['{}', 'names no platform'],
    ['{"open":{"clientId":"c","companyIds":[2]}}', 'open.clientSecret is missing'],
    ['{"open":{"clientId":"c","clientSecret":"cs","companyIds":[]}}', 'open.companyIds lists no company'],
    ['{"appKey":"k","open":{"clientId":"c","clientSecret":"cs","companyIds":[2]}}', 'appSecret is missing'],
  ])('%s → a clear error', (text, message) => {
    expect(() => parseSecret(text)).toThrow(message);
  });

  test('asking a secret for the platform it does not hold says so', async () => {
    const openOnly = new SecretStore(
      async () => '{"open":{"clientId":"c","clientSecret":"cs","companyIds":[2]}}',
    );
    await expect(openOnly.get()).rejects.toThrow('no classic OpenAPI credentials');
    await expect(openOnly.openCredentials()).resolves.toEqual({
      clientId: 'c',
      clientSecret: 'cs',
      companyIds: ['2'],
    });
    const classicOnly = new SecretStore(async () => '{"appKey":"k","appSecret":"s","companyIds":[1]}');
    await expect(classicOnly.openCredentials()).rejects.toThrow('no open-platform credentials');
  });
});
