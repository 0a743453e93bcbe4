import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { isDatabaseUnavailable } from '../database/database-errors.js';
import { DatabaseHealth } from '../database/database-health.js';
import { BROKER_LINK, type BrokerLink } from '../integration/index.js';
import { ProjectionRunner, type ProjectionStatus } from '../projections/index.js';

const STATUS_REUSE_MS = 1000;

/** `since`: when DatabaseHealth found the outage (unset when only this check's query went unanswered). */
export type DatabaseAnswer = { status: 'up' } | { status: 'down'; since?: Date };

/** Whether the database answers: at once while DatabaseHealth knows it is down, else `SELECT 1` within the budget. */
export async function databaseState(
  db: DataSource,
  health: DatabaseHealth,
): Promise<DatabaseAnswer> {
  if (health.state.status === 'down') return health.state;
  try {
    await db.query('SELECT 1');
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    return { status: 'down' };
  }
  health.answered();
  return { status: 'up' };
}

/** The projections this instance runs, and those of them that make it not ready: stopped, failed or lagging. */
export function projectionsReadiness(
  statuses: readonly ProjectionStatus[],
  run: true | readonly string[],
  maxLagMs: number,
): { here: ProjectionStatus[]; unready: ProjectionStatus[] } {
  const here = statuses.filter(({ name }) => run === true || run.includes(name));
  const unready = here.filter(
    ({ status, lagMs }) => status === 'failed' || status === 'stopped' || lagMs > maxLagMs,
  );
  return { here, unready };
}

/**
 * The checks of GET /health/ready, as terminus indicators: the database, the projections this instance runs (not
 * those RUN_PROJECTIONS leaves to other instances: taking every API instance out of rotation would not help them),
 * and NATS when NATS_URL is set.
 */
@Injectable()
export class Readiness {
  private recent?: { at: number; statuses: Promise<ProjectionStatus[]> };

  constructor(
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly db: DataSource,
    private readonly health: DatabaseHealth,
    private readonly projections: ProjectionRunner,
    private readonly moduleRef: ModuleRef,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async database(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('database');
    const state = await databaseState(this.db, this.health).catch(() => undefined);
    if (state?.status === 'up') return check.up();
    return check.down(state?.since ? { since: state.since.toISOString() } : {});
  }

  async projectionsCheck(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('projections');
    const { run, readyMaxLagMs } = this.config.projections;
    if (run === false)
      return check.up({ message: 'run by other instances (RUN_PROJECTIONS=false)' });
    let statuses: ProjectionStatus[];
    try {
      statuses = await this.statuses();
    } catch {
      return check.down({ message: 'unknown: the database does not answer' });
    }
    const { here, unready } = projectionsReadiness(statuses, run, readyMaxLagMs);
    const summary = Object.fromEntries(
      here.map(({ name, status, lagMs }) => [name, { status, lagMs }]),
    );
    return unready.length === 0
      ? check.up({ maxLagMs: readyMaxLagMs, projections: summary })
      : check.down({
          message: `not ready: ${unready.map(({ name, status, lagMs }) => `${name} (${status}, lag ${lagMs} ms)`).join(', ')}`,
          maxLagMs: readyMaxLagMs,
          projections: summary,
        });
  }

  /** A query per projection: probes (public, never rate-limited) share one for STATUS_REUSE_MS, a flood included. */
  private statuses(): Promise<ProjectionStatus[]> {
    if (!this.recent || Date.now() - this.recent.at >= STATUS_REUSE_MS)
      this.recent = { at: Date.now(), statuses: this.projections.status() };
    return this.recent.statuses;
  }

  /** Only when NATS_URL is set (the relay module, and its BROKER_LINK, are loaded then). */
  get broker(): (() => HealthIndicatorResult) | undefined {
    let link: BrokerLink;
    try {
      link = this.moduleRef.get<BrokerLink>(BROKER_LINK, { strict: false });
    } catch {
      return undefined;
    }
    return () => {
      const check = this.indicators.check('broker');
      return link.isConnected ? check.up() : check.down({ message: 'not connected to NATS' });
    };
  }
}
