import type { ServerResponse } from 'node:http';
import type { Checkpoint } from '../event-store/index.js';
import { type BufferLimits, LiveBuffer, type Pending } from './live-buffer.js';
import type { LiveFilter } from './live-filter.js';
import { SSE_HEARTBEAT, sseOverflow, sseTokenExpired } from './sse.js';

/** Written to the socket at once at most; more waits for the next write. */
const WRITE_BYTES = 64 * 1024;
/** A client that does not take the last bytes of a stream that fell behind within this is cut off. */
const OVERFLOW_GRACE_MS = 30_000;
/** At shutdown: the server's close waits for no client longer than this. */
const SHUTDOWN_GRACE_MS = 1_000;

export interface LiveConnectionOptions {
  readonly filter: LiveFilter;
  /** Whether messages carry the events' metadata, as the raw events endpoint shows it to this principal. */
  readonly withMetadata: boolean;
  /** Whose subscription it is: the per-principal cap counts by it. */
  readonly principalKey: string;
  readonly limits: BufferLimits;
  /** When the caller's token expires (ms since the epoch): the stream ends then, told why. */
  readonly until?: number;
}

/**
 * One subscriber's HTTP response: messages go to the socket as fast as the client reads them, and wait in a buffer
 * meanwhile; a client whose backlog is past the limits is told `overflow` and the stream ends.
 */
export class LiveConnection {
  readonly filter: LiveFilter;
  readonly withMetadata: boolean;
  readonly principalKey: string;
  /** Events up to this checkpoint are passed over once: the client asked to start after it. */
  skipUntil?: Checkpoint;
  private readonly buffer: LiveBuffer;
  private lastEventId: string | null = null;
  private wroteSinceHeartbeat = false;
  private started = false;
  private ended = false;
  private readonly waiting = new Set<() => void>();

  constructor(
    private readonly response: ServerResponse,
    private readonly options: LiveConnectionOptions,
  ) {
    this.filter = options.filter;
    this.withMetadata = options.withMetadata;
    this.principalKey = options.principalKey;
    this.buffer = new LiveBuffer(options.limits);
    response.on('drain', () => this.flush());
    response.once('close', () => {
      this.ended = true;
      this.buffer.clear();
      this.release();
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Starts the answer: 200 and the stream's headers, sent at once so the client knows it is subscribed. */
  begin(): void {
    this.started = true;
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      // nginx and its kind would otherwise hold the messages back to fill their buffers.
      'X-Accel-Buffering': 'no',
    });
    this.response.flushHeaders();
  }

  /** Whether the messages still waiting for the client are past the limits: it fell behind. */
  get behind(): boolean {
    return this.buffer.exceeded;
  }

  /** Queues a message; `flush` hands it to the socket. */
  queue(message: Pending): void {
    if (!this.ended) this.buffer.push(message);
  }

  /** Hands queued messages to the socket while it takes them. */
  flush(): void {
    while (!this.ended && this.buffer.size > 0 && !this.response.writableNeedDrain) {
      const messages = this.buffer.take(WRITE_BYTES);
      this.response.write(messages.length === 1 ? messages[0].text : join(messages));
      this.wroteSinceHeartbeat = true;
      for (let i = messages.length - 1; i >= 0; i--) {
        const id = messages[i].id;
        if (id !== undefined) {
          this.lastEventId = id;
          break;
        }
      }
    }
    if (this.buffer.size === 0 && !this.response.writableNeedDrain) this.release();
  }

  /** Resolves once everything queued is in the socket's hands (or the stream has ended). */
  drained(): Promise<void> {
    if (this.ended || (this.buffer.size === 0 && !this.response.writableNeedDrain))
      return Promise.resolve();
    return new Promise((resolve) => this.waiting.add(resolve));
  }

  /** A comment line when nothing was written since the last tick, so proxies and clients see the stream alive. */
  heartbeat(): void {
    // Checked at each heartbeat tick: a stream outlives its token by at most LIVE_HEARTBEAT_MS.
    if (this.started && this.options.until !== undefined && Date.now() >= this.options.until) {
      this.finish(sseTokenExpired(this.lastEventId), OVERFLOW_GRACE_MS);
      return;
    }
    if (this.started && !this.wroteSinceHeartbeat && !this.ended && this.buffer.size === 0) {
      this.response.write(SSE_HEARTBEAT);
    }
    this.wroteSinceHeartbeat = false;
  }

  /** Ends the stream (shutdown): the client reconnects elsewhere or later with its last id. */
  end(): void {
    if (this.started) this.finish('', SHUTDOWN_GRACE_MS);
  }

  /** Ends the stream with `event: overflow`: the client fell behind, and resumes with its last id. */
  overflow(): void {
    const last = sseOverflow({ lastEventId: this.lastEventId, limits: this.options.limits });
    this.finish(last, OVERFLOW_GRACE_MS);
  }

  private finish(last: string, graceMs: number): void {
    if (this.ended) return;
    this.ended = true;
    this.buffer.clear();
    this.release();
    this.response.end(last);
    if (!this.response.writableFinished) {
      const cutOff = setTimeout(() => this.response.destroy(), graceMs).unref();
      this.response.once('close', () => clearTimeout(cutOff));
    }
  }

  private release(): void {
    for (const resolve of this.waiting) resolve();
    this.waiting.clear();
  }
}

function join(messages: readonly Pending[]): string {
  let text = '';
  for (const message of messages) text += message.text;
  return text;
}
