/** The few object operations the functions need: S3 when deployed, the emulator locally, a map in unit tests. */
export interface ObjectStore {
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

/** A `get` of a key that does not exist (S3's NoSuchKey), as opposed to S3 failing. */
export const isMissingObject = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');
