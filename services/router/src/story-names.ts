import { extend, type AssignmentEvent } from '@chorus/schemas';
import type { EngineOutput } from './engine-io.js';
import type { RouterState } from './state.js';
import type { StoryIndex } from './stories.js';

/** An assignment's story key as this replica names the story (another replica may have named it otherwise). */
export function canonicalStory(e: AssignmentEvent, stories: StoryIndex): AssignmentEvent {
  if (!e.conversation?.some((k) => k.startsWith('story:'))) return e;
  let changed = false;
  const conversation = e.conversation.map((k) => {
    if (!k.startsWith('story:')) return k;
    const id = k.slice(6);
    const now = stories.storyOf(id) ?? stories.resolve(id);
    if (now === id) return k;
    changed = true;
    return `story:${now}`;
  });
  return changed ? extend(e, { conversation }) : e;
}

/**
 * A case keeps the story id its mention had when it arrived; the story may have been renamed since (an earlier copy,
 * a merge). What goes out names the story as it is now, and an offer's expert owns the story under that name here
 * too: otherwise later copies, named by the new id, would not find the owner. Rewrites `out` in place.
 */
export function currentStoryNames(out: EngineOutput, stories: StoryIndex, state: RouterState): void {
  for (let i = 0; i < out.routed.length; i++) {
    const r = out.routed[i]!;
    const now = r.storyId === undefined ? undefined : stories.resolve(r.storyId);
    if (now !== undefined && now !== r.storyId) out.routed[i] = extend(r, { storyId: now });
  }
  for (let i = 0; i < out.events.length; i++) {
    const e = out.events[i]!;
    if (e.state !== 'offered') continue;
    const c = canonicalStory(e, stories);
    if (c === e) continue;
    for (const [k, before] of (e.conversation ?? []).entries()) if (before !== c.conversation![k]) state.mergeConversation(before, c.conversation![k]!);
    out.events[i] = c;
  }
}

