/** `phoneLog.phoneLogs[]`: the conversation, one turn per utterance, put in spoken order. */
import { ANSWER_STATUS, STUDY_STATUS } from './enums.js';
import { compact, type Owner, type ReadContext } from './read-context.js';
import { type PhoneLogItem, phoneLogItem } from './schemas.js';
import type { TranscriptTurn } from './types.js';
import type { Path } from './warnings.js';

const SPEAKERS: Readonly<Record<string, string>> = { AI: 'AI', ME: 'CUSTOMER' };

type Unordered = Omit<TranscriptTurn, 'turn'> & { readonly index: number };

const readTurn = (
  ctx: ReadContext,
  item: PhoneLogItem,
  path: Path,
  index: number,
  owner: Owner,
): Unordered => {
  ctx.keepExtras(phoneLogItem, item, path);
  const at = (key: string) => [...path, key];
  const speaker = ctx.take(item.speaker, at('speaker'));
  if (speaker !== undefined && !(speaker in SPEAKERS)) {
    ctx.warnings.add(ctx.at(at('speaker')), 'unknown-speaker', 'speaker is neither AI nor ME; kept as sent');
  }
  // Ids that repeat the call's own are implied by the item; one that differs is kept and noted.
  ctx.keepIfDiffers(
    ctx.take(item.sceneInstanceId, at('sceneInstanceId')),
    owner.callId,
    at('sceneInstanceId'),
  );
  ctx.keepIfDiffers(ctx.take(item.companyId, at('companyId')), owner.companyId, at('companyId'));
  ctx.keepIfDiffers(ctx.take(item.robotDefId, at('robotDefId')), owner.robotDefId, at('robotDefId'));
  return compact({
    index,
    logId: ctx.take(item.sceneInstanceLogId, at('sceneInstanceLogId')),
    speaker: speaker === undefined ? undefined : (SPEAKERS[speaker] ?? speaker),
    content: ctx.take(item.content, at('content')),
    userMean: ctx.take(item.userMean, at('userMean')),
    userMeanDetail: ctx.embedded(item.userMeanDetail, at('userMeanDetail')),
    aiUnknown: ctx.take(item.aiUnknown, at('aiUnknown')),
    answerStatus: ctx.coded(ANSWER_STATUS, item.answerStatus, at('answerStatus')),
    studyStatus: ctx.coded(STUDY_STATUS, item.studyStatus, at('studyStatus')),
    startMs: ctx.take(item.startTime, at('startTime')),
    endMs: ctx.take(item.endTime, at('endTime')),
    decisionId: ctx.take(item.decisionId, at('decisionId')),
    knowledgeBaseId: ctx.take(item.knowledgeBaseId, at('knowledgeBaseId')),
    correction: ctx.take(item.correctionContent, at('correctionContent')),
    decisionName: ctx.take(item.decisionName, at('decisionName')),
    createdAt: ctx.take(item.gmtCreate, at('gmtCreate')),
    modifiedAt: ctx.take(item.gmtModified, at('gmtModified')),
  });
};

const compareIds = (a: string, b: string): number => {
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
};

/**
 * Spoken order. Turns with a log id are ordered by it: 百应 allocates ids as the call proceeds,
 * while AI turns often carry 0/0 offsets that cannot order them. A turn without an id keeps its
 * spoken position: after the last turn that started no later than it (by offset), or, without
 * a usable offset, right after the turn it followed as sent.
 */
const spokenOrder = (turns: readonly Unordered[]): Unordered[] => {
  const withId = turns
    .filter((turn) => turn.logId !== undefined)
    .sort((a, b) => compareIds(a.logId as string, b.logId as string) || a.index - b.index);
  const out = [...withId];
  for (const turn of turns) {
    if (turn.logId !== undefined) continue;
    const start = turn.startMs ?? 0;
    // Zero offsets (AI turns) say nothing about position; only real offsets are compared.
    const timed = out.filter((other) => (other.startMs ?? 0) > 0);
    let position: number;
    if (start > 0 && timed.length > 0) {
      const before = timed.filter((other) => (other.startMs as number) <= start).at(-1);
      position = out.indexOf(before ?? (timed[0] as Unordered)) - (before === undefined ? 1 : 0);
    } else {
      const previous = turns[turns.indexOf(turn) - 1];
      position = previous === undefined ? -1 : out.indexOf(previous);
    }
    out.splice(position + 1, 0, turn);
  }
  return out;
};

export const readTranscript = (
  ctx: ReadContext,
  items: readonly (PhoneLogItem | { readonly unreadableItem: unknown })[] | null | undefined,
  path: Path,
  owner: Owner,
): TranscriptTurn[] => {
  const turns: Unordered[] = [];
  const seen = new Set<string>();
  (items ?? []).forEach((item, index) => {
    const at = [...path, index];
    if ('unreadableItem' in item) {
      ctx.take(
        {
          value: null,
          raw: item.unreadableItem,
          drift: { code: 'unreadable', message: 'turn is not an object; kept as sent' },
        },
        at,
      );
      return;
    }
    const turn = readTurn(ctx, item, at, index, owner);
    if (turn.logId !== undefined && seen.has(turn.logId)) {
      ctx.warnings.add(ctx.at(at), 'duplicate-turn', `log id ${turn.logId} sent twice; the first is kept`);
      return;
    }
    if (turn.logId !== undefined) seen.add(turn.logId);
    turns.push(turn);
  });
  const sorted = spokenOrder(turns);
  if (sorted.some((turn, i) => turn !== turns[i])) {
    ctx.warnings.add(ctx.at(path), 'reordered', 'turns were not in spoken order; reordered');
  }
  return sorted.map(({ index: _index, ...turn }, i) => ({ turn: i + 1, ...turn }));
};
