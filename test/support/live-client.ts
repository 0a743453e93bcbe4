import { get, type IncomingMessage } from 'node:http';
import { bearer } from './auth.js';
import { contractOf } from './http.js';

/** One Server-Sent Events message, or a comment line (`: heartbeat`). */
export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

export interface LiveOptions {
  token: string;
  lastEventId?: string;
}

/**
 * A live stream read as a browser's EventSource would, over a real socket (supertest buffers whole answers, and a
 * stream never ends). Its answer is held to the OpenAPI document like every other: status and content type, and
 * the body of an error.
 */
export class LiveClient {
  readonly messages: SseMessage[] = [];
  ended = false;
  /** The whole body of an answer that is not a stream (an error). */
  body = '';
  private pending = '';
  private readonly listeners = new Set<() => void>();

  private constructor(
    private readonly response: IncomingMessage,
    readonly path: string,
  ) {}

  static async open(baseUrl: string, path: string, options: LiveOptions): Promise<LiveClient> {
    const headers: Record<string, string> = { Authorization: bearer(options.token) };
    if (options.lastEventId !== undefined) headers['Last-Event-ID'] = options.lastEventId;
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${baseUrl}${path}`, { headers, agent: false }, resolve).on('error', reject),
    );
    const client = new LiveClient(response, path);
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => client.received(chunk));
    response.on('close', () => {
      client.ended = true;
      client.changed();
    });
    if (!client.isStream) await client.until(() => client.ended, 10_000);
    const contract = await contractOf(baseUrl);
    const violations = contract.violations('get', path, {
      status: client.status,
      headers: response.headers,
      text: client.body,
    });
    if (violations.length > 0) {
      client.close();
      throw new Error(
        `GET ${path} → ${client.status} breaks the OpenAPI document:\n  ${violations.join('\n  ')}\n  body: ${client.body.slice(0, 500)}`,
      );
    }
    return client;
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  get headers(): IncomingMessage['headers'] {
    return this.response.headers;
  }

  get isStream(): boolean {
    return String(this.response.headers['content-type'] ?? '').startsWith('text/event-stream');
  }

  /** The parsed body of an error answer. */
  get problem(): Record<string, unknown> {
    return JSON.parse(this.body) as Record<string, unknown>;
  }

  /** The event messages (not comments, not overflow). */
  get events(): SseMessage[] {
    return this.messages.filter((m) => m.comment === undefined && m.event !== 'overflow');
  }

  get ids(): number[] {
    return this.events.map((m) => Number(m.id));
  }

  get lastId(): string | undefined {
    return this.events.at(-1)?.id;
  }

  /** Resolves once `condition` holds, checked on every chunk received; fails after `timeoutMs`. */
  until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(
          new Error(
            `GET ${this.path}: condition not met within ${timeoutMs} ms (${this.events.length} events, ended: ${this.ended})`,
          ),
        );
      }, timeoutMs);
      this.listeners.add(check);
    });
  }

  /** Stops reading: the server's buffers fill up as for a slow client. */
  pause(): void {
    this.response.pause();
  }

  resume(): void {
    this.response.resume();
  }

  close(): void {
    this.response.destroy();
  }

  private received(chunk: string): void {
    if (!this.isStream) {
      this.body += chunk;
      return;
    }
    this.pending += chunk;
    let end: number;
    while ((end = this.pending.indexOf('\n\n')) >= 0) {
      const block = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + 2);
      this.messages.push(parseBlock(block));
    }
    this.changed();
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

function parseBlock(block: string): SseMessage {
  const message: SseMessage = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      message.comment = line.slice(1).trim();
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id' || field === 'event') message[field] = value;
    else if (field === 'data')
      message.data = message.data === undefined ? value : `${message.data}\n${value}`;
  }
  return message;
}
