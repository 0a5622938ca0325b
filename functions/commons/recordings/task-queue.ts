/** Sends recordings tasks to their queue, ten to a request, and says which ones SQS did not take. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sqsSafeJson } from '../sqs-safe-json.js';
import type { RecordingTask } from './task.js';

export interface TaskSender {
  /** Sends every task; resolves with the ids of the ones that could not be sent. */
  send(tasks: readonly { readonly id: string; readonly task: RecordingTask }[]): Promise<Set<string>>;
}

const SQS_BATCH = 10;

export const sqsTaskSender = (sqs: SQSClient, queueUrl: string): TaskSender => ({
  async send(tasks) {
    const failed = new Set<string>();
    for (let start = 0; start < tasks.length; start += SQS_BATCH) {
      const chunk = tasks.slice(start, start + SQS_BATCH);
      try {
        const result = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map(({ task }, index) => ({
              Id: String(index),
              // A link from 百应 may hold characters SQS refuses in a message: escaped, as ingest does.
              MessageBody: sqsSafeJson(task),
            })),
          }),
        );
        for (const entry of result.Failed ?? []) {
          const sent = chunk[Number(entry.Id)];
          if (sent) failed.add(sent.id);
        }
      } catch {
        for (const { id } of chunk) failed.add(id);
      }
    }
    return failed;
  },
});
