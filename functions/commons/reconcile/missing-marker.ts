/**
 * An inbound miss cannot be fetched (百应 has no inbound detail endpoint), so it becomes a
 * MISSING marker item in `calls`, visible to operators by company and day, holding what the
 * list gives. The real callback, if it ever arrives, replaces it (consume sets RECORDED and drops
 * the marker's `missing` attribute); a marker never overwrites a stored record, nor writes a number
 * back onto an erased call.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Miss } from '../byrobot/client.js';
import { beijingIsoFromWallClock } from '../contract/time.js';
import { TTL_ATTRIBUTE } from '../definitions.js';
import { type DataPolicy, expiresAtOf, phoneHashOf } from '../personal/policy.js';
import { ERASED_AT } from '../personal/tombstone.js';
import { CALL_STATES } from '../store/call-store.js';
import { beijingDate, callKey, companyDateOf, jobShardOf } from '../store/keys.js';
import { DEFAULT_INDEX_SHARDS, shardOf } from '../store/shards.js';
import { Update } from '../store/update.js';

export const writeMissingMarker = async (
  doc: DynamoDBDocumentClient,
  table: string,
  companyId: string,
  miss: Miss,
  listedAt: string,
  policy?: DataPolicy,
  shards = DEFAULT_INDEX_SHARDS,
): Promise<'marked' | 'already-recorded'> => {
  const shard = shardOf(miss.callInstanceId, shards);
  const callerTime = miss.callerTime ? (beijingIsoFromWallClock(miss.callerTime) ?? undefined) : undefined;
  const missing = {
    listedBy: 'queryUnCallBack' as const,
    ...(callerTime ? { callerTime } : {}),
    ...(miss.customerTelephone ? { customerTelephone: String(miss.customerTelephone) } : {}),
    ...(miss.callJobId ? { callJobId: miss.callJobId } : {}),
  };
  const update = new Update()
    .set('state', CALL_STATES.missing)
    .set('direction', 'inbound')
    // Misses are listed by the classic OpenAPI's queryUnCallBack only.
    .set('platform', 'classic')
    .set('callId', miss.callInstanceId)
    .set('companyId', companyId)
    .set('missing', missing)
    .setIfNotExists('firstListedAt', listedAt)
    .set('lastListedAt', listedAt);
  if (miss.callJobId)
    update.set('callJobId', miss.callJobId).set('jobShard', jobShardOf(miss.callJobId, shard));
  if (callerTime)
    update
      .set('sortTime', callerTime)
      .set('companyDate', companyDateOf(companyId, beijingDate(callerTime), shard));
  const phoneHash = phoneHashOf(policy, { direction: 'inbound', missing });
  if (phoneHash) update.set('phoneHash', phoneHash);
  const expiresAt = expiresAtOf(policy, callerTime ?? listedAt);
  if (expiresAt !== undefined) update.setIfNotExists(TTL_ATTRIBUTE, expiresAt);
  update.when(
    (name) => `attribute_not_exists(${name('recordVersion')}) AND attribute_not_exists(${name(ERASED_AT)})`,
  );
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: callKey('inbound', miss.callInstanceId) },
        ...update.build(),
      }),
    );
    return 'marked';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'already-recorded';
    throw error;
  }
};
