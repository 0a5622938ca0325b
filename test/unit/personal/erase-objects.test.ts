/**
 * Deleting for good in a versioned bucket: against an in-memory S3 that keeps versions and delete
 * markers as S3 does, every version under a prefix goes (a plain DELETE would only hide it), other
 * keys stay; against a store that lists no versions (the local emulator), plain deletes do it.
 */
import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { deleteEveryVersion } from '../../../functions/commons/personal/erase-objects.js';

interface Version {
  readonly key: string;
  readonly versionId: string;
  readonly marker: boolean;
}

/** S3's versioning semantics, small: a PUT adds a version, a DELETE without id adds a marker. */
class VersionedBucket {
  versions: Version[] = [];
  private next = 0;
  /** Page size of listings, small so paging is exercised. */
  constructor(
    private readonly pageSize = 2,
    private readonly listsVersions = true,
  ) {}

  private add(key: string, marker: boolean) {
    this.versions.push({ key, versionId: `v${this.next++}`, marker });
  }
  private current(key: string): Version | undefined {
    return this.versions.filter((version) => version.key === key).at(-1);
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof PutObjectCommand) {
      this.add(command.input.Key as string, false);
      return {};
    }
    if (command instanceof DeleteObjectCommand) {
      const { Key, VersionId } = command.input;
      if (VersionId === undefined) {
        if (this.listsVersions) this.add(Key as string, true);
        else this.versions = this.versions.filter((version) => version.key !== Key);
      } else {
        this.versions = this.versions.filter(
          (version) => !(version.key === Key && version.versionId === VersionId),
        );
      }
      return {};
    }
    if (command instanceof ListObjectVersionsCommand) {
      if (!this.listsVersions) return { IsTruncated: false };
      const { Prefix = '', KeyMarker } = command.input;
      const all = this.versions.filter((version) => version.key.startsWith(Prefix));
      const start = KeyMarker ? Number(KeyMarker) : 0;
      const page = all.slice(start, start + this.pageSize);
      const more = start + this.pageSize < all.length;
      return {
        Versions: page
          .filter((version) => !version.marker)
          .map((version) => ({ Key: version.key, VersionId: version.versionId })),
        DeleteMarkers: page
          .filter((version) => version.marker)
          .map((version) => ({ Key: version.key, VersionId: version.versionId })),
        IsTruncated: more,
        ...(more ? { NextKeyMarker: String(start + this.pageSize), NextVersionIdMarker: 'x' } : {}),
      };
    }
    if (command instanceof ListObjectsV2Command) {
      const { Prefix = '' } = command.input;
      const keys = [...new Set(this.versions.map((version) => version.key))].filter(
        (key) => key.startsWith(Prefix) && this.current(key)?.marker === false,
      );
      return { Contents: keys.map((Key) => ({ Key })), IsTruncated: false };
    }
    throw new Error(`unexpected command ${(command as object).constructor.name}`);
  }
}

const put = (bucket: VersionedBucket, key: string) =>
  bucket.send(new PutObjectCommand({ Bucket: 'b', Key: key, Body: 'x' }));

test('every version and delete marker under the prefix is deleted; other calls keep theirs', async () => {
  const bucket = new VersionedBucket();
  await put(bucket, 'records/out/1/a.json.gz');
  await put(bucket, 'records/out/1/a.json.gz');
  await put(bucket, 'records/out/1/b.json.gz');
  await bucket.send(new DeleteObjectCommand({ Bucket: 'b', Key: 'records/out/1/b.json.gz' }));
  await put(bucket, 'records/out/12/c.json.gz');
  const result = await deleteEveryVersion(bucket as never, 'b', 'records/out/1/');
  expect([...result.keys].sort()).toEqual(['records/out/1/a.json.gz', 'records/out/1/b.json.gz']);
  expect(result.versions).toBe(4);
  expect(bucket.versions.map((version) => version.key)).toEqual(['records/out/12/c.json.gz']);
});

test('a dry run counts the same and deletes nothing', async () => {
  const bucket = new VersionedBucket();
  await put(bucket, 'recordings/1/2026/12/08/out-9-call-aa.wav');
  await put(bucket, 'recordings/1/2026/12/08/out-9-call-aa.wav');
  const before = [...bucket.versions];
  const result = await deleteEveryVersion(bucket as never, 'b', 'recordings/1/2026/12/08/out-9-', {
    dryRun: true,
  });
  expect(result).toEqual({ keys: ['recordings/1/2026/12/08/out-9-call-aa.wav'], versions: 2 });
  expect(bucket.versions).toEqual(before);
});

test('exact: only that key, not the keys it prefixes', async () => {
  const bucket = new VersionedBucket();
  await put(bucket, 'recordings/k.wav');
  await put(bucket, 'recordings/k.wav.part');
  await deleteEveryVersion(bucket as never, 'b', 'recordings/k.wav', { exact: true });
  expect(bucket.versions.map((version) => version.key)).toEqual(['recordings/k.wav.part']);
});

test('a store that lists no versions: the current objects are deleted plainly', async () => {
  const bucket = new VersionedBucket(2, false);
  await put(bucket, 'records/out/1/a.json.gz');
  await put(bucket, 'records/out/1/b.json.gz');
  const result = await deleteEveryVersion(bucket as never, 'b', 'records/out/1/');
  expect(result.versions).toBe(2);
  expect(bucket.versions).toEqual([]);
});
