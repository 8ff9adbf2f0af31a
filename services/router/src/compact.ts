/**
 * The router keeps every mention it still owes an owner in memory, with its whole classification (the routed record
 * and the case snapshot carry it). Parsed from JSON, each copy has its own copy of strings that are the same in every
 * mention (the model's name and version, labels, reason codes) and evidence that repeats the text, and its own copy
 * of small objects that are the same in many (the model, risk reasons, empty evidence lists, a frequent author). In a
 * backlog of tens of thousands of waiting mentions that was most of the router's heap; sharing one copy of each keeps
 * the same values in a fraction of the memory (measured by tests/bench/router-heap.ts).
 */
const MAX_SHARED = 20_000;
/** Strings longer than this are rarely shared by two mentions (texts, ids): not worth a lookup. */
const MAX_SHARED_LENGTH = 96;
/** Small objects and arrays (by their JSON) are shared up to this size; larger ones rarely repeat. */
const MAX_SHARED_JSON = 160;
/** Fewer objects than strings: their JSON keys weigh more, and the ones worth sharing recur within a few thousand. */
const MAX_SHARED_OBJECTS = 5_000;

export class StringPool {
  private pool = new Map<string, string>();
  private objects = new Map<string, object>();

  share(s: string): string {
    if (s.length > MAX_SHARED_LENGTH) return s;
    const known = this.pool.get(s);
    if (known !== undefined) return known;
    // Bounded: a pool filled with one-off strings starts again (sharing is an optimisation, never a meaning).
    if (this.pool.size >= MAX_SHARED) this.pool = new Map();
    this.pool.set(s, s);
    return s;
  }

  /**
   * Replaces, in place, every string inside `value` by its shared copy, any string equal to `text` by `text` itself,
   * and every small object or array made only of such values by a shared, frozen copy (frozen: a change to one would
   * change every mention holding it, so a change throws instead). Values stay equal; only their memory is shared.
   * `value` itself is never replaced nor frozen (its owner keeps using it).
   */
  compact<T>(value: T, text?: string): T {
    return this.walk(value, text, true).v as T;
  }

  /** The compacted value, and whether it is a leaf: a primitive or a shared object (so its parent may be shared). */
  private walk(v: unknown, text: string | undefined, root = false): { v: unknown; leaf: boolean } {
    if (typeof v === 'string') return { v: text !== undefined && v.length === text.length && v === text ? text : this.share(v), leaf: v.length <= MAX_SHARED_LENGTH };
    if (v === null || typeof v !== 'object') return { v, leaf: true };
    // Already shared (a mention compacted twice, or an object it shares with another).
    if (Object.isFrozen(v)) return { v, leaf: true };
    let leaves = true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const w = this.walk(v[i], text);
        v[i] = w.v;
        leaves &&= w.leaf;
      }
    } else {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        const w = this.walk(o[k], text);
        o[k] = w.v;
        leaves &&= w.leaf;
      }
    }
    return leaves && !root ? this.shareObject(v) : { v, leaf: false };
  }

  private shareObject(v: object): { v: unknown; leaf: boolean } {
    const key = JSON.stringify(v);
    if (key.length > MAX_SHARED_JSON) return { v, leaf: false };
    const known = this.objects.get(key);
    if (known !== undefined) return { v: known, leaf: true };
    if (this.objects.size >= MAX_SHARED_OBJECTS) this.objects = new Map();
    this.objects.set(key, Object.freeze(v));
    return { v, leaf: true };
  }
}
