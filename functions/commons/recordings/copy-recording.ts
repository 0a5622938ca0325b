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
import { beijingDate } from '../store/keys.js';
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

const AUDIO_TYPES: Record<string, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  opus: 'audio/opus',
  amr: 'audio/amr',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  flac: 'audio/flac',
  webm: 'audio/webm',
};

const EXTENSIONS: Record<string, string> = {
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/mp3': 'mp3',
  ...Object.fromEntries(Object.entries(AUDIO_TYPES).map(([ext, type]) => [type, ext])),
};

/** The file extension: the link's own when it is an audio one, else from the content type, else `bin`. */
export const extensionOf = (url: URL, contentType: string | undefined): string => {
  const fromPath = /\.([a-z0-9]{2,5})$/i.exec(url.pathname)?.[1]?.toLowerCase();
  if (fromPath && fromPath in AUDIO_TYPES) return fromPath;
  return (contentType && EXTENSIONS[contentType.toLowerCase()]) || 'bin';
};

/**
 * `recordings/<companyId>/<yyyy>/<MM>/<dd>/<callId>-<kind>[-<n>].<ext>`, the day being the call's
 * Beijing day (the day of the copy when the call has no start time). `suffix` tells a redial's
 * recording from the first one of the same call.
 */
export const recordingKey = (task: RecordingTask, ext: string, copiedAt: Date, suffix?: string): string => {
  const day = beijingDate(task.startTime ?? copiedAt.toISOString());
  const [yyyy, mm, dd] = day.split('-');
  const company = task.companyId.replace(/[^0-9A-Za-z_-]/g, '_') || 'unknown';
  const callId = task.callId.replace(/[^0-9A-Za-z_-]/g, '_');
  return `${BUCKET_PREFIXES.recordings}${company}/${yyyy}/${mm}/${dd}/${callId}-${task.kind}${suffix ? `-${suffix}` : ''}.${ext}`;
};

/** Counts and hashes what passes, and fails the stream once it exceeds `maxBytes`. */
class Measure extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new RefusedUrlError(`the recording is over the cap of ${this.maxBytes} bytes`));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
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
  options: { readonly now: Date; readonly keySuffix?: string },
): Promise<CopiedRecording> => {
  const opened = await openRecording(task.url, policy, limits);
  const ext = extensionOf(opened.url, opened.contentType);
  const contentType = opened.contentType ?? AUDIO_TYPES[ext] ?? 'application/octet-stream';
  const s3Key = recordingKey(task, ext, options.now, options.keySuffix);
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
  const upload = new Upload({
    client: target.s3,
    // One part in flight and the default 5 MB parts: a few MB per copy at most.
    queueSize: 1,
    leavePartsOnError: false,
    params: {
      Bucket: target.bucket,
      Key: s3Key,
      Body: measure,
      ContentType: contentType,
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
