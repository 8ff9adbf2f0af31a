import { ConfigResourceTypes, ConfigSource, type Admin } from 'kafkajs';
import { topicName, type TopicKey } from '@chorus/schemas';
import type { Logger } from '@chorus/service-kit';
import { retentionPlan, type RetentionRule } from './plan.js';

/** The streams that carry copies of mentions and cannot be rewritten by an erasure (not compacted). */
export const MENTION_STREAMS: readonly TopicKey[] = ['mentionsRaw', 'mentionsClassified', 'mentionsRouted', 'assignments', 'deadLetter'];

/** The shortest retention of any rule: a stream keeps no copy longer than Elasticsearch keeps the mention. */
export function streamRetentionMs(rules: RetentionRule[], defaultDays: number): number {
  return Math.min(...retentionPlan(rules, defaultDays).map((s) => s.days)) * 86_400_000;
}

/**
 * Lowers `retention.ms` of the mention streams that keep records longer than `ms` (never raises it: the broker's
 * default, a week, is usually already shorter). kafkajs has only the whole-resource AlterConfigs, so the topic's own
 * settings (max.message.bytes, ...) are sent again with it.
 */
export async function alignStreamRetention(admin: Admin, prefix: string, ms: number, logger: Logger): Promise<void> {
  const existing = new Set(await admin.listTopics());
  for (const key of MENTION_STREAMS) {
    const name = topicName(key, prefix);
    if (!existing.has(name)) continue;
    const res = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name }], includeSynonyms: false });
    const entries = res.resources[0]?.configEntries ?? [];
    const current = Number(entries.find((e) => e.configName === 'retention.ms')?.configValue ?? Infinity);
    if (!(current > ms)) continue;
    const own = entries.filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && e.configName !== 'retention.ms' && !e.readOnly).map((e) => ({ name: e.configName, value: e.configValue }));
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name, configEntries: [...own, { name: 'retention.ms', value: String(ms) }] }] });
    logger.info({ topic: name, retentionMs: ms }, 'topic retention lowered to match mention retention');
  }
}
