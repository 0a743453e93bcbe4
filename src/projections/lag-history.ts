import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ProjectionRunner } from './projection-runner.service.js';

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

  constructor(private readonly runner: ProjectionRunner) {}

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
    const statuses = await this.runner.status().catch(() => []);
    for (const { name, lagEvents, lagMs, checkpoint } of statuses) {
      let ring = this.rings.get(name);
      if (!ring) this.rings.set(name, (ring = new SampleRing(SAMPLES_KEPT)));
      ring.push({ at: at.toISOString(), lagEvents, lagMs, position: checkpoint.position });
    }
  }

  history(): Array<{ name: string; samples: LagSample[] }> {
    return this.runner.names.map((name) => ({
      name,
      samples: this.rings.get(name)?.toArray() ?? [],
    }));
  }
}
