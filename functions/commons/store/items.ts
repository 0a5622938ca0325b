/**
 * The shape of the two tables' items, in one place: the writers (consume's merges, the
 * reconciler's markers, the recordings worker) leave these attributes, and every reader — the
 * events publisher, the recordings worker, the records CLI, the export — reads them through these
 * types, so a change in an item's shape fails to compile wherever it matters.
 */
import type { Coded } from '../contract/enums.js';
import type { CallRecord, Intent, IntentLevel, JobRecord, Platform, TaskResult } from '../contract/types.js';
import type { Warning } from '../contract/warnings.js';
import type { RecordingKind, RecordingStatus } from '../definitions.js';

export const CALL_STATES = { recorded: 'RECORDED', manualOnly: 'MANUAL_ONLY', missing: 'MISSING' } as const;
export type CallState = (typeof CALL_STATES)[keyof typeof CALL_STATES];

/** The effective intent as stored at the top level; a manual change carries when and which delivery set it. */
export interface StoredIntent extends IntentLevel {
  readonly source: 'ai' | 'manual';
  readonly changedAt?: string;
  readonly version?: string;
}

/** One manual result as kept in `manualResults`, with the change that set it. */
export interface StoredManualResult extends TaskResult {
  readonly changedAt: string;
  readonly version: string;
}

/** What the newest manual change carried besides its results. */
export interface ManualChange {
  readonly version: string;
  readonly changedAt: string;
  readonly signedAt?: string;
  readonly warnings: readonly Warning[];
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly unreadable?: Readonly<Record<string, unknown>>;
}

/** The record as a call item keeps it: the call's own intent (the effective one is the item's `intent`). */
export type StoredCallRecord = Omit<CallRecord, 'intent'> & { readonly intent: Omit<Intent, 'effective'> };

/** Where the parts of a call too large for one item are kept (see overflow.ts). */
export interface OverflowPointer {
  readonly key: string;
  /** Size of the gzip object. */
  readonly bytes: number;
  /** SHA-256 (hex) of the uncompressed JSON: the object's name, checked on read. */
  readonly sha256: string;
  /** The record fields kept in the object. */
  readonly fields: readonly string[];
}

/** What the reconciler knows of an inbound call 百应 could not deliver (MISSING markers only). */
export interface MissingMarker {
  readonly listedBy: 'queryUnCallBack';
  readonly callerTime?: string;
  readonly customerTelephone?: string;
  readonly callJobId?: string;
}

export interface ArchivedCopy {
  readonly url: string;
  readonly s3Key: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly fetchedAt: string;
}

/** `recordings.<kind>` on a call item: what became of one recording link. */
export interface RecordingEntry {
  readonly status: RecordingStatus;
  /** The 百应 link this entry is about. */
  readonly url: string;
  readonly s3Key?: string;
  readonly bytes?: number;
  readonly sha256?: string;
  readonly contentType?: string;
  readonly fetchedAt?: string;
  /** Where the bytes came from after a redirect. */
  readonly fetchedFrom?: string;
  readonly attempts: number;
  /** Why it is not ARCHIVED (the last error, the refusal). */
  readonly reason?: string;
  /** How many times the link answered 403/404/410: three make it EXPIRED. */
  readonly goneAnswers?: number;
  readonly updatedAt: string;
  /** Earlier archived recordings of the same call and kind (another link replaced them). */
  readonly previous?: readonly ArchivedCopy[];
}

export type Recordings = Partial<Record<RecordingKind, RecordingEntry>>;

/** Every delivery counted once: what every item of both tables keeps of how its data arrived. */
export interface Bookkeeping {
  readonly deliveries?: number;
  readonly deliveryIds?: ReadonlySet<string>;
  readonly sources?: ReadonlySet<string>;
  readonly firstReceivedAt?: string;
  readonly lastReceivedAt?: string;
}

/** One item of the `calls` table: a call, a manual change waiting for its call, or a MISSING marker. */
export interface CallItem extends Bookkeeping {
  readonly pk: string;
  readonly callId?: string;
  readonly direction?: 'outbound' | 'inbound';
  readonly platform?: Platform;
  readonly companyId?: string;
  readonly callJobId?: string;
  readonly state?: CallState;
  /** Index keys: `<companyId>#<yyyy-MM-dd>` and the call's own time (see call-store.ts). */
  readonly companyDate?: string;
  readonly sortTime?: string;
  /** The effective intent; null when neither the AI nor a person has set a level yet. */
  readonly intent?: StoredIntent | null;
  readonly manualIntent?: StoredIntent;
  readonly manualResults?: Readonly<Record<string, StoredManualResult>>;
  readonly manualChange?: ManualChange;
  readonly record?: StoredCallRecord;
  readonly recordVersion?: string;
  readonly recordOverflow?: OverflowPointer;
  /** Set by `reassembleCall` (readers only): the object the overflow came from. */
  readonly recordOverflowKey?: string;
  readonly missing?: MissingMarker;
  /** The reconciler stored the call from the open platform's list without its transcript (no detail). */
  readonly transcriptMissing?: true;
  readonly firstListedAt?: string;
  readonly lastListedAt?: string;
  readonly recordings?: Recordings;
  readonly recordArchive?: string;
  readonly manualArchive?: string;
  /** The stack's keyed hash of the customer's number (personal/phone.ts): the `byPhone` index key. */
  readonly phoneHash?: string;
  /** When DynamoDB deletes the item (epoch seconds, TTL), with a retention set. */
  readonly expiresAt?: number;
  /** When the call's personal data was erased (`records erase`); the item is its tombstone since. */
  readonly erasedAt?: string;
}

/** A job's status as `history` keeps it: each distinct status once, with when it first arrived. */
export interface HistoryEntry {
  readonly code: number;
  readonly name: string;
  readonly modifiedAt?: string;
  readonly firstReceivedAt: string;
}

/** One item of the `jobs` table. */
export interface JobItem extends Bookkeeping {
  readonly pk: string;
  readonly callJobId?: string;
  readonly platform?: Platform;
  readonly companyId?: string;
  readonly status?: Coded;
  readonly job?: JobRecord;
  readonly statusVersion?: string;
  readonly history?: Readonly<Record<string, HistoryEntry>>;
  readonly jobArchive?: string;
  /** When DynamoDB deletes the item (epoch seconds, TTL), with a retention set. */
  readonly expiresAt?: number;
}
