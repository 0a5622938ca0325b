/**
 * The one plain definition of the data resources, read by the CDK stack (lib/) and by the local
 * stack (local/) so both create the same tables, indexes and queue. Plain data only: no AWS SDK
 * and no CDK types, so either side can import it without pulling in the other.
 */

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /**
   * Attributes copied into the index besides the keys. Kept small and slow-changing on purpose:
   * an index with every attribute would be rewritten on every delivery (deliveries,
   * lastReceivedAt), tripling the write units of each callback. Fetch whole items by key.
   */
  readonly projection: readonly string[];
  /** What the index answers, for the README and the records CLI. */
  readonly serves: string;
}

export interface TableDefinition {
  /** Logical name; the deployed name is chosen by CloudFormation, the local one is this. */
  readonly id: string;
  readonly partitionKey: string;
  readonly indexes: readonly IndexDefinition[];
}

/** Shards of the calls' index keys (store/shards.ts): the default, and the most a stack may use. */
export const DEFAULT_INDEX_SHARDS = 16;
export const MAX_INDEX_SHARDS = 64;

/** The calls of a company on a Beijing calendar day, one key per shard (store/shards.ts). */
export const BY_COMPANY_DATE: IndexDefinition = {
  name: 'byCompanyDate',
  partitionKey: 'companyDate',
  sortKey: 'sortTime',
  projection: ['pk', 'direction', 'callId', 'callJobId', 'state'],
  serves:
    'calls of a company on a Beijing calendar day (companyDate = "<companyId>#yyyy-MM-dd#<shard>"; before sharding "<companyId>#yyyy-MM-dd")',
};

/** The calls of a job, in call order, one key per shard (store/shards.ts). */
export const BY_JOB_SHARD: IndexDefinition = {
  name: 'byJobShard',
  partitionKey: 'jobShard',
  sortKey: 'sortTime',
  projection: ['pk', 'direction', 'callId', 'companyId', 'state'],
  serves: 'calls of a job, in call order (jobShard = "<callJobId>#<shard>")',
};

/**
 * The unsharded job index of earlier versions (`callJobId`): every call of a job on one key.
 * Kept only while a stack upgrades (`upgradeStep`, README: Upgrading), then deleted.
 */
export const LEGACY_BY_JOB: IndexDefinition = {
  ...BY_JOB_SHARD,
  name: 'byJob',
  partitionKey: 'callJobId',
  serves: 'calls of a job (earlier versions; removed by the upgrade)',
};

/**
 * The calls of one person, by the stack's keyed hash of their number (personal/phone.ts): what
 * `records erase` and `records subject` read instead of scanning the table. Holds no number.
 */
export const BY_PHONE: IndexDefinition = {
  name: 'byPhone',
  partitionKey: 'phoneHash',
  sortKey: 'sortTime',
  projection: ['pk', 'direction', 'callId', 'companyId'],
  serves: "one person's calls, by the keyed hash of their number (records erase / subject)",
};

/** The jobs of a company, most recently updated last. */
export const BY_COMPANY: IndexDefinition = {
  name: 'byCompany',
  partitionKey: 'companyId',
  sortKey: 'lastReceivedAt',
  projection: ['pk', 'callJobId', 'status'],
  serves: 'jobs of a company, most recently updated last',
};

/** One item per call, outbound and inbound, keyed on 百应's own id (`out#<callInstanceId>`, `in#<inboundInstanceId>`). */
export const CALLS_TABLE: TableDefinition = {
  id: 'calls',
  partitionKey: 'pk',
  indexes: [BY_COMPANY_DATE, BY_JOB_SHARD, BY_PHONE],
};

/** One item per job (`callJobId`), with its current status and de-duplicated status history. */
export const JOBS_TABLE: TableDefinition = {
  id: 'jobs',
  partitionKey: 'pk',
  indexes: [BY_COMPANY],
};

export const TABLES = [CALLS_TABLE, JOBS_TABLE] as const;

/** The TTL attribute of both tables: epoch seconds, set on items when a retention is configured. */
export const TTL_ATTRIBUTE = 'expiresAt';

export const QUEUE = {
  id: 'callbacks',
  dlqId: 'callbacks-dlq',
  /** A message that fails this many receives moves to the DLQ. */
  maxReceiveCount: 5,
  /** SQS's maximum; bodies above the claim-check threshold go to S3 instead. */
  maxMessageBytes: 1_048_576,
  /** Messages larger than this go through the claim check: SQS's maximum less room for metadata. */
  inlineMessageBytes: 1_048_576 - 4096,
  retentionDays: 14,
  /** Consumer timeout; the queue's visibility timeout is six times this (AWS guidance). */
  consumerTimeoutSeconds: 30,
  visibilityTimeoutSeconds: 180,
  batchSize: 25,
  maxBatchingWindowSeconds: 2,
} as const;

