import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  connect,
  type ConnectionOptions,
  credsAuthenticator,
  Events,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { NatsConfig } from '../../config/integration-config.js';
import type { BrokerLink } from '../broker-link.js';
import { DependencyUnavailable } from '../../projections/index.js';
import { RelayMetrics } from './relay-metrics.js';

export interface JetStreamSession {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

const RETRY_MS = 1000;

/**
 * The relay's connection to NATS: made in the background (start-up never waits for the broker), then kept by the
 * client, which reconnects forever. Every (re)connection bumps `generation`: the relay checks the stream and
 * reads its tail again.
 */
@Injectable()
export class NatsLink implements BrokerLink, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('IntegrationRelay');
  private readonly config: NatsConfig;
  private connection?: NatsConnection;
  private session?: Promise<JetStreamSession>;
  private connected!: Promise<void>;
  private markConnected!: () => void;
  private closing = false;
  private retry?: NodeJS.Timeout;
  generation = 0;
  /** Connected now (between a disconnect and the reconnect: not), for /health/ready. */
  isConnected = false;
  private readonly connectedListeners = new Set<() => void>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: RelayMetrics,
  ) {
    this.config = config.integration.nats!;
    this.connected = new Promise((resolve) => (this.markConnected = resolve));
  }

  get servers(): string {
    return this.config.servers.join(', ');
  }

  onModuleInit(): void {
    void this.connect(true);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retry);
    await this.connection?.close().catch(() => undefined);
  }

  /** Called after every (re)connection. */
  onConnected(listener: () => void): void {
    this.connectedListeners.add(listener);
  }

  /** The JetStream clients, once connected; waits at most the publish timeout, then DependencyUnavailable. */
  async jetStream(): Promise<JetStreamSession> {
    if (!this.connection) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new DependencyUnavailable(`not connected to NATS at ${this.servers}`)),
          this.config.publishTimeoutMs,
        );
      });
      await Promise.race([this.connected, timeout]).finally(() => clearTimeout(timer));
    }
    const connection = this.connection!;
    this.session ??= connection
      .jetstreamManager({ timeout: this.config.publishTimeoutMs })
      .then((jsm) => ({
        jsm,
        js: connection.jetstream({ timeout: this.config.publishTimeoutMs }),
      }));
    try {
      return await this.session;
    } catch (error) {
      this.session = undefined;
      throw new DependencyUnavailable(`JetStream at ${this.servers}: ${describeNatsError(error)}`, {
        cause: error,
      });
    }
  }

  private async connect(first: boolean): Promise<void> {
    if (this.closing) return;
    try {
      const connection = await connect(this.options());
      if (this.closing) return void (await connection.close());
      this.connection = connection;
      this.logger.log(`Connected to NATS at ${connection.getServer()}`);
      this.nowConnected();
      this.markConnected();
      this.watch(connection).catch(() => undefined);
    } catch (error) {
      if (first)
        this.logger.warn(
          `NATS at ${this.servers} does not answer (${describeNatsError(error)}): trying again every second (a relay's checkpoint waits meanwhile: nothing is lost)`,
        );
      this.retry = setTimeout(() => void this.connect(false), RETRY_MS).unref();
    }
  }

  /** A connection or a reconnection: a new generation, and its listeners told. */
  private nowConnected(): void {
    this.generation += 1;
    this.isConnected = true;
    this.metrics.connection(true);
    for (const listener of this.connectedListeners) listener();
  }

  /** One line when the connection drops and one when it is back, not one per failed publish. */
  private async watch(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === Events.Disconnect) {
        this.isConnected = false;
        this.metrics.connection(false);
        if (!this.closing)
          this.logger.warn(
            `NATS connection to ${String(status.data)} lost: reconnecting (a relay's checkpoint stays meanwhile)`,
          );
      } else if (status.type === Events.Reconnect) {
        this.logger.log(`NATS reconnected to ${String(status.data)}`);
        this.nowConnected();
      } else if (status.type === Events.LDM) {
        this.logger.warn(`NATS server ${String(status.data)} is entering lame duck mode`);
      } else if (status.type === Events.Error && !this.closing) {
        this.logger.warn(`NATS: ${String(status.data)}`);
      }
    }
  }

  private options(): ConnectionOptions {
    const { servers, credentials, publishTimeoutMs } = this.config;
    const options: ConnectionOptions = {
      servers: [...servers],
      name: `chronicle ${hostname()}:${process.pid}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: Math.min(publishTimeoutMs, 5000),
      pingInterval: 10_000,
      maxPingOut: 3,
      ...(servers.some((url) => url.startsWith('tls:')) ? { tls: {} } : {}),
    };
    switch (credentials.kind) {
      case 'user':
        return { ...options, user: credentials.user, pass: credentials.pass.reveal() };
      case 'token':
        return { ...options, token: credentials.token.reveal() };
      case 'creds-file':
        // Read at every connection: a rotated file is picked up.
        return {
          ...options,
          authenticator: credsAuthenticator(() => readFileSync(credentials.path)),
        };
      case 'none':
        return options;
    }
  }
}

/** An error as one line: a NATS error's code and message, never a stack. */
export function describeNatsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, api_error } = error as { code?: string; api_error?: { description?: string } };
  const text = api_error?.description ?? error.message;
  return code && !text.includes(code) ? `${text} (${code})` : text;
}
