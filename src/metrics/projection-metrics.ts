import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import {
  type ProjectionState,
  type ProjectionStatus,
  ProjectionRunner,
} from '../projections/index.js';
import { Metrics } from './metrics.service.js';

type Reported = Partial<
  Pick<ProjectionStatus, 'name' | 'status' | 'lagEvents' | 'lagMs' | 'processed'>
>;

/** The runner's `status()`, synchronous or not; only ProjectionStatus fields are read. */
export interface StatusSource {
  status(): readonly Reported[] | Promise<readonly Reported[]>;
}

export interface ProjectionSample {
  name: string;
  status: string;
  /** Undefined when the runner does not report it: no sample beats a made-up zero. */
  lagEvents?: number;
  lagSeconds?: number;
  processed?: number;
}

/** Every state gets a series (1 for the current one, 0 otherwise), so a state change never leaves a gap. */
const STATES: Record<ProjectionState, true> = {
  'catching-up': true,
  live: true,
  rebuilding: true,
  failed: true,
  stopped: true,
};

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export async function readProjectionStatus(source: StatusSource): Promise<ProjectionSample[]> {
  const reported = await source.status();
  return reported
    .filter((p): p is Reported & { name: string } => typeof p?.name === 'string')
    .map((p) => {
      const lagMs = count(p.lagMs);
      return {
        name: p.name,
        status: typeof p.status === 'string' ? p.status : 'unknown',
        lagEvents: count(p.lagEvents),
        lagSeconds: lagMs === undefined ? undefined : lagMs / 1000,
        processed: count(p.processed),
      };
    });
}

/** Projection gauges, read from the runner at scrape time; a failing runner drops them from that scrape only. */
@Injectable()
export class ProjectionMetrics {
  private readonly logger = new Logger(ProjectionMetrics.name);
  private pending?: Promise<ProjectionSample[] | undefined>;

  constructor(
    private readonly runner: ProjectionRunner,
    { registry }: Metrics,
  ) {
    const lagEvents: Gauge<'projection'> = new Gauge({
      name: 'chronicle_projection_lag_events',
      help: 'Events committed to the log and not yet applied by the projection',
      labelNames: ['projection'] as const,
      registers: [registry],
      collect: () => this.collect(lagEvents, (p) => p.lagEvents),
    });
    const lagSeconds: Gauge<'projection'> = new Gauge({
      name: 'chronicle_projection_lag_seconds',
      help: 'Age of the oldest event the projection has not applied yet; 0 when caught up',
      labelNames: ['projection'] as const,
      registers: [registry],
      collect: () => this.collect(lagSeconds, (p) => p.lagSeconds),
    });
    const processed: Counter<'projection'> = new Counter({
      name: 'chronicle_projection_processed_total',
      help: 'Events the projection applied in this process since it started',
      labelNames: ['projection'] as const,
      registers: [registry],
      collect: () => this.collect(processed, (p) => p.processed),
    });
    const status: Gauge<'projection' | 'status'> = new Gauge({
      name: 'chronicle_projection_status',
      help: 'The state the projection is in: 1 for its current status, 0 for the others',
      labelNames: ['projection', 'status'] as const,
      registers: [registry],
      collect: async () => {
        status.reset();
        for (const p of (await this.samples()) ?? []) {
          for (const state of new Set([...Object.keys(STATES), p.status])) {
            status.set({ projection: p.name, status: state }, state === p.status ? 1 : 0);
          }
        }
      },
    });
  }

  /** The runner's state is the source of truth: the counter mirrors it, hence reset and set, not increments. */
  private async collect(
    metric: Gauge<'projection'> | Counter<'projection'>,
    value: (p: ProjectionSample) => number | undefined,
  ): Promise<void> {
    const samples = await this.samples();
    metric.reset();
    for (const p of samples ?? []) {
      const v = value(p);
      if (v === undefined) continue;
      if (metric instanceof Counter) metric.inc({ projection: p.name }, v);
      else metric.set({ projection: p.name }, v);
    }
  }

  /** One status() call per scrape: the registry collects every metric at once, so they share this promise. */
  private samples(): Promise<ProjectionSample[] | undefined> {
    this.pending ??= readProjectionStatus(this.runner)
      .catch((error: unknown) => {
        this.logger.warn(
          `Projection status unavailable, projection metrics skipped: ${error instanceof Error ? error.message : String(error)}`,
        );
        return undefined;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}
