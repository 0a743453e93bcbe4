/**
 * The aggregates this process saved last, so its next command skips the read (a conflict: reload). Its age bound
 * caps how long another process's erasure leaves a decrypted copy here. See docs/architecture.md#command-handling.
 */
export class AggregateCache<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();

  constructor(
    private readonly size: number,
    private readonly ttlMs: number,
  ) {}

  /** Removes and returns the entry, if it is still fresh: the caller owns it until it puts it back. */
  take(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    return entry.expires > Date.now() ? entry.value : undefined;
  }

  put(key: string, value: T): void {
    if (this.size <= 0 || this.ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
