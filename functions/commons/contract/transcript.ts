/** `phoneLog.phoneLogs[]`: the conversation, one turn per utterance, put in spoken order. */
import { ANSWER_STATUS } from './enums.js';
import { compact, type ReadContext } from './read-context.js';
import { type PhoneLogItem, phoneLogItem } from './schemas.js';
import type { TranscriptTurn } from './types.js';
import type { Path } from './warnings.js';

const SPEAKERS: Readonly<Record<string, string>> = { AI: 'AI', ME: 'CUSTOMER' };

type Unordered = Omit<TranscriptTurn, 'turn'> & { readonly index: number };

const readTurn = (ctx: ReadContext, item: PhoneLogItem, path: Path, index: number): Unordered => {
  ctx.keepExtras(phoneLogItem, item, path);
  const speaker = ctx.take(item.speaker, [...path, 'speaker']);
  if (speaker !== undefined && !(speaker in SPEAKERS)) {
    ctx.warnings.add(
      ctx.at([...path, 'speaker']),
      'unknown-speaker',
      'speaker is neither AI nor ME; kept as sent',
    );
  }
  const studyStatus = ctx.take(item.studyStatus, [...path, 'studyStatus']);
  return compact({
    index,
    logId: ctx.take(item.sceneInstanceLogId, [...path, 'sceneInstanceLogId']),
    speaker: speaker === undefined ? undefined : (SPEAKERS[speaker] ?? speaker),
    content: ctx.take(item.content, [...path, 'content']),
    userMean: ctx.take(item.userMean, [...path, 'userMean']),
    userMeanDetail: ctx.embedded(item.userMeanDetail, [...path, 'userMeanDetail']),
    aiUnknown: ctx.take(item.aiUnknown, [...path, 'aiUnknown']),
    answerStatus: ctx.coded(ANSWER_STATUS, item.answerStatus, [...path, 'answerStatus']),
    studied: studyStatus === undefined ? undefined : studyStatus === 1,
    startMs: ctx.take(item.startTime, [...path, 'startTime']),
    endMs: ctx.take(item.endTime, [...path, 'endTime']),
    decisionId: ctx.take(item.decisionId, [...path, 'decisionId']),
    knowledgeBaseId: ctx.take(item.knowledgeBaseId, [...path, 'knowledgeBaseId']),
    correction: ctx.take(item.correctionContent, [...path, 'correctionContent']),
  });
};

/**
 * Orders turns by their log id, which 百应 allocates as the call proceeds; AI turns often carry
 * 0/0 offsets, so the offsets cannot order them. Turns without an id keep their sent position
 * relative to each other (the sort is stable), and follow the ones that have one.
 */
const byLogId = (a: Unordered, b: Unordered): number => {
  if (a.logId === undefined || b.logId === undefined) {
    if (a.logId === b.logId) return a.index - b.index;
    return a.logId === undefined ? 1 : -1;
  }
  const x = BigInt(a.logId);
  const y = BigInt(b.logId);
  return x === y ? a.index - b.index : x < y ? -1 : 1;
};

export const readTranscript = (
  ctx: ReadContext,
  items: readonly (PhoneLogItem | { readonly unreadableItem: unknown })[] | null | undefined,
  path: Path,
): TranscriptTurn[] => {
  const turns: Unordered[] = [];
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
    turns.push(readTurn(ctx, item, at, index));
  });
  const sorted = [...turns].sort(byLogId);
  if (sorted.some((turn, i) => turn !== turns[i])) {
    ctx.warnings.add(ctx.at(path), 'reordered', 'turns were not in log-id order; reordered');
  }
  return sorted.map(({ index: _index, ...turn }, i) => ({ turn: i + 1, ...turn }));
};
