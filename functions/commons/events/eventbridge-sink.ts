/** The deployed event sink: PutEvents on the stack's bus (or the one given by `eventBusArn`). */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventSink } from './publisher.js';

export const eventBridgeSink = (client: EventBridgeClient, eventBusName: string): EventSink => ({
  async put(entries) {
    const result = await client.send(
      new PutEventsCommand({ Entries: entries.map((entry) => ({ ...entry, EventBusName: eventBusName })) }),
    );
    if (!result.FailedEntryCount) return [];
    return (result.Entries ?? []).flatMap((entry, position) => (entry.ErrorCode ? [position] : []));
  },
});

/** `calls` or `jobs` from a stream ARN (`…:table/<name>/stream/<label>`), given the tables' names. */
export const tableByStreamArn =
  (tables: { readonly calls: string; readonly jobs: string }) =>
  (arn: string): 'calls' | 'jobs' | undefined => {
    const name = /:table\/([^/]+)\/stream\//.exec(arn)?.[1];
    if (name === tables.calls) return 'calls';
    if (name === tables.jobs) return 'jobs';
    return undefined;
  };
