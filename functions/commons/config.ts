/**
 * Configuration from the environment, read once at cold start and validated: a missing or
 * malformed variable stops the function at init with a message naming it, instead of failing
 * later on the first callback.
 */
import * as v from 'valibot';
import { ConfigError } from './errors.js';

export { ConfigError };

export const requiredString = (name: string) =>
  v.pipe(v.string(`${name} is required`), v.trim(), v.nonEmpty(`${name} is required`));

export const positiveInteger = (name: string, fallback: number) =>
  v.pipe(
    v.optional(v.string(), String(fallback)),
    v.transform(Number),
    v.number(),
    v.integer(`${name} must be a positive integer`),
    v.minValue(1, `${name} must be a positive integer`),
  );

export const readConfig = <TSchema extends v.GenericSchema<Record<string, unknown>, unknown>>(
  schema: TSchema,
  env: Record<string, string | undefined> = process.env,
): v.InferOutput<TSchema> => {
  const result = v.safeParse(schema, env);
  if (result.success) return result.output;
  const problems = result.issues.map((issue) => issue.message).join('; ');
  throw new ConfigError(`invalid configuration: ${problems}`, { cause: new v.ValiError(result.issues) });
};
