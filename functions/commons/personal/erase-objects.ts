/**
 * Deleting objects for good in a versioned bucket: a plain DELETE only hides an object behind a
 * delete marker, and the noncurrent-version rule would keep the bytes for weeks. Every version
 * and every delete marker under the prefix is deleted by its version id. A store that does not
 * list versions (an unversioned bucket, the local emulator) still lists the current objects:
 * those are deleted plainly, and the listing repeats until nothing is left.
 */
import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface ObjectVersion {
  readonly key: string;
  /** Absent for an object listed without versions. */
  readonly versionId?: string;
}

export interface ErasedObjects {
  /** Distinct keys found. */
  readonly keys: readonly string[];
  /** Versions and delete markers deleted (or, on a dry run, that would be). */
  readonly versions: number;
}

type S3 = Pick<S3Client, 'send'>;

/** `prefix` itself when `exact`, else everything under it. */
const matches = (key: string, prefix: string, exact: boolean) =>
  exact ? key === prefix : key.startsWith(prefix);

export const listVersions = async (
  s3: S3,
  bucket: string,
  prefix: string,
  exact = false,
): Promise<ObjectVersion[]> => {
  const found: ObjectVersion[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        VersionIdMarker: versionMarker,
      }),
    );
    for (const entry of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
      if (entry.Key && matches(entry.Key, prefix, exact))
        found.push({ key: entry.Key, ...(entry.VersionId ? { versionId: entry.VersionId } : {}) });
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return found;
};

export const listCurrent = async (
  s3: S3,
  bucket: string,
  prefix: string,
  exact = false,
): Promise<string[]> => {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? [])
      if (object.Key && matches(object.Key, prefix, exact)) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
};

/** Rounds of list-and-delete before giving up on a prefix that keeps filling (someone is writing to it). */
const MAX_ROUNDS = 5;

/**
 * Deletes every version of the object `prefix` (`exact`) or of every object under it. With
 * `dryRun`, only counts what it would delete.
 */
export const deleteEveryVersion = async (
  s3: S3,
  bucket: string,
  prefix: string,
  options: { readonly exact?: boolean; readonly dryRun?: boolean } = {},
): Promise<ErasedObjects> => {
  const exact = options.exact ?? false;
  const keys = new Set<string>();
  let versions = 0;
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const listed = await listVersions(s3, bucket, prefix, exact);
    const current = await listCurrent(s3, bucket, prefix, exact);
    // Current objects a version listing did not show: the store keeps no versions of them.
    const unversioned = current.filter((key) => !listed.some((version) => version.key === key));
    const targets: ObjectVersion[] = [...listed, ...unversioned.map((key) => ({ key }))];
    if (targets.length === 0) return { keys: [...keys], versions };
    for (const target of targets) keys.add(target.key);
    versions += targets.length;
    if (options.dryRun) return { keys: [...keys], versions };
    for (const target of targets) {
      await s3.send(
        new DeleteObjectCommand({
          Bucket: bucket,
          Key: target.key,
          ...(target.versionId ? { VersionId: target.versionId } : {}),
        }),
      );
    }
  }
  throw new Error(`s3://${bucket}/${prefix} still holds objects after ${MAX_ROUNDS} rounds of deletes`);
};
