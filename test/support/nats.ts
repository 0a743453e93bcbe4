import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type JetStreamManager, type NatsConnection, type StoredMsg } from 'nats';
import { type IntegrationConfig, integrationConfig } from '../../src/config/integration-config.js';
import { NATS_URL } from './ledger-consumer.js';

export { NATS_URL, natsOrSkip } from './ledger-consumer.js';

function answers(url: string, timeoutMs: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port), hostname, () => done(true));
  });
}

/** A stream name and subject prefix of its own, so suites never see each other's messages. */
export function relayConfig(url = NATS_URL, env: Record<string, string> = {}): IntegrationConfig {
  const id = randomBytes(4).toString('hex');
  return integrationConfig({
    NATS_URL: url,
    NATS_STREAM: `TEST_RELAY_${id}`,
    NATS_SUBJECT_PREFIX: `test_${id}`,
    NATS_PUBLISH_TIMEOUT_MS: '1000',
    ...env,
  });
}

export interface Broker {
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** Every message of the stream, in stream order. */
  messages(stream: string): Promise<StoredMsg[]>;
  close(): Promise<void>;
}

/** The stream's contents through `nc` (the suite's connection, or one to its own server). */
export async function brokerOn(nc: NatsConnection): Promise<Broker> {
  const jsm = await nc.jetstreamManager();
  return {
    nc,
    jsm,
    async messages(stream) {
      const { state } = await jsm.streams.info(stream);
      const messages: StoredMsg[] = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++)
        messages.push(await jsm.streams.getMessage(stream, { seq }));
      return messages;
    },
    async close() {
      await nc.close();
    },
  };
}

/** A connection that outlives restarts of the server it talks to. */
export function connectTo(url: string): Promise<NatsConnection> {
  return connect({ servers: new URL(url).host, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
}

/** Deletes the stream if it exists. */
export async function deleteStream(jsm: JetStreamManager, stream: string): Promise<void> {
  await jsm.streams.delete(stream).catch(() => undefined);
}

function natsServerBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    try {
      accessSync(join(dir, 'nats-server'), constants.X_OK);
      return join(dir, 'nats-server');
    } catch {
      // not there
    }
  }
  throw new Error('nats-server is not on PATH (nor in /usr/sbin): install it to run this suite');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A nats-server -js of the test's own, on a port and a store directory of its own, that it can kill and restart. */
export class OwnNatsServer {
  private child?: ChildProcess;
  private output = '';
  readonly storeDir = mkdtempSync(join(tmpdir(), 'chronicle-nats-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnNatsServer> {
    const server = new OwnNatsServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    const child = spawn(
      natsServerBinary(),
      ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (chunk) => (this.output += chunk));
    child.stderr!.on('data', (chunk) => (this.output += chunk));
    this.child = child;
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`nats-server exited:\n${this.output}`);
      if (await answers(this.url, 200)) return;
      await sleep(25);
    }
    throw new Error(`nats-server did not listen on ${this.port}:\n${this.output}`);
  }

  /** SIGKILL: no flush, no goodbye to its clients. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