/** Prefixes inside the one bucket. Ingest may write only to `claims/`. */
export const BUCKET_PREFIXES = {
  /** One gzip JSON-lines object per consumed batch: every raw body, to re-derive any record. */
  archive: 'archive/',
  /** Bodies too large for an SQS message (claim check). */
  claims: 'claims/',
  /** Bodies the contract could not read, each whole with its error (other companies' under `quarantine/foreign/`). */
  quarantine: 'quarantine/',
  /** The large parts of calls too big for one DynamoDB item (gzip JSON, content-addressed). */
  records: 'records/',
  /** Call recordings copied from 百应's temporary links: `recordings/<company>/<yyyy>/<MM>/<dd>/<out|in>-<callId>-<kind>-<link digest>.<ext>`. */
  recordings: 'recordings/',
} as const;

/** Other companies' callbacks in the quarantine (`companyIds`): kept apart, so they can expire sooner. */
export const FOREIGN_PREFIX = `${BUCKET_PREFIXES.quarantine}foreign/`;

/** The recordings worker's queue: one small task per recording URL of a stored call. */
export const RECORDINGS = {
  queueId: 'recordings',
  dlqId: 'recordings-dlq',
  /**
   * Receives before the DLQ: enough for retries with backoff over a day (1, 2, 4 … 120 minutes,
   * then every 2 hours is about 18 receives); the worker gives up with FAILED before this.
   */
  maxReceiveCount: 30,
  retentionDays: 4,
  timeoutSeconds: 300,
  /** Tasks per invocation; they are copied a few at a time (the worker's memory stays bounded). */
  batchSize: 4,
  concurrency: 2,
  memorySize: 512,
  /** A link that answers 403/404/410 this many times is EXPIRED (an expired link does not come back). */
  expiredAfterAttempts: 3,
  /** Seconds between attempts at a link that answered 403/404: three attempts in about two minutes. */
  expiredRetrySeconds: 45,
  /** Seconds before a copy the invocation had no time to finish is tried again. */
  unfinishedRetrySeconds: 30,
  /** Other failures are retried with backoff (doubling from a minute, at most two hours) for this long. */
  retryForHours: 24,
  maxBackoffSeconds: 7200,
  /** Hosts 百应's recording links are known to use (CDK context `recordingHosts`). */
  defaultHosts: ['*.aliyuncs.com', 'pre-crm.indata.cc', '*.byrobot.cn', '*.byai.com'],
  /** CDK context `recordingMaxBytes`. */
  defaultMaxBytes: 200 * 1024 * 1024,
  /** One download, headers to last byte. */
  downloadTimeoutSeconds: 240,
} as const;

export const RECORDING_KINDS = ['call', 'customer'] as const;
export type RecordingKind = (typeof RECORDING_KINDS)[number];
export const RECORDING_STATUSES = ['PENDING', 'ARCHIVED', 'EXPIRED', 'FAILED', 'REFUSED'] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

export const LOCAL_BUCKET = 'byrobot-callbacks-local';

/** CloudWatch namespace of the functions' custom metrics (the alarms watch it). */
export const METRICS_NAMESPACE = 'ByrobotCallbacks';

/**
 * Counts that CloudWatch derives from a log line with a metric filter instead of an EMF line.
 * Ingest writes one `callback accepted` line per request anyway; an EMF line beside it would add
 * about 270 bytes of billed log to every callback, the largest log item after that line itself.
 * The handler still counts them (tests and the local stack see the counts); the deployed
 * counter just does not write them (`createCounter`'s `fromLogLines`).
 */
export const LOG_LINE_METRICS = [
  {
    service: 'ingest',
    metricName: 'CallbacksReceived',
    /** The line's `message`. */
    message: 'callback accepted',
    /** The metric's dimension and the line field it takes its value from. */
    dimension: { name: 'DataType', field: 'dataType' },
  },
] as const;

/** The names of the LOG_LINE_METRICS of one function (its counter's `fromLogLines`). */
export const logLineMetricsOf = (service: string): string[] =>
  LOG_LINE_METRICS.filter((metric) => metric.service === service).map((metric) => metric.metricName);

/** Callback signature check modes (CDK context `callbackSignature`, ingest's `CALLBACK_SIGNATURE`). */
export const SIGNATURE_MODES = ['off', 'log', 'enforce'] as const;
export type SignatureMode = (typeof SIGNATURE_MODES)[number];
