/** Serialises async work per key inside one process, so commands on one aggregate queue instead of conflicting. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    let release!: () => void;
    const ended = new Promise<void>((resolve) => (release = resolve));
    const tail = previous ? previous.then(() => ended) : ended;
    this.tails.set(key, tail);
    try {
      if (previous) await previous;
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
