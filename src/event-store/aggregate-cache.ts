/**
 * The aggregates this process saved last, by stream: the next command on one of them decides on it without
 * reading its stream again, and appends at its version (a conflict means another process appended: it is
 * then loaded afresh). Bounded in entries (least recently saved go first) and in age, which bounds how long
 * another process's erasure of personal data can leave a decrypted copy here; erasures made through the
 * repository itself drop the entry at once.
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
