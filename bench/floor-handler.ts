/**
 * The cold-start floor: the least an ingest handler must load — the SQS client and valibot —
 * doing one safeParse. Bundled exactly like the real handlers, in the same run.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as v from 'valibot';

const envelope = v.object({
  code: v.unknown(),
  data: v.object({ dataType: v.string(), data: v.record(v.string(), v.unknown()) }),
});
const sqs = new SQSClient({});

export const handler = async (event: { body: string }) => {
  const parsed = v.safeParse(envelope, JSON.parse(event.body));
  if (!parsed.success) return { statusCode: 400, body: 'bad' };
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: event.body }));
  return { statusCode: 200, body: 'success' };
};
