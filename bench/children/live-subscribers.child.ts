import { get, type IncomingMessage } from 'node:http';

export interface SubscribersInput {
  baseUrl: string;
  /** One subscription to each account's live stream. */
  ids: string[];
  /** A token per subscription: each subscriber is its own principal. */
  tokens: string[];
  /** Every stream starts after this position: the subscribers must see every deposit after it. */
  after: number;
}

/** Parent → child: open the streams (the tokens are too many for argv), how many events so far, or close and exit. */
export type SubscribersCommand =
  { kind: 'open'; input: SubscribersInput } | { kind: 'count' } | { kind: 'stop' };

/** Child → parent. */
export type SubscribersMessage =
  | { kind: 'ready'; open: number }
  | {
      kind: 'count';
      events: number;
      repeated: number;
      ended: number;
      latenciesMs: number[];
      cpuMicros: number;
    }
  | { kind: 'failed'; error: string };

/**
 * The live subscribers in a process of their own, so that reading 1,000 streams does not share the server's event
 * loop: each holds GET /accounts/{id}/live open and reads every message, as a browser would.
 */
let input: SubscribersInput;
const responses: IncomingMessage[] = [];
let events = 0;
/**
 * Messages of a stream version a subscription already had, or came after: a repeat or a reordering, never allowed.
 * (Versions, not positions: a transaction that commits late can hold a smaller position than one delivered before.)
 */
let repeated = 0;
let ended = 0;
let latencies: number[] = [];
/** This process's CPU time since its streams opened, in µs. */
let opened = process.cpuUsage();
const cpu = () => {
  const { user, system } = process.cpuUsage(opened);
  return user + system;
};

function subscribe(id: string, token: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get(
      `${input.baseUrl}/accounts/${id}/live?after=${input.after}`,
      { headers: { authorization: `Bearer ${token}` }, agent: false },
      (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`GET /accounts/${id}/live answered ${response.statusCode}`));
          response.resume();
          return;
        }
        let pending = '';
        let last = 0;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          pending += chunk;
          let end: number;
          while ((end = pending.indexOf('\n\n')) >= 0) {
            const block = pending.slice(0, end);
            pending = pending.slice(end + 2);
            if (!block.startsWith('id: ')) continue;
            events += 1;
            const version = Number(/"version":(\d+)/.exec(block)?.[1]);
            if (!(version > last)) repeated += 1;
            else last = version;
            const at = /"recordedAt":"([^"]+)"/.exec(block)?.[1];
            if (at) latencies.push(Date.now() - Date.parse(at));
          }
        });
        response.on('close', () => (ended += 1));
        resolve(response);
      },
    ).on('error', reject);
  });
}

async function main(): Promise<void> {
  for (let i = 0; i < input.ids.length; i += 100) {
    const batch = input.ids.slice(i, i + 100);
    responses.push(
      ...(await Promise.all(batch.map((id, j) => subscribe(id, input.tokens[i + j])))),
    );
  }
  opened = process.cpuUsage();
  process.send!({ kind: 'ready', open: responses.length } satisfies SubscribersMessage);
}

process.on('message', (command: SubscribersCommand) => {
  if (command.kind === 'open') {
    input = command.input;
    main().catch((error: unknown) => {
      process.send!(
        {
          kind: 'failed',
          error: error instanceof Error ? error.message : String(error),
        } satisfies SubscribersMessage,
        () => process.exit(1),
      );
    });
  } else if (command.kind === 'count') {
    process.send!({
      kind: 'count',
      events,
      repeated,
      ended,
      latenciesMs: latencies,
      cpuMicros: cpu(),
    } satisfies SubscribersMessage);
    latencies = [];
  } else {
    for (const response of responses) response.destroy();
    process.disconnect();
    setTimeout(() => process.exit(0), 100).unref();
  }
});
