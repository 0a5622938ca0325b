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
  ctx.keepIdsIfDiffer(
    item,
    path,
    { sceneInstanceId: 'callId', companyId: 'companyId', robotDefId: 'robotDefId' },
    owner,
  );
  return compact({
    index,
    speaker: speaker === undefined ? undefined : (SPEAKERS[speaker] ?? speaker),
    ...ctx.takeFields(item, path, {
      logId: 'sceneInstanceLogId',
      content: 'content',
      userMean: 'userMean',
      aiUnknown: 'aiUnknown',
      startMs: 'startTime',
      endMs: 'endTime',
      decisionId: 'decisionId',
      knowledgeBaseId: 'knowledgeBaseId',
      correction: 'correctionContent',
      createdAt: 'gmtCreate',
      modifiedAt: 'gmtModified',
      decisionName: 'decisionName',
    }),
    userMeanDetail: ctx.embedded(item.userMeanDetail, at('userMeanDetail')),
    answerStatus: ctx.coded(ANSWER_STATUS, item.answerStatus, at('answerStatus')),
    studyStatus: ctx.coded(STUDY_STATUS, item.studyStatus, at('studyStatus')),
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
  const seen = new Set<string>();
  const turns = ctx
    .readList(items, path, (item, at, index) => readTurn(ctx, item, at, index, owner))
    .filter((turn) => {
      if (turn.logId === undefined) return true;
      if (seen.has(turn.logId)) {
        ctx.warnings.add(
          ctx.at([...path, turn.index]),
          'duplicate-turn',
          `log id ${turn.logId} sent twice; the first is kept`,
        );
        return false;
      }
      seen.add(turn.logId);
      return true;
    });
  const sorted = spokenOrder(turns);
  if (sorted.some((turn, i) => turn !== turns[i])) {
    ctx.warnings.add(ctx.at(path), 'reordered', 'turns were not in spoken order; reordered');
  }
  return sorted.map(({ index: _index, ...turn }, i) => ({ turn: i + 1, ...turn }));
};
