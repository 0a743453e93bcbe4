import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ProjectionRunner } from './projection-runner.service.js';

/**
 * Every projection's checkpoint against the head, and the age of the first event after it: index lookups only.
 * Not the status query's typed count of what is left, which scans every event after a checkpoint (the whole log
 * for one at zero) and would, every 5 s, slow down the very catch-up it charts.
 */
const SAMPLE_SQL = `
SELECT c.name, c.global_position::bigint AS position, h.head - c.global_position AS lag_events,
  coalesce((SELECT (extract(epoch FROM now() - e.recorded_at) * 1000)::bigint FROM events e
            WHERE e.global_position > c.global_position ORDER BY e.global_position LIMIT 1), 0) AS lag_ms
FROM projection_checkpoints c, (SELECT coalesce(max(global_position), 0)::bigint AS head FROM events) h
WHERE c.name = ANY($1::text[])`;

export const LAG_SAMPLE_INTERVAL_MS = 5_000;
/** 15 minutes of samples. */
const SAMPLES_KEPT = (15 * 60_000) / LAG_SAMPLE_INTERVAL_MS;

export interface LagSample {
  at: string;
  lagEvents: number;
  lagMs: number;
  position: number;
}

/** A fixed-size ring: the newest `capacity` samples, oldest first. */
export class SampleRing {
  private readonly samples: LagSample[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  push(sample: LagSample): void {
    if (this.samples.length < this.capacity) this.samples.push(sample);
    else this.samples[this.next] = sample;
    this.next = (this.next + 1) % this.capacity;
  }

  toArray(): LagSample[] {
    if (this.samples.length < this.capacity) return [...this.samples];
    return [...this.samples.slice(this.next), ...this.samples.slice(0, this.next)];
  }
}

/**
 * Every projection's lag as this instance saw it, every 5 s for the last 15 minutes, in memory: per instance,
 * gone at a restart (the console's chart, not a metric; `/metrics` has the durable series).
 */
@Injectable()
export class LagHistory implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly rings = new Map<string, SampleRing>();
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;

  constructor(
    private readonly runner: ProjectionRunner,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sampling ??= this.sample().finally(() => (this.sampling = undefined));
    }, LAG_SAMPLE_INTERVAL_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sampling;
  }

  /** One sample of each projection; a database that does not answer leaves a gap, not an error. */
  async sample(at = new Date()): Promise<void> {
    const rows: Array<{ name: string; position: string; lag_events: string; lag_ms: string }> =
      await this.db.query(SAMPLE_SQL, [this.runner.names]).catch(() => []);
    for (const row of rows) {
      let ring = this.rings.get(row.name);
      if (!ring) this.rings.set(row.name, (ring = new SampleRing(SAMPLES_KEPT)));
      ring.push({
        at: at.toISOString(),
        lagEvents: Number(row.lag_events),
        lagMs: Number(row.lag_ms),
        position: Number(row.position),
      });
    }
  }

  history(): Array<{ name: string; samples: LagSample[] }> {
    return this.runner.names.map((name) => ({
      name,
      samples: this.rings.get(name)?.toArray() ?? [],
    }));
  }
}
