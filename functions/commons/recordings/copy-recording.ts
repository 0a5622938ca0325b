/**
 * Copies one recording from its link into the bucket as a stream: bytes flow from the response
 * through a counter/hasher into a multipart upload, so the worker holds at most a part or two
 * (5 MB each) however large the file is. Over the cap mid-stream (no Content-Length, or a lying
 * one) aborts the upload and refuses the URL.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BUCKET_PREFIXES } from '../definitions.js';
import { beijingDate, callKey } from '../store/keys.js';
import { SNIFF_BYTES, storedTypeOf } from './audio-type.js';
import { type FetchLimits, openRecording } from './fetch-recording.js';
import { type HostPolicy, RefusedUrlError } from './host-policy.js';
import type { RecordingTask } from './task.js';

export interface CopiedRecording {
  readonly s3Key: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly contentType: string;
  /** The URL the bytes came from, when a redirect moved it. */
  readonly fetchedFrom?: string;
}

export interface CopyTarget {
  readonly s3: S3Client;
  readonly bucket: string;
}

/**
 * Multipart upload of a copy: one part in flight while the next fills, of S3's smallest part size.
 * What one copy holds is about (UPLOAD_PARTS_IN_FLIGHT + 1) × UPLOAD_PART_BYTES, whatever the file's size.
 */
export const UPLOAD_PART_BYTES = 5 * 1024 * 1024;
export const UPLOAD_PARTS_IN_FLIGHT = 1;

/** 16 hex characters of the link's SHA-256: every link of a call has an object of its own. */
export const linkDigest = (url: string): string =>
  createHash('sha256').update(url).digest('hex').slice(0, 16);

/**
 * `recordings/<companyId>/<yyyy>/<MM>/<dd>/<out|in>-<callId>-<kind>-<link digest>.<ext>`, the day
 * being the call's Beijing day (the day of the copy when the call has no start time). The key is
 * derived from the link, so a second link of the same call and kind (a redial, a re-sent call)
 * never lands on an object that is already archived, and a retry of the same link writes the same
 * key again.
 */
export const recordingKey = (task: RecordingTask, ext: string, copiedAt: Date): string => {
  const day = beijingDate(task.startTime ?? copiedAt.toISOString());
  const [yyyy, mm, dd] = day.split('-');
  const company = task.companyId.replace(/[^0-9A-Za-z_-]/g, '_') || 'unknown';
  const call = callKey(task.direction, task.callId.replace(/[^0-9A-Za-z_-]/g, '_')).replace('#', '-');
  return `${BUCKET_PREFIXES.recordings}${company}/${yyyy}/${mm}/${dd}/${call}-${task.kind}-${linkDigest(task.url)}.${ext}`;
};

/**
 * Counts and hashes what passes, fails the stream once it exceeds `maxBytes`, and keeps the
 * file's first bytes (`head`) so its type can be told before the upload starts.
 */
class Measure extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private readonly first: Buffer[] = [];
  private firstBytes = 0;
  private settleHead: ((head: Buffer) => void) | undefined;
  /** The first SNIFF_BYTES of the file (fewer for a shorter file), once they have passed. */
  readonly head = new Promise<Buffer>((resolve) => {
    this.settleHead = resolve;
  });

  constructor(private readonly maxBytes: number) {
    super();
  }

  private releaseHead(): void {
    this.settleHead?.(Buffer.concat(this.first));
    this.settleHead = undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new RefusedUrlError(`the recording is over the cap of ${this.maxBytes} bytes`));
      return;
    }
    if (this.settleHead) {
      this.first.push(chunk.subarray(0, SNIFF_BYTES - this.firstBytes));
      this.firstBytes += Math.min(chunk.length, SNIFF_BYTES - this.firstBytes);
      if (this.firstBytes >= SNIFF_BYTES) this.releaseHead();
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.releaseHead();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.releaseHead();
    callback(error);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

export const copyRecording = async (
  task: RecordingTask,
  target: CopyTarget,
  policy: HostPolicy,
  limits: FetchLimits,
  options: { readonly now: Date },
): Promise<CopiedRecording> => {
  const opened = await openRecording(task.url, policy, limits);
  const measure = new Measure(limits.maxBytes);
  let streamError: unknown;
  const failed = (error: unknown) => {
    streamError ??= error;
    opened.response.destroy();
    measure.destroy(error as Error);
  };
  opened.response.on('error', failed);
  measure.on('error', (error) => {
    streamError ??= error;
    opened.response.destroy();
  });
  opened.response.pipe(measure);
  const { contentType, extension } = storedTypeOf(await measure.head, opened.url);
  const s3Key = recordingKey(task, extension, options.now);
  const upload = new Upload({
    client: target.s3,
    queueSize: UPLOAD_PARTS_IN_FLIGHT,
    partSize: UPLOAD_PART_BYTES,
    leavePartsOnError: false,
    params: {
      Bucket: target.bucket,
      Key: s3Key,
      Body: measure,
      ContentType: contentType,
      // Served as a download, never rendered: even a presigned link to an odd file stays inert.
      ContentDisposition: `attachment; filename="${s3Key.slice(s3Key.lastIndexOf('/') + 1)}"`,
      Metadata: { 'call-id': task.callId, kind: task.kind },
    },
  });
  try {
    await upload.done();
  } catch (error) {
    // S3 failed first: stop reading the link too, rather than leave its socket to the deadline.
    opened.response.destroy();
    // The stream's own failure (over the cap, the link dropped) says more than the upload's.
    throw streamError ?? error;
  }
  if (streamError) throw streamError;
  if (opened.declaredBytes !== undefined && opened.declaredBytes !== measure.bytes) {
    throw new Error(`the link declared ${opened.declaredBytes} bytes but sent ${measure.bytes}`);
  }
  return {
    s3Key,
    bytes: measure.bytes,
    sha256: measure.digest(),
    contentType,
    ...(opened.url.toString() !== new URL(task.url).toString() ? { fetchedFrom: opened.url.toString() } : {}),
  };
};
