/**
 * The normalized record model (DESIGN.md): what the consumer stores and readers query.
 * Absent values are omitted rather than stored as null — DynamoDB bills by item size.
 */
import type { Coded } from './enums.js';
import type { Label } from './fields.js';
import type { Warning } from './warnings.js';

export type { Coded, Label, Warning };

/** A JSON-in-a-string field: the parsed value, or `{ unparsed }` holding the text as sent. */
export type Embedded = unknown;

export interface IntentLevel {
  /** The letter grade (A–F) when one can be read from the alias or the value. */
  readonly level?: string;
  /** The value as 百应 shows it, e.g. `C级(很少)`. */
  readonly value?: string;
  /** `resultValueNew`: the wording used in the CRM. */
  readonly description?: string;
}

export interface ManualIntentLevel extends IntentLevel {
  /** Receive time of the manual change that set it (newer wins); absent when read from a call record. */
  readonly changedAt?: string;
}

export interface Intent {
  /** From the call's own analysis (`taskResult` 客户意向等级). */
  readonly ai?: IntentLevel;
  /** From a manual change in the CRM (a manual-change callback, or `artificialChanged` on the record). */
  readonly manual?: ManualIntentLevel;
  /** `manual` when there is one, else `ai`. */
  readonly effective?: IntentLevel & { readonly source: 'ai' | 'manual' };
}

export interface TaskResult {
  readonly resultId?: string;
  readonly name?: string;
  readonly value?: string;
  /** `value` parsed when it holds JSON, e.g. label ids `"[1]"` → `[1]`. */
  readonly valueParsed?: unknown;
  readonly manualValue?: string;
  readonly manualChanged?: boolean;
  readonly description?: string;
  readonly analyzeType?: string;
  readonly alias?: string;
  readonly labels?: readonly Label[];
  readonly valueNew?: string;
  readonly extra?: Embedded;
  readonly createdAt?: string;
  readonly modifiedAt?: string;
}

export interface TranscriptTurn {
  /** 1-based position after ordering. */
  readonly turn: number;
  readonly logId?: string;
  /** `AI` or `CUSTOMER` (百应's `ME`); any other speaker is kept as sent. */
  readonly speaker?: string;
  readonly content?: string;
  readonly userMean?: string;
  readonly userMeanDetail?: Embedded;
  readonly aiUnknown?: boolean;
  readonly answerStatus?: Coded;
  /** `studyStatus`: 0 not studied, 1 studied; any other code kept with the name UNKNOWN. */
  readonly studyStatus?: Coded;
  /** Offsets into the recording, in milliseconds. */
  readonly startMs?: number;
  readonly endMs?: number;
  readonly decisionId?: string;
  readonly knowledgeBaseId?: string;
  readonly correction?: string;
  readonly createdAt?: string;
  readonly modifiedAt?: string;
  /** Open platform: the script node that spoke or heard the line. */
  readonly decisionName?: string;
}

/** Open platform `callRepeat[]`: one dial attempt of a redialled call. */
export interface CallAttempt {
  readonly repeatIndex?: number;
  readonly finishStatus?: Coded;
  readonly startTime?: string;
  readonly endTime?: string;
  /** The line used (百应 often puts a line name here). */
  readonly callerPhone?: string;
  readonly userPhoneId?: string;
  readonly sipErrorCode?: string;
}

/** Open platform `jobPhoneInfos[]`: a line the job used. */
export interface PhoneLine {
  readonly lineName?: string;
  readonly callerAccountId?: string;
  readonly userPhoneId?: string;
}

/** Which 百应 platform sent the data: the classic OpenAPI or the open platform (open.byai.com). */
export type Platform = 'classic' | 'open';

interface Common {
  /** Fields the doc does not list, kept as sent (ids with every digit), by path. */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Values no codec could read, kept as sent, by path. */
  readonly unreadable?: Readonly<Record<string, unknown>>;
  readonly warnings: readonly Warning[];
}

