/**
 * The 百应 credentials and the companies to reconcile, from one Secrets Manager secret:
 * `{"appKey","appSecret","companyIds":[…],"open":{"clientId","clientSecret","companyIds":[…]}}` —
 * the classic OpenAPI's credentials, the open platform's (open.byai.com), or both. Read once per
 * cold start and cached; reloaded when 百应 answers 401 (the secret may have been rotated).
 */
import * as v from 'valibot';
import type { CredentialsSource } from './client.js';
import type { OpenCredentials } from './open-client.js';
import type { Credentials } from './sign.js';

const text = (name: string) =>
  v.pipe(v.string(`${name} must be a string`), v.trim(), v.nonEmpty(`${name} is empty`));

const companyIds = (name: string) =>
  v.pipe(
    v.array(
      v.pipe(
        v.union([v.number(), v.string()]),
        v.transform(String),
        v.regex(/^\d+$/, `${name} must be numbers`),
      ),
    ),
    v.minLength(1, `${name} lists no company`),
  );

const classicFields = ['appKey', 'appSecret', 'companyIds'] as const;

export const secretSchema = v.pipe(
  v.object({
    appKey: v.optional(text('appKey')),
    appSecret: v.optional(text('appSecret')),
    companyIds: v.optional(companyIds('companyIds')),
    open: v.optional(
      v.object({
        clientId: text('open.clientId'),
        clientSecret: text('open.clientSecret'),
        companyIds: companyIds('open.companyIds'),
      }),
    ),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const given = classicFields.filter((field) => dataset.value[field] !== undefined);
    // The classic credentials come as a set: a partial one is a mistake, not a choice.
    if (given.length > 0 && given.length < classicFields.length) {
      for (const field of classicFields.filter((name) => !given.includes(name))) {
        addIssue({ message: `${field} is missing` });
      }
    }
    if (given.length === 0 && dataset.value.open === undefined) {
      addIssue({ message: 'the secret names no platform: give appKey/appSecret/companyIds, open, or both' });
    }
  }),
);

export interface ByrobotSecret {
  /** The classic OpenAPI's credentials and companies (`queryUnCallBack`), when given. */
  readonly appKey?: string;
  readonly appSecret?: string;
  /** The classic platform's companies to reconcile (empty when the classic platform is not used). */
  readonly companyIds: readonly string[];
  /** The open platform's OAuth client and companies, when given. */
  readonly open?: OpenCredentials & { readonly companyIds: readonly string[] };
}

export class SecretError extends Error {
  override readonly name = 'SecretError';
}

export const parseSecret = (secretText: string | undefined): ByrobotSecret => {
  let json: unknown;
  try {
    json = JSON.parse(secretText ?? '');
  } catch (error) {
    throw new SecretError(
      'the 百应 secret is not JSON: expected {"appKey","appSecret","companyIds"} and/or {"open":{…}}',
      { cause: error },
    );
  }
  const result = v.safeParse(secretSchema, json);
  if (!result.success) {
    const problems = result.issues.map((issue) =>
      issue.input === undefined && issue.path && issue.path.length > 0
        ? `${issue.path.map((item) => String(item.key)).join('.')} is missing`
        : issue.message,
    );
    throw new SecretError(`the 百应 secret is incomplete: ${problems.join('; ')}`, {
      cause: new v.ValiError(result.issues),
    });
  }
  const { appKey, appSecret, open } = result.output;
  return {
    ...(appKey !== undefined && appSecret !== undefined ? { appKey, appSecret } : {}),
    companyIds: result.output.companyIds ?? [],
    ...(open ? { open } : {}),
  };
};

/**
 * Holds the parsed secret. It is given a function that reads the secret's text, so this module
 * needs no SDK import: ingest loads the Secrets Manager client only when signatures are checked.
 */
export class SecretStore implements CredentialsSource {
  private cached: Promise<ByrobotSecret> | undefined;

  constructor(private readonly readSecret: () => Promise<string | undefined>) {}

  secret(): Promise<ByrobotSecret> {
    this.cached ??= this.load();
    return this.cached;
  }

  /** The classic OpenAPI's credentials. */
  async get(): Promise<Credentials> {
    return classicOf(await this.secret());
  }

  async refresh(): Promise<Credentials> {
    this.cached = this.load();
    return classicOf(await this.cached);
  }

  /** The open platform's OAuth client. */
  async openCredentials(): Promise<OpenCredentials> {
    const { open } = await this.secret();
    if (!open) throw new SecretError('the 百应 secret holds no open-platform credentials ("open")');
    return open;
  }

  private async load(): Promise<ByrobotSecret> {
    try {
      return parseSecret(await this.readSecret());
    } catch (error) {
      this.cached = undefined;
      throw error;
    }
  }
}

const classicOf = (secret: ByrobotSecret): Credentials => {
  if (secret.appKey === undefined || secret.appSecret === undefined) {
    throw new SecretError('the 百应 secret holds no classic OpenAPI credentials (appKey, appSecret)');
  }
  return { appKey: secret.appKey, appSecret: secret.appSecret };
};
