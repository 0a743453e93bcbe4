import { once } from 'node:events';
import net from 'node:net';

const BACKEND_KEY_DATA = 0x4b; // 'K': the backend's pid and cancel key, sent just before ReadyForQuery

/** A new connection stopped just before the server tells the client it is ready. */
export interface HeldConnection {
  /** The backend's process id (from BackendKeyData). */
  pid: number;
  /** Waits until the server has closed the connection, then sends the client all it held in one write. */
  releaseAfterServerClosed(): Promise<void>;
}

/**
 * A TCP proxy in front of PostgreSQL that can hold a new connection in the middle of connecting, freeze every
 * connection (as a server stopped by SIGSTOP) or drop them all (as a server killed).
 */
export interface PgProxy {
  /** `databaseUrl` through the proxy. */
  url(databaseUrl: string): string;
  /** Holds the next connection from BackendKeyData on: the client has authenticated, it is not connected yet. */
  holdNext(): Promise<HeldConnection>;
  /** Forwards nothing either way, on open and new connections alike, until restore(); no socket is closed. */
  freeze(): void;
  /**
   * Freezes as soon as clients have sent `text` (a statement's SQL or a prepared statement's name, as in its
   * Parse and Bind messages) `times` times: what carried it the last time reaches the server, its answer does
   * not. Resolves then.
   */
  freezeAfter(text: string, times?: number): Promise<void>;
  /** Closes every connection, and every new one at once, until restore(). */
  drop(): void;
  /** Forwards again, what a freeze held first. */
  restore(): void;
  close(): Promise<void>;
}

export async function pgProxy(databaseUrl: string): Promise<PgProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<net.Socket>();
  let holder: ((held: HeldConnection) => void) | undefined;
  let mode: 'open' | 'frozen' | 'dropped' = 'open';
  /** What a freeze kept from being forwarded, in order; no chunk: the end of the stream. */
  let frozen: Array<{ to: net.Socket; chunk?: Buffer }> = [];
  let trigger: { text: Buffer; times: number; fire: () => void } | undefined;
  const send = (to: net.Socket, chunk?: Buffer) => {
    if (to.destroyed) return;
    if (chunk) to.write(chunk);
    else to.end();
  };
  const forward = (from: net.Socket, to: net.Socket, watched = false) => {
    const pass = (chunk?: Buffer) =>
      mode === 'frozen' ? frozen.push({ to, chunk }) : send(to, chunk);
    from.on('data', (chunk: Buffer) => {
      pass(chunk);
      if (watched && mode === 'open' && trigger && chunk.includes(trigger.text)) {
        if (--trigger.times > 0) return;
        mode = 'frozen';
        trigger.fire();
        trigger = undefined;
      }
    });
    from.on('end', () => pass());
  };

  const server = net.createServer((client) => {
    if (mode === 'dropped') {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    forward(client, upstream, true);

    const hold = holder;
    holder = undefined;
    if (!hold) {
      forward(upstream, client);
      return;
    }
    const serverClosed = once(upstream, 'close');
    let pending = Buffer.alloc(0);
    let held: Buffer | undefined;
    upstream.on('data', (chunk: Buffer) => {
      if (held) {
        held = Buffer.concat([held, chunk]);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      let offset = 0;
      while (offset + 5 <= pending.length) {
        const end = offset + 1 + pending.readInt32BE(offset + 1);
        if (end > pending.length) break;
        if (pending[offset] === BACKEND_KEY_DATA) {
          client.write(pending.subarray(0, offset));
          held = pending.subarray(offset);
          hold({
            pid: pending.readInt32BE(offset + 5),
            releaseAfterServerClosed: async () => {
              await serverClosed;
              client.end(held!);
            },
          });
          return;
        }
        offset = end;
      }
      client.write(pending.subarray(0, offset));
      pending = pending.subarray(offset);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;

  return {
    url(url) {
      const through = new URL(url);
      through.hostname = '127.0.0.1';
      through.port = String(port);
      return through.toString();
    },
    holdNext: () => new Promise((resolve) => (holder = resolve)),
    freeze() {
      mode = 'frozen';
    },
    freezeAfter: (text, times = 1) =>
      new Promise((resolve) => (trigger = { text: Buffer.from(text), times, fire: resolve })),
    drop() {
      mode = 'dropped';
      frozen = [];
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      mode = 'open';
      trigger = undefined;
      const held = frozen;
      frozen = [];
      for (const { to, chunk } of held) send(to, chunk);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