export interface CallRecord extends Common {
  readonly kind: 'call';
  readonly platform: Platform;
  readonly direction: 'outbound' | 'inbound';
  /** `callInstanceId` (outbound) or `inboundInstanceId` (inbound), as an exact decimal string. */
  readonly callId: string;
  readonly companyId?: string;
  readonly callJobId?: string;
  readonly jobName?: string;
  readonly callUserId?: string;
  readonly customerId?: string;
  readonly customerTelephone?: string;
  readonly customerName?: string;
  readonly status?: Coded;
  readonly finishStatus?: Coded;
  readonly hangUp?: Coded;
  readonly transferStatus?: Coded;
  readonly transferInfo?: string;
  readonly durationSeconds?: number;
  readonly chatRound?: number;
  readonly startTime?: string;
  readonly endTime?: string;
  /** The line used; 百应 sometimes puts a line name here, not a number. */
  readonly callerPhone?: string;
  readonly calleePhone?: string;
  readonly recordingUrl?: string;
  readonly customerRecordingUrl?: string;
  /** `phoneLog.luyinOssUrl`, kept when it differs from `recordingUrl`. */
  readonly transcriptRecordingUrl?: string;
  readonly properties?: Embedded;
  readonly propertiesMap?: unknown;
  readonly userProperties?: Embedded;
  /** `handlePerson`: the script's name. */
  readonly scriptName?: string;
  readonly robotDefId?: string;
  readonly sceneDefId?: string;
  readonly sceneRecordId?: string;
  readonly callType?: number;
  readonly callIndex?: number;
  readonly read?: boolean;
  readonly callbacked?: boolean;
  readonly industry?: string;
  readonly trackResult?: string;
  readonly bugType?: string;
  /** Absent when 百应 sent its "no second call" sentinel. */
  readonly secondaryCallTime?: string;
  readonly secondaryCallTimes?: number;
  readonly costFen?: number;
  readonly csStaffId?: string;
  readonly userLevel?: string;
  readonly voipCallerAccount?: string;
  readonly customerStatus?: number;
  readonly corpName?: Embedded;
  readonly jobFinished?: boolean;
  readonly createdAt?: string;
  readonly modifiedAt?: string;
  readonly intent: Intent;
  readonly labels: readonly Label[];
  readonly results: readonly TaskResult[];
  readonly transcript: readonly TranscriptTurn[];
  /** A `sign` was sent. The value is never stored: with the assumed scheme it would authorise any body (README: threat model). */
  readonly signed?: boolean;
  readonly signedAt?: string;
  // The open platform's own facts (absent on classic calls):
  readonly robotDefName?: string;
  /** Dial attempts so far. */
  readonly calledTimes?: number;
  /** "有感知" / "无感知". */
  readonly perceptionResult?: string;
  /** Data-collection variables. */
  readonly collectProperties?: Embedded;
  readonly transferred?: boolean;
  readonly lineIn?: boolean;
  readonly takeover?: boolean;
  readonly callRepeat?: readonly CallAttempt[];
  readonly jobPhoneInfos?: readonly PhoneLine[];
}

/** A manual intent change for one call; it may arrive before the call record it amends. */
export interface ManualIntentRecord extends Common {
  readonly kind: 'manualIntent';
  readonly callId: string;
  readonly companyId?: string;
  /** Absent when the change does not touch the intent level (e.g. it only sets a label). */
  readonly intent?: IntentLevel;
  /** Every taskResult entry of the change for this call, intent or not. */
  readonly results: readonly TaskResult[];
  /** A `sign` was sent. The value is never stored: with the assumed scheme it would authorise any body (README: threat model). */
  readonly signed?: boolean;
  /** The signed `dateTime` of the delivery, when 百应 sent one. */
  readonly signedAt?: string;
}

export interface JobRecord extends Common {
  readonly kind: 'job';
  readonly platform: Platform;
  readonly callJobId: string;
  readonly companyId?: string;
  readonly jobName?: string;
  readonly jobType?: Coded;
  readonly status?: Coded;
  readonly startDate?: string;
  readonly endDate?: string;
  readonly workingStartTime?: string;
  readonly workingEndTime?: string;
  readonly breakStartTime?: string;
  readonly breakEndTime?: string;
  readonly callerType?: Coded;
  readonly robotDefId?: string;
  readonly sceneDefId?: string;
  readonly sceneRecordId?: string;
  readonly remark?: string;
  readonly smsType?: number;
  readonly smsCondition?: Embedded;
  readonly smsTemplateId?: string;
  readonly userId?: string;
  readonly userName?: string;
  readonly createdAt?: string;
  /** 百应's time of the change: `gmtModified` (open platform: `updateTime`, else `endTime`). */
  readonly modifiedAt?: string;
  /** Open platform: when the job ended. */
  readonly endTime?: string;
  /** A `sign` was sent. The value is never stored: with the assumed scheme it would authorise any body (README: threat model). */
  readonly signed?: boolean;
  readonly signedAt?: string;
}

export type NormalizedRecord = CallRecord | ManualIntentRecord | JobRecord;
