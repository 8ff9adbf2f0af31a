/**
 * One story, one owner across router replicas, at the same instant: copies of one text that land on two replicas'
 * partitions at once go to one expert, because each offer claims its story (and thread) in Elasticsearch beside the
 * expert's capacity (services/router/src/conversation-claims.ts). Real Kafka and Elasticsearch.
 */
import { AssignmentEventEnvelope, topicName, type AssignmentEvent, type ClassifiedMention, type Expert } from '@chorus/schemas';
import { jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { elasticsearchClaims, type ClaimRequest } from '../../services/router/src/claims';
import { RoutingPolicy } from '../../services/router/src/policy';
import { StoryIndex } from '../../services/router/src/stories';
import { expert, mention } from '../../services/router/test/fixtures';
import { collect, kafkaClient, uniquePrefix, waitFor } from '../helpers/infra';
import { routerContext, routerPair } from '../helpers/routers';

const { kafka, producer, es, logger } = routerContext('router-stories-test');

/** Ten distinct complaints, each long enough to be a story. */
const TEXTS = [
  'my bag never came off the carousel at gate twelve and the desk staff just shrugged',
  'four hours on the tarmac in Denver without water or a single announcement from the crew',
  'the app charged my card twice for one seat upgrade and support keeps closing the ticket',
  'cancelled again tonight and the rebooking line hangs up after forty minutes on hold',
  'the lounge in Lisbon turned away gold members because it was apparently too full today',
  'my daughter flying alone was left at the wrong terminal for an hour with nobody around',
  'the refund you promised in March has still not arrived and the chat bot loops forever',
  'seat thirty two has a broken tray and a recline that slams back into my knees constantly',
  'gate agent in Atlanta was rude to an elderly passenger asking where the wheelchair was',
  'the inflight meal made half our row sick and the crew said there was nothing they could do',
];

test('two claim stores racing for copies of the same stories: each story is granted to one expert, the other told who owns it', async () => {
  const index = `${uniquePrefix('storyclaims').indices}-capacity-claims`;
  const one = elasticsearchClaims(es, index);
  const two = elasticsearchClaims(es, index);
  await one.ensureIndex();
  const at = Date.now();
  const request = (id: string, text: string, expertId: string): ClaimRequest => {
    const stories = new StoryIndex();
    stories.assign({ id, text, at });
    const sig = stories.signature(id)!;
    return { expertId, mentionId: id, assignmentId: `a_${id}`, weight: 1, capacity: 100, at, conversation: { storyPairs: sig.pairs, storyKeys: sig.keys, threshold: sig.threshold } };
  };
  // Replica one offers the originals to ana, replica two the retweets to bo, at once.
  const [x, y] = await Promise.all([
    one.claimBatch(TEXTS.map((t, i) => request(`m_x${i}`, t, 'ana'))),
    two.claimBatch(TEXTS.map((t, i) => request(`m_y${i}`, `RT @someone: ${t}`, 'bo'))),
  ]);
  for (let i = 0; i < TEXTS.length; i++) {
    const [a, b] = [x[i]!, y[i]!];
    expect([a.granted, b.granted].filter(Boolean)).toHaveLength(1);
    const loser = a.granted ? b : a;
    expect(loser.owner).toEqual(a.granted ? { expertId: 'ana', assignmentId: `a_m_x${i}`, mentionId: `m_x${i}`, via: 'story' } : { expertId: 'bo', assignmentId: `a_m_y${i}`, mentionId: `m_y${i}`, via: 'story' });
  }
  // A refused offer claimed no capacity: only the granted ones hold a slot.
  await es.indices.refresh({ index });
  const held = (await one.all()).reduce((n, d) => n + Object.keys(d.claims).length, 0);
  expect(held).toBe(TEXTS.length);
  // The replica that knew of the other's offer when it decided (its event came in) is not refused; nor is a different text.
  const known = await two.claimBatch([request('m_z0', `RT @else: ${TEXTS[0]}`, 'cy')], () => true);
  expect(known[0]).toMatchObject({ granted: true });
  const unrelated = await two.claimBatch([request('m_z1', 'the lounge at gate 4 was closed and the wifi never worked all evening', 'cy')]);
  expect(unrelated[0]).toMatchObject({ granted: true });
  // Claims past the window are deleted by the sweep.
  await es.indices.refresh({ index: `${index}-conversations` });
  await one.forgetConversations(Date.now() + 24 * 3_600_000);
  await es.indices.refresh({ index: `${index}-conversations` });
  expect((await es.count({ index: `${index}-conversations` })).count).toBe(0);
  await es.indices.delete({ index: [index, `${index}-conversations`] });
});

test('copies of a story reaching two router replicas at the same instant are offered to one expert', async () => {
  // Each copy's author was last answered by a different expert (continuity): routed apart, each replica would pick
  // its author's expert; the story's owner outweighs continuity once a replica learns of the other's offer.
  const policy = RoutingPolicy.parse({ ackTimeoutSeconds: { p1: 600, p2: 600, p3: 600, p4: 600 } });
  const experts: Expert[] = [expert('ana', { capacity: 50 }), expert('bo', { capacity: 50 })];
  const { prefix, a, b, stop } = await routerPair({ kafka, producer, es, logger }, 'storyrace', experts, policy);
  const events = await collect(kafkaClient(), topicName('assignments', prefix.topics));
  try {
    // A mention id on each replica's partitions.
    const on = (router: typeof a, author: string, text: string): ClassifiedMention => {
      for (;;) {
        const m = mention({ author });
        if (router.core.owns(m.id)) return { ...m, text };
      }
    };
    const assignments = (ms: Array<{ m: ClassifiedMention; expertId: string }>): AssignmentEvent[] =>
      ms.flatMap(({ m, expertId }) => (['offered', 'answered'] as const).map((state) => ({ assignmentId: `seed_${m.id}`, mentionId: m.id, expertId, state, priority: 'p3' as const, at: new Date().toISOString(), attempt: 1, author: m.author.handle, actor: expertId })));
    // Earlier conversations: author p<i> with ana, q<i> with bo.
    const seeds = TEXTS.flatMap((_, i) => [{ m: on(a, `p${i}`, `earlier ${i}`), expertId: 'ana' }, { m: on(b, `q${i}`, `earlier ${i}`), expertId: 'bo' }]);
    await producer.send({ topic: topicName('assignments', prefix.topics), acks: -1, messages: assignments(seeds).map((e) => jsonMessage(e.mentionId, makeEnvelope('assignment.changed', 'test', e))) });
    await waitFor(() => [a, b].every((r) => r.engine.state.lastExpertFor(`p${TEXTS.length - 1}`) === 'ana' && r.engine.state.lastExpertFor(`q${TEXTS.length - 1}`) === 'bo'), 30_000, 'the earlier conversations known');

    // Each story's two copies at once: p<i>'s on replica a's partitions, q<i>'s retweet on b's.
    const copies = TEXTS.flatMap((t, i) => [on(a, `p${i}`, t), on(b, `q${i}`, `RT @p${i}: ${t}`)]);
    await producer.send({ topic: topicName('mentionsClassified', prefix.topics), acks: -1, messages: copies.map((m) => jsonMessage(m.id, makeEnvelope('mention.classified', 'test', m))) });
    const offers = () => events.messages.map((x) => AssignmentEventEnvelope.parse(x.value).data).filter((e) => e.state === 'offered' && !e.assignmentId.startsWith('seed_'));
    await waitFor(() => new Set(offers().map((o) => o.mentionId)).size >= copies.length, 60_000, 'every copy offered');
    await new Promise((r) => setTimeout(r, 1000));
    for (let i = 0; i < TEXTS.length; i++) {
      const experts = new Set(offers().filter((o) => o.mentionId === copies[2 * i]!.id || o.mentionId === copies[2 * i + 1]!.id).map((o) => o.expertId));
      expect({ story: i, experts: [...experts] }).toEqual({ story: i, experts: [expect.any(String)] });
    }
  } finally {
    await stop();
    await events.stop();
  }
});
