/**
 * Named meanings of 百应's numeric codes. A code we do not know is kept raw with the name
 * `UNKNOWN` and a warning: new codes appear in real traffic before they appear in the doc.
 */
export interface CodeName {
  readonly name: string;
  /** 百应's own wording, for display to operators. */
  readonly zh: string;
}

type CodeTable = Readonly<Record<number, CodeName>>;

const table = (entries: [number, string, string][]): CodeTable =>
  Object.fromEntries(entries.map(([code, name, zh]) => [code, { name, zh }]));

/** `finishStatus`: the doc lists 0–11; 12, 22, 23 and 25 are seen in real traffic. */
export const FINISH_STATUS = table([
  [0, 'ANSWERED', '已接通'],
  [1, 'REJECTED', '拒绝'],
  [2, 'UNREACHABLE', '无法接通'],
  [3, 'CALLER_NUMBER_UNAVAILABLE', '主叫号码不可用'],
  [4, 'VACANT_NUMBER', '空号'],
  [5, 'POWERED_OFF', '关机'],
  [6, 'BUSY', '占线'],
  [7, 'SUSPENDED', '停机'],
  [8, 'NO_ANSWER', '未接'],
  [9, 'CALLER_IN_ARREARS', '主叫欠费'],
  [10, 'CALL_LOSS', '呼损'],
  [11, 'BLACKLISTED', '黑名单'],
  [12, 'SHIELD_BLOCKED', '天盾拦截'],
  [22, 'LINE_BLIND_ZONE', '线路盲区'],
  [23, 'OUTBOUND_BLOCKED', '呼出拦截'],
  [25, 'NO_LINE_AVAILABLE', '无可用线路'],
]);

export const CALL_STATUS = table([
  [0, 'NOT_STARTED', '未开始'],
  [1, 'IN_PROGRESS', '进行中'],
  [2, 'COMPLETED', '已完成'],
]);

export const HANG_UP = table([
  [0, 'AI', 'AI'],
  [1, 'CUSTOMER', '用户'],
]);

export const TRANSFER_STATUS = table([
  [0, 'NONE', '无转接'],
  [1, 'SUCCEEDED', '成功'],
  [2, 'FAILED', '失败'],
]);

export const ANSWER_STATUS = table([
  [0, 'BRANCH', '分支'],
  [1, 'QUESTION', '问题'],
  [2, 'IGNORED', '忽略'],
]);

/** `phoneLogs[].studyStatus`: whether the utterance was used for training. */
export const STUDY_STATUS = table([
  [0, 'NOT_STUDIED', '未学习'],
  [1, 'STUDIED', '已学习'],
]);

export const JOB_STATUS = table([
  [0, 'NOT_STARTED', '未开始'],
  [1, 'RUNNING', '进行中'],
  [2, 'COMPLETED', '已完成'],
  [3, 'SCHEDULING', '调度中'],
  [4, 'PAUSED_MANUALLY', '手动暂停'],
  [5, 'PAUSED_AUTOMATICALLY', '自动暂停'],
  [6, 'TERMINATED', '已终止'],
  [7, 'QUEUED', '排队中'],
  [8, 'AI_EXPIRED', 'AI到期'],
  [9, 'ACCOUNT_IN_ARREARS', '账户欠费'],
]);

/**
 * Open platform `callJobStatus`: no official table is published. Only 2 = completed is certain
 * (the integrator's code and its notes agree); every other code is kept raw as UNKNOWN.
 */
export const OPEN_JOB_STATUS = table([[2, 'COMPLETED', '已完成']]);

export const JOB_TYPE = table([
  [1, 'SCHEDULED', '定时'],
  [2, 'MANUAL', '手动'],
]);

export const JOB_CALLER_TYPE = table([
  [0, 'MOBILE', '手机号'],
  [1, 'LANDLINE', '固话'],
  [2, 'NO_CALLER', '无主叫'],
]);

export interface Coded {
  readonly code: number;
  readonly name: string;
}

export const UNKNOWN = 'UNKNOWN';

/** Looks a code up; `known` is false for a code the table lacks (the caller records a warning). */
export const lookup = (codes: CodeTable, code: number): Coded & { known: boolean } => {
  const entry = codes[code];
  return entry ? { code, name: entry.name, known: true } : { code, name: UNKNOWN, known: false };
};
