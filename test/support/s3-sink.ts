/**
 * An S3 endpoint on 127.0.0.1 that accepts PutObject and multipart uploads, counts and hashes the
 * bytes, and keeps none of them: for measuring the recordings worker's memory with large files
 * (the S3 emulator keeps objects in memory, which would swamp the measurement).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { RecordingHost } from './recording-host.js';

export class S3Sink {
  private server: Server | undefined;
  /** Bytes received per key (payload only: the SDK's aws-chunked framing is stripped by length). */
  readonly received = new Map<string, number>();
  readonly completed = new Set<string>();
  /** The headers each object was created with (PutObject, or CreateMultipartUpload). */
  readonly created = new Map<string, IncomingHttpHeaders>();
  endpoint = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const key = decodeURIComponent(url.pathname.split('/').slice(2).join('/'));
      /** Reads the request to its end; `payload` counts it as object bytes (a PUT), not a control body. */
      const drain = (then: () => void, payload = true) => {
        let bytes = 0;
        request.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        request.on('end', () => {
          if (payload) this.received.set(key, (this.received.get(key) ?? 0) + decodedLength(request, bytes));
          then();
        });
      };
      const etag = `"${createHash('md5').update(`${key}${Date.now()}`).digest('hex')}"`;
      if (request.method === 'POST' && url.searchParams.has('uploads')) {
        this.created.set(key, request.headers);
        response.writeHead(200, { 'content-type': 'application/xml' });
        response.end(
          `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>b</Bucket><Key>${key}</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>`,
        );
        return;
      }
      if (request.method === 'PUT') {
        if (!url.searchParams.has('partNumber')) this.created.set(key, request.headers);
        drain(() => {
          response.writeHead(200, { etag });
          response.end();
          if (!url.searchParams.has('partNumber')) this.completed.add(key);
        });
        return;
      }
      if (request.method === 'POST' && url.searchParams.has('uploadId')) {
        drain(() => {
          this.completed.add(key);
          response.writeHead(200, { 'content-type': 'application/xml' });
          response.end(
            `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Bucket>b</Bucket><Key>${key}</Key><ETag>${etag}</ETag></CompleteMultipartUploadResult>`,
          );
        }, false);
        return;
      }
      if (request.method === 'DELETE') {
        response.writeHead(204);
        response.end();
        return;
      }
      response.writeHead(400);
      response.end();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The payload length: the decoded length the SDK declares for aws-chunked bodies, else what arrived. */
const decodedLength = (request: IncomingMessage, arrived: number): number => {
  const declared = request.headers['x-amz-decoded-content-length'];
  return typeof declared === 'string' ? Number(declared) : arrived;
};

/**
 * A recording host and an S3 sink on loopback for a test file, and an S3 client pointed at the
 * sink: started before its tests, stopped after. Read `rig.s3` inside tests (it exists once started).
 */
export const useRecordingRig = () => {
  const rig = { host: new RecordingHost(), sink: new S3Sink(), s3: undefined as unknown as S3Client };
  beforeAll(async () => {
    await rig.host.start();
    await rig.sink.start();
    rig.s3 = new S3Client({
      endpoint: rig.sink.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    rig.s3?.destroy();
    await rig.host.stop();
    await rig.sink.stop();
  });
  return rig;
};
