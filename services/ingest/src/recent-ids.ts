/**
 * A bounded set of recently accepted mention ids, oldest evicted first, plus the ids being published right now, so
 * two concurrent requests carrying the same item do not both accept it.
 */
export class RecentIds {
  private readonly seen = new Set<string>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.seen.has(id) || this.inFlight.has(id);
  }

  /** Marks ids as being published; call commit or release after. */
  reserve(ids: string[]): void {
    for (const id of ids) this.inFlight.add(id);
  }

  commit(ids: string[]): void {
    for (const id of ids) {
      this.inFlight.delete(id);
      if (this.capacity === 0) continue;
      this.seen.delete(id); // re-insert at the young end
      this.seen.add(id);
    }
    // A Set iterates in insertion order, so the first entries are the oldest.
    while (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value as string;
      this.seen.delete(oldest);
    }
  }

  release(ids: string[]): void {
    for (const id of ids) this.inFlight.delete(id);
  }

  get size(): number {
    return this.seen.size;
  }
}
