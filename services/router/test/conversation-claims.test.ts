import { CLAIM_WINDOW_MS, conflictOf, type ConversationClaim } from '../src/conversation-claims';
import { StoryIndex } from '../src/stories';

const AT = Date.parse('2026-12-04T10:00:00Z');

/** A mention's claim as the core builds it: its story's signature from a story index, and its thread. */
function claimOf(index: StoryIndex, id: string, text: string, thread?: string): ConversationClaim {
  index.assign({ id, text, at: AT });
  const sig = index.signature(id)!;
  return { storyPairs: sig.pairs, storyKeys: sig.keys, threshold: sig.threshold, ...(thread ? { thread } : {}) };
}

describe('conflictOf: the claim store finds another replica\'s owner of the same story or thread', () => {
  const complaint = 'my bag never arrived at JFK and nobody at the desk will tell me anything useful';
  const retweet = 'RT @sam: my bag never arrived at JFK and nobody at the desk will tell me anything useful';
  const other = 'my flight was delayed four hours and the lounge at JFK was closed all evening long';

  /** The claims on each key, as another replica's granted offers of `texts` left them. */
  function written(claims: Array<{ id: string; expert: string; claim: ConversationClaim; at?: number }>) {
    const refs = new Map<string, Array<{ m: string; e: string; a: string; at: number }>>();
    const stored = new Map<string, ConversationClaim>();
    for (const { id, expert, claim, at } of claims) {
      const keys = [...(claim.thread ? [`t:${claim.thread}`] : []), ...(claim.storyKeys ?? []).map((k) => `p:${k}`)];
      for (const k of keys) refs.set(k, [...(refs.get(k) ?? []), { m: id, e: expert, a: `a_${id}`, at: at ?? AT }]);
      stored.set(id, claim);
    }
    return { refs: (k: string) => refs.get(k) ?? [], pairs: (m: string) => stored.get(m) };
  }

  it('a copy (a retweet) claimed by another replica for another expert refuses the offer, naming that owner', () => {
    const theirs = written([{ id: 'm1', expert: 'ana', claim: claimOf(new StoryIndex(), 'm1', complaint) }]);
    const mine = { expertId: 'bo', mentionId: 'm2', assignmentId: 'a_m2', at: AT + 200, conversation: claimOf(new StoryIndex(), 'm2', retweet) };
    expect(conflictOf(mine, theirs.refs, theirs.pairs, () => false)).toMatchObject({ ref: { m: 'm1', e: 'ana' }, via: 'story' });
    // Once it gave way to that offer, its next claim counts it as weighed; a claim voided (it gave way itself) refuses nobody.
    expect(conflictOf({ ...mine, conversation: { ...mine.conversation, weighed: ['a_m1'] } }, theirs.refs, theirs.pairs, () => false)).toBeUndefined();
    expect(conflictOf(mine, theirs.refs, () => ({ void: true }), () => false)).toBeUndefined();
  });

  it('a text that only shares a common pair is not the same story; the same expert, a known assignment, or an old claim do not refuse', () => {
    const theirs = written([{ id: 'm1', expert: 'ana', claim: claimOf(new StoryIndex(), 'm1', complaint) }]);
    const unrelated = { expertId: 'bo', mentionId: 'm3', assignmentId: 'a_m3', at: AT, conversation: claimOf(new StoryIndex(), 'm3', other) };
    expect(conflictOf(unrelated, theirs.refs, theirs.pairs, () => false)).toBeUndefined();
    const copy = (over: object) => ({ expertId: 'bo', mentionId: 'm2', assignmentId: 'a_m2', at: AT, conversation: claimOf(new StoryIndex(), 'm2', retweet), ...over });
    expect(conflictOf(copy({ expertId: 'ana' }), theirs.refs, theirs.pairs, () => false)).toBeUndefined();
    expect(conflictOf(copy({}), theirs.refs, theirs.pairs, (ref) => ref.a === 'a_m1')).toBeUndefined();
    expect(conflictOf(copy({ at: AT + CLAIM_WINDOW_MS + 1 }), theirs.refs, theirs.pairs, () => false)).toBeUndefined();
    // Its own earlier claim (a redelivered mention) is not a conflict either.
    expect(conflictOf(copy({ mentionId: 'm1' }), theirs.refs, theirs.pairs, () => false)).toBeUndefined();
  });

  it('of two offers racing, whose claims both landed, exactly one gives way: the one written second on their first shared key', () => {
    const first = claimOf(new StoryIndex(), 'm1', complaint);
    const second = claimOf(new StoryIndex(), 'm2', retweet);
    const both = written([
      { id: 'm1', expert: 'ana', claim: first },
      { id: 'm2', expert: 'bo', claim: second },
    ]);
    const r1 = { expertId: 'ana', mentionId: 'm1', assignmentId: 'a_m1', at: AT, conversation: first };
    const r2 = { expertId: 'bo', mentionId: 'm2', assignmentId: 'a_m2', at: AT, conversation: second };
    expect(conflictOf(r1, both.refs, both.pairs, () => false)).toBeUndefined();
    expect(conflictOf(r2, both.refs, both.pairs, () => false)).toMatchObject({ ref: { m: 'm1', e: 'ana' } });
  });

  it('a thread is claimed by its id, whatever its texts; the newest of several claims names the owner', () => {
    const index = new StoryIndex();
    const theirs = written([
      { id: 'm1', expert: 'ana', claim: { thread: 'bsky:at://x/1' }, at: AT },
      { id: 'm4', expert: 'cy', claim: { thread: 'bsky:at://x/1' }, at: AT + 50 },
    ]);
    const reply = { expertId: 'bo', mentionId: 'm5', assignmentId: 'a_m5', at: AT + 100, conversation: claimOf(index, 'm5', 'thanks, and what about the refund for the second leg of the trip', 'bsky:at://x/1') };
    expect(conflictOf(reply, theirs.refs, theirs.pairs, () => false)).toMatchObject({ ref: { m: 'm4', e: 'cy' }, via: 'thread' });
  });

  it('the prefix keys of two texts similar enough to be one story always meet (prefix filtering)', () => {
    // Random near-copies: whenever the story index calls them one story, their keys share one.
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    for (let trial = 0; trial < 300; trial++) {
      const base = Array.from({ length: 8 + Math.floor(rand() * 20) }, () => words[Math.floor(rand() * words.length)]!);
      const copy = base.map((w) => (rand() < 0.08 ? words[Math.floor(rand() * words.length)]! : w));
      const index = new StoryIndex();
      index.assign({ id: 'a', text: base.join(' '), at: AT });
      const same = index.assign({ id: 'b', text: copy.join(' '), at: AT }).storyId === 'a';
      const [x, y] = [index.signature('a'), index.signature('b')];
      if (!same || !x || !y) continue;
      expect(x.keys.some((k) => y.keys.includes(k))).toBe(true);
    }
  });
});
