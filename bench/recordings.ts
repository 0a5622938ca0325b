/**
 * Recordings: copy throughput of the worker's streaming copy (policy check, sha256, size cap,
 * multipart upload) against a bare stream of the same response into the same upload, alternating
 * rounds in one run; and the cost per million calls with both recordings copied.
 *
 * The recording host and the S3 endpoint are both on 127.0.0.1 (the S3 end counts bytes and keeps
 * none), so the figure is our overhead on a copy, not Aliyun-to-AWS bandwidth.
 */
import { request } from 'node:http';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { copyRecording } from '../functions/commons/recordings/copy-recording.js';
import { RecordingHost } from '../test/support/recording-host.js';
import { S3Sink } from '../test/support/s3-sink.js';
import { type Figure, median } from './stats.js';

const PRICE = {
  s3PutPerThousand: 0.005,
  s3StandardPerGbMonth: 0.023,
  s3InfrequentPerGbMonth: 0.0125,
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  sqsPerMillionRequests: 0.4,
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
};

/** A typical answered call: 60 s of 8 kHz 16-bit mono WAV (about 0.96 MB) per recording, two recordings. */
export const TYPICAL = { seconds: 60, bytesPerSecond: 16_000, recordingsPerCall: 2 } as const;
/** Assumed, not measurable here: how fast Lambda in the customer's region reads 百应's storage. */
export const ASSUMED_DOWNLOAD_MBPS = 2;

const FILE_BYTES = 16 * 1024 * 1024;
const ROUNDS = 7;

const bareCopy = (url: string, s3: S3Client, key: string) =>
  new Promise<void>((resolve, reject) => {
    request(url, (response) => {
      new Upload({ client: s3, queueSize: 1, params: { Bucket: 'bench', Key: key, Body: response } })
        .done()
        .then(() => resolve(), reject);
    })
      .on('error', reject)
      .end();
  });

export const runRecordingsBench = async (): Promise<{ figure: Figure; costRows: string[] }> => {
  const host = new RecordingHost();
  const sink = new S3Sink();
  await host.start();
  await sink.start();
  const s3 = new S3Client({
    endpoint: sink.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const policy = { hosts: ['*.aliyuncs.com'], exemptHosts: ['127.0.0.1'] };
  const limits = { maxBytes: 200 * 1024 * 1024, timeoutMs: 60_000 };
  const ours: number[] = [];
  const bare: number[] = [];
  try {
    for (let round = -1; round < ROUNDS; round++) {
      const url = host.url(`/bench-${round}.wav`, FILE_BYTES);
      // Alternate which goes first, so neither always meets a warmer machine.
      const steps: [number[], () => Promise<unknown>][] = [
        [
          ours,
          () =>
            copyRecording(
              { v: 1, callId: `b${round}`, direction: 'outbound', companyId: '1', kind: 'call', url },
              { s3, bucket: 'bench' },
              policy,
              limits,
              { now: new Date() },
            ),
        ],
        [bare, () => bareCopy(url, s3, `bare-${round}.wav`)],
      ];
      for (const [times, step] of round % 2 === 0 ? steps : steps.reverse()) {
        const started = performance.now();
        await step();
        // Round -1 warms up the SDK and the sockets; it is not counted.
        if (round >= 0) times.push(performance.now() - started);
      }
    }
  } finally {
    s3.destroy();
    await host.stop();
    await sink.stop();
  }
  const mbps = (ms: number) => FILE_BYTES / 1024 / 1024 / (ms / 1000);
  const figure: Figure = {
    name: 'recordings: streaming copy (MB/s)',
    ours: ours.map(mbps),
    baseline: bare.map(mbps),
    unit: 'MB/s',
    target: { kind: 'min', ratio: 0.7 },
  };

  // Cost per million answered calls with both recordings copied.
  const fileBytes = TYPICAL.seconds * TYPICAL.bytesPerSecond + 44;
  const files = TYPICAL.recordingsPerCall;
  const gbPerCall = (files * fileBytes) / 1e9;
  const puts = files * 1000 * PRICE.s3PutPerThousand; // one PutObject per file (< 5 MB): 2 M PUTs
  const storageFirstMonth = gbPerCall * 1e6 * PRICE.s3StandardPerGbMonth;
  const storageLaterMonth = gbPerCall * 1e6 * PRICE.s3InfrequentPerGbMonth;
  const ourSecondsPerFile = fileBytes / 1024 / 1024 / median(figure.ours);
  const downloadSeconds = fileBytes / 1024 / 1024 / ASSUMED_DOWNLOAD_MBPS;
  const lambdaGb = 512 / 1024;
  const lambda =
    files * 1e6 * (ourSecondsPerFile + downloadSeconds) * lambdaGb * PRICE.lambdaPerGbSecond +
    (files * 1e6 * PRICE.lambdaPerMillionRequests) / 1e6 / 4; // batches of 4 tasks
  // One batched send (with consume's), receive and delete per task; a GetItem and an UpdateItem (1 WRU) per file.
  const sqs = files * 3 * PRICE.sqsPerMillionRequests;
  const dynamo = files * (PRICE.dynamoPerMillionWriteUnits + PRICE.dynamoPerMillionReadUnits);
  const row = (name: string, value: number) => `${name.padEnd(44)} $${value.toFixed(2)}`;
  const costRows = [
    `per million answered calls, 2 recordings of ${(fileBytes / 1e6).toFixed(2)} MB (60 s, 8 kHz 16-bit WAV)`,
    row('S3 PUT (one per recording)', puts),
    row('S3 storage, first month (Standard)', storageFirstMonth),
    row('S3 storage, each later month (IA)', storageLaterMonth),
    row('Lambda (512 MB, streaming copy)', lambda),
    row('SQS (send, receive, delete per task)', sqs),
    row('DynamoDB (read + 1 WRU per recording)', dynamo),
    row('total, first month', puts + storageFirstMonth + lambda + sqs + dynamo),
    `assumed (not measurable here): download from 百应's storage at ${ASSUMED_DOWNLOAD_MBPS} MB/s; ` +
      `measured: our copy ${median(figure.ours).toFixed(0)} MB/s in process`,
  ];
  return { figure, costRows };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ratioLine } = await import('./stats.js');
  const { figure, costRows } = await runRecordingsBench();
  console.log(ratioLine(figure));
  for (const row of costRows) console.log(row);
}
