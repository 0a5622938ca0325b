/**
 * The 百应 credentials and the companies to reconcile, from one Secrets Manager secret:
 * `{"appKey":"…","appSecret":"…","companyIds":[123,456]}`. Read once per cold start and cached;
 * reloaded when 百应 answers 401 (the secret may have been rotated).
 */
import * as v from 'valibot';
import type { CredentialsSource } from './client.js';
import type { Credentials } from './sign.js';

export const secretSchema = v.object({
  appKey: v.pipe(v.string('appKey must be a string'), v.trim(), v.nonEmpty('appKey is empty')),
  appSecret: v.pipe(v.string('appSecret must be a string'), v.trim(), v.nonEmpty('appSecret is empty')),
  companyIds: v.pipe(
    v.array(
      v.pipe(
        v.union([v.number(), v.string()]),
        v.transform(String),
        v.regex(/^\d+$/, 'companyIds must be numbers'),
      ),
    ),
    v.minLength(1, 'companyIds lists no company'),
  ),
});

export type ByrobotSecret = v.InferOutput<typeof secretSchema>;

export class SecretError extends Error {
  override readonly name = 'SecretError';
}

export const parseSecret = (text: string | undefined): ByrobotSecret => {
  let json: unknown;
  try {
    json = JSON.parse(text ?? '');
  } catch {
    throw new SecretError('the 百应 secret is not JSON: expected {"appKey","appSecret","companyIds"}');
  }
  const result = v.safeParse(secretSchema, json);
  if (!result.success) {
    const problems = result.issues.map((issue) =>
      issue.input === undefined && issue.path
        ? `${issue.path.map((item) => String(item.key)).join('.')} is missing`
        : issue.message,
    );
    throw new SecretError(`the 百应 secret is incomplete: ${problems.join('; ')}`);
  }
  return result.output;
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

  async get(): Promise<Credentials> {
    return this.secret();
  }

  async refresh(): Promise<Credentials> {
    this.cached = this.load();
    return this.cached;
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
