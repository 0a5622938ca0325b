/**
 * A recordings task: one recording URL of one stored call, put on the recordings queue by consume
 * and copied into the bucket by the recordings worker. Small on purpose (no transcript, no phone).
 */
import * as v from 'valibot';
import type { CallRecord } from '../contract/types.js';
import { RECORDING_KINDS, type RecordingKind } from '../definitions.js';

export const TASK_VERSION = 1;

export const recordingTaskSchema = v.object({
  v: v.literal(TASK_VERSION),
  callId: v.pipe(v.string(), v.minLength(1)),
  direction: v.picklist(['outbound', 'inbound']),
  companyId: v.string(),
  /** The call's start (ISO, +08:00): the day folder of the object. */
  startTime: v.optional(v.string()),
  kind: v.picklist(RECORDING_KINDS),
  url: v.pipe(v.string(), v.minLength(1)),
  /** Queued by an operator (records/replay CLIs): try the link again even where its status is final (not ARCHIVED). */
  retry: v.optional(v.literal(true)),
});

export type RecordingTask = v.InferOutput<typeof recordingTaskSchema>;

/** The tasks a stored call gives: one per recording URL it carries (whole call, customer side). */
export const recordingTasksOf = (record: CallRecord): RecordingTask[] => {
  const urls: [RecordingKind, string | undefined][] = [
    ['call', record.recordingUrl],
    ['customer', record.customerRecordingUrl],
  ];
  return urls.flatMap(([kind, url]) =>
    url && url.trim() !== ''
      ? [
          {
            v: TASK_VERSION,
            callId: record.callId,
            direction: record.direction,
            companyId: record.companyId ?? 'unknown',
            ...(record.startTime ? { startTime: record.startTime } : {}),
            kind,
            url: url.trim(),
          },
        ]
      : [],
  );
};

/** The task in a queue message body, or undefined when the body is not one. */
export const parseTask = (body: string): RecordingTask | undefined => {
  try {
    const parsed = v.safeParse(recordingTaskSchema, JSON.parse(body));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
};
