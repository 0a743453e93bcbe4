/** One message waiting for its client: its text and, for an event, its id. */
export interface Pending {
  readonly text: string;
  readonly bytes: number;
  readonly id?: string;
}

export interface BufferLimits {
  readonly events: number;
  readonly bytes: number;
}

/**
 * What a connection holds for a client that reads more slowly than events commit. A page of the log is queued whole
 * (the socket takes nothing while it is handed out); a backlog past either limit when the next page comes means the
 * client fell behind. So a connection holds at most its limits plus one page.
 */
export class LiveBuffer {
  private queue: Pending[] = [];
  private head = 0;
  private held = 0;

  constructor(private readonly limits: BufferLimits) {}

  get size(): number {
    return this.queue.length - this.head;
  }

  get bytes(): number {
    return this.held;
  }

  /** Whether the messages still waiting are past a limit: the client has not kept up. */
  get exceeded(): boolean {
    return this.size > this.limits.events || this.held > this.limits.bytes;
  }

  push(message: Pending): void {
    this.queue.push(message);
    this.held += message.bytes;
  }

  /** The oldest messages, up to about `maxBytes` (at least one), taken out of the buffer. */
  take(maxBytes: number): Pending[] {
    const taken: Pending[] = [];
    let bytes = 0;
    while (this.head < this.queue.length && (taken.length === 0 || bytes < maxBytes)) {
      const message = this.queue[this.head++];
      taken.push(message);
      bytes += message.bytes;
    }
    this.held -= bytes;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return taken;
  }

  clear(): void {
    this.queue = [];
    this.head = 0;
    this.held = 0;
  }
}
