/**
 * The local stack's EventBridge: answers PutEvents on 127.0.0.1 (the publisher's SDK client is
 * pointed here, so the deployed publisher code runs unchanged) and keeps every event in the
 * envelope EventBridge would deliver: one object per event under `events/` in the local bucket
 * (an append-only log, oldest first by key) and a copy on the `events` queue for local subscribers.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_REGION } from './emulators.js';
import { LOOPBACK } from './ports.js';

export const EVENTS_PREFIX = 'events/';
const LOCAL_ACCOUNT = '000000000000';

interface PutEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  /** Seconds since the epoch (the JSON protocol's timestamp). */
  readonly Time?: number;
  readonly Resources?: string[];
}

export interface LocalEventBus {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** The key of the `sequence`-th event: ISO time then a counter, so keys sort oldest first. */
const keyOf = (time: string, sequence: number, id: string) =>
  `${EVENTS_PREFIX}${time}-${String(sequence).padStart(9, '0')}-${id}.json`;

export const startLocalEventBus = async (targets: {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
}): Promise<LocalEventBus> => {
  let sequence = 0;
  // One PutEvents request at a time, its entries written together: the log's order (by key) is
  // the order events were taken, and a reader following the log never sees a later key before an
  // earlier request's.
  let tail: Promise<unknown> = Promise.resolve();
  const keepAll = (envelopes: readonly Record<string, unknown>[]) => {
    const writes = envelopes.map((envelope) => ({
      key: keyOf(new Date().toISOString(), ++sequence, envelope.id as string),
      body: JSON.stringify(envelope),
    }));
    // One object per event (what `npm run events` reads), and the queue copies in batches of 10
    // (SQS's batch limit): a message per event cost the local stack a request per event.
    const batches: (typeof writes)[] = [];
    for (let at = 0; at < writes.length; at += 10) batches.push(writes.slice(at, at + 10));
    tail = tail.then(() =>
      Promise.all([
        ...writes.map(({ key, body }) =>
          targets.s3.send(
            new PutObjectCommand({
              Bucket: targets.bucket,
              Key: key,
              Body: body,
              ContentType: 'application/json',
            }),
          ),
        ),
        ...batches.map(async (batch) => {
          const { Failed = [] } = await targets.sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: targets.queueUrl,
              Entries: batch.map(({ body }, index) => ({ Id: String(index), MessageBody: body })),
            }),
          );
          if (Failed.length > 0) {
            throw new Error(`the local events queue refused ${Failed.length} of ${batch.length} events`);
          }
        }),
      ]),
    );
    return tail;
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const target = request.headers['x-amz-target'];
      if (target !== 'AWSEvents.PutEvents') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(
          JSON.stringify({
            __type: 'UnknownOperationException',
            message: `${String(target)} is not served locally`,
          }),
        );
        return;
      }
      const { Entries = [] } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        Entries?: PutEntry[];
      };
      type Result =
        | { readonly envelope: Record<string, unknown>; readonly EventId: string }
        | { readonly ErrorCode: string; readonly ErrorMessage: string };
      const results = Entries.map((entry): Result => {
        if (!entry.Source || !entry.DetailType || !entry.Detail) {
          return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
        }
        const id = randomUUID();
        const envelope = {
          version: '0',
          id,
          'detail-type': entry.DetailType,
          source: entry.Source,
          account: LOCAL_ACCOUNT,
          time: new Date((entry.Time ?? Date.now() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          region: LOCAL_REGION,
          resources: entry.Resources ?? [],
          detail: JSON.parse(entry.Detail),
        };
        return { envelope, EventId: id };
      });
      try {
        await keepAll(results.flatMap((result) => ('envelope' in result ? [result.envelope] : [])));
        // The reply carries each entry's EventId (or its error), in order, as EventBridge's does.
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(
          JSON.stringify({
            FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
            Entries: results.map((result) => ('envelope' in result ? { EventId: result.EventId } : result)),
          }),
        );
      } catch (error) {
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'InternalException', message: (error as Error).message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  return {
    endpoint: `http://${LOOPBACK}:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
