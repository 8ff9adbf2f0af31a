/**
 * The router keeps every mention it still owes an owner in memory, with its whole classification (the routed record
 * and the case snapshot carry it). Parsed from JSON, each copy has its own copy of strings that are the same in every
 * mention (the model's name and version, labels, reason codes) and evidence that repeats the text. In a backlog of
 * tens of thousands of waiting mentions that was most of the router's heap; sharing one copy of each keeps the same
 * values in a fraction of the memory.
 */
const MAX_SHARED = 20_000;
/** Strings longer than this are rarely shared by two mentions (texts, ids): not worth a lookup. */
const MAX_SHARED_LENGTH = 96;

export class StringPool {
  private pool = new Map<string, string>();

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
   * Replaces, in place, every string inside `value` by its shared copy, and any string equal to `text` by `text`
   * itself. Values stay equal; only their memory is shared.
   */
  compact<T>(value: T, text?: string): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return text !== undefined && v.length === text.length && v === text ? text : this.share(v);
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) v[i] = walk(v[i]);
        return v;
      }
      if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        for (const k of Object.keys(o)) o[k] = walk(o[k]);
      }
      return v;
    };
    return walk(value) as T;
  }
}
