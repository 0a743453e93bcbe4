/** Serialises async work per key inside one process, so commands on one aggregate queue instead of conflicting. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * `queue` bounds each wait for a turn (a request's database budget): when it rejects, that run's work never runs
   * and the run fails with its error, while the work queued behind it still waits for the work before.
   */
  constructor(private readonly queue: (turn: Promise<void>) => Promise<void> = (turn) => turn) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    let release!: () => void;
    const ended = new Promise<void>((resolve) => (release = resolve));
    const tail = previous ? previous.then(() => ended) : ended;
    this.tails.set(key, tail);
    try {
      if (previous) await this.queue(previous);
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
