import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Metrics } from '../../metrics/metrics.service.js';

export type AckOutcome = 'stored' | 'duplicate' | 'failed';

/** The relay's counters, on the application's registry (GET /metrics). */
@Injectable()
export class RelayMetrics {
  private readonly published: Counter<'event'>;
  private readonly acks: Counter<'outcome'>;
  private readonly latency: Histogram;
  private readonly inFlight: Gauge;
  private readonly skipped: Counter;
  private readonly differences: Gauge;
  private readonly connected: Gauge;
  private readonly foreign: Counter;

  constructor({ registry }: Metrics) {
    const registers = [registry];
    this.published = new Counter({
      name: 'chronicle_relay_published_total',
      help: 'Messages the relay sent to JetStream, by integration event (retries included)',
      labelNames: ['event'] as const,
      registers,
    });
    this.acks = new Counter({
      name: 'chronicle_relay_acks_total',
      help: 'JetStream answers to the relay: stored, duplicate (dropped by the duplicate window) or failed',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.latency = new Histogram({
      name: 'chronicle_relay_publish_seconds',
      help: 'Time from sending a message to its acknowledgement (or failure)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'chronicle_relay_in_flight',
      help: 'Messages sent and not yet acknowledged',
      registers,
    });
    this.skipped = new Counter({
      name: 'chronicle_relay_skipped_total',
      help: 'Events not sent because the stream already held them (at or before its last Chronicle-Position)',
      registers,
    });
    this.differences = new Gauge({
      name: 'chronicle_relay_stream_config_differences',
      help: 'Settings in which the JetStream stream differs from what the relay expects (logged at start)',
      registers,
    });
    this.foreign = new Counter({
      name: 'chronicle_relay_foreign_messages_total',
      help: 'Messages the relay did not send found stored in the stream between its own (another writer on its subjects)',
      registers,
    });
    this.connected = new Gauge({
      name: 'chronicle_relay_connected',
      help: '1 while the relay is connected to NATS',
      registers,
    });
  }

  sent(event: string): void {
    this.published.inc({ event });
    this.inFlight.inc();
  }

  answered(outcome: AckOutcome, ms: number): void {
    this.inFlight.dec();
    this.acks.inc({ outcome });
    this.latency.observe(ms / 1000);
  }

  skippedAlreadyStored(count: number): void {
    if (count > 0) this.skipped.inc(count);
  }

  streamDiffers(count: number): void {
    this.differences.set(count);
  }

  foreignMessage(): void {
    this.foreign.inc();
  }

  connection(up: boolean): void {
    this.connected.set(up ? 1 : 0);
  }
}
