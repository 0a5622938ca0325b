/**
 * A call the open platform lists as completed but we never received, as the callback it would
 * have been: an open-platform CALL_INSTANCE_RESULT built from the `calldone/list` entry and, where
 * the platform gives it, the call's detail (its transcript). Consume then reads it exactly as any
 * open-platform callback. Pure: no I/O.
 */
import { LosslessNumber, stringify } from 'lossless-json';
import { digitsOf } from '../byrobot/open-client.js';
import { readEpochNumber, readTimeText } from '../contract/time.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The lists a CALL_INSTANCE_RESULT carries beside `callInstance`. */
const CALL_LISTS = ['phoneLogs', 'taskResult', 'callRepeat', 'jobPhoneInfos'] as const;

/**
 * The detail method's answer as callback data. Its shape is not documented: either the callback's
 * own (`callInstance` and the lists) or the call's fields flat with the lists beside them.
 */
const detailAsData = (detail: Json): { callInstance: Json; lists: Json } => {
  if (isObject(detail.callInstance)) {
    const { callInstance, ...rest } = detail;
    return { callInstance, lists: rest };
  }
  const callInstance: Json = {};
  const lists: Json = {};
  for (const [key, value] of Object.entries(detail)) {
    if ((CALL_LISTS as readonly string[]).includes(key)) lists[key] = value;
    else callInstance[key] = value;
  }
  return { callInstance, lists };
};

export interface RecoveredOpenCall {
  /** The callback body, numbers exact. */
  readonly body: string;
  /** Neither the list nor a detail gave the call's transcript. */
  readonly transcriptMissing: boolean;
}

/**
 * The callback body for one listed call: the entry's fields as `callInstance` (its `resultList`
 * as `taskResult`, as callbacks carry intent levels), the detail's fields and lists over them
 * where it answered, and the company the list was asked for when neither names one.
 */
export const recoveredOpenCall = (
  entry: Json,
  detail: Json | undefined,
  companyId: string,
): RecoveredOpenCall => {
  const { resultList, ...entryFields } = entry;
  const fromDetail = detail ? detailAsData(detail) : { callInstance: {}, lists: {} };
  const callInstance: Json = {
    companyId: new LosslessNumber(companyId),
    ...entryFields,
    ...fromDetail.callInstance,
  };
  const listed = Array.isArray(resultList)
    ? resultList.filter(isObject).map((result) => ({
        resultName: result.name ?? result.resultName,
        resultValue: result.value ?? result.resultValue,
      }))
    : [];
  const detailResults = fromDetail.lists.taskResult;
  const data: Json = {
    callInstance,
    ...fromDetail.lists,
    taskResult: Array.isArray(detailResults) && detailResults.length > 0 ? detailResults : listed,
  };
  const body = stringify({
    code: 200,
    data: { callbackType: 'CALL_INSTANCE_RESULT', data },
    resultMsg: 'recovered by the reconciler (open platform calldone)',
  }) as string;
  return { body, transcriptMissing: !Array.isArray(fromDetail.lists.phoneLogs) };
};

/** The call id of a list entry, exact; undefined when it has none. */
export const callIdOf = (entry: Json): string | undefined => digitsOf(entry.callInstanceId);

/** Epoch milliseconds of a time as the open platform sends one (epoch number or Beijing text). */
export const epochMsOf = (value: unknown): number | undefined => {
  const read =
    typeof value === 'number'
      ? readEpochNumber(value)
      : typeof value === 'string'
        ? readTimeText(value.trim())
        : null;
  return read?.epochMs;
};
