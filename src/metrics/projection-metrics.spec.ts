import { ConsoleLogger, Logger } from '@nestjs/common';
import type { ProjectionRunner } from '../projections/index.js';
import { Metrics } from './metrics.service.js';
import {
  ProjectionMetrics,
  readProjectionStatus,
  type StatusSource,
} from './projection-metrics.js';

describe('readProjectionStatus', () => {
  it('reads the ProjectionStatus fields of an async status()', async () => {
    const source: StatusSource = {
      status: async () => [
        { name: 'accounts', status: 'live', lagEvents: 3, lagMs: 1500, processed: 42 },
      ],
    };
    await expect(readProjectionStatus(source)).resolves.toEqual([
      { name: 'accounts', status: 'live', lagEvents: 3, lagSeconds: 1.5, processed: 42 },
    ]);
  });

  it('accepts a synchronous status() of an older shape, leaving unknown fields undefined', async () => {
    const older = [{ name: 'accounts', state: 'live', lastError: undefined }];
    await expect(readProjectionStatus({ status: () => older })).resolves.toEqual([
      {
        name: 'accounts',
        status: 'unknown',
        lagEvents: undefined,
        lagSeconds: undefined,
        processed: undefined,
      },
    ]);
  });
});

describe('ProjectionMetrics', () => {
  let metrics: Metrics;
  let reports: Array<() => Promise<unknown[]>>;
  let calls: number;
  const warnings: string[] = [];

  beforeAll(() =>
    Logger.overrideLogger({
      log: () => undefined,
      error: () => undefined,
      warn: (message: unknown) => warnings.push(String(message)),
    }),
  );
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  beforeEach(() => {
    metrics = new Metrics();
    reports = [];
    calls = 0;
    const runner = { status: () => reports[Math.min(calls++, reports.length - 1)]() };
    new ProjectionMetrics(runner as unknown as ProjectionRunner, metrics);
  });
  afterEach(() => metrics.onModuleDestroy());

  const values = async (name: string) =>
    (await metrics.registry.getSingleMetric(name)!.get()).values.map(({ labels, value }) => ({
      labels,
      value,
    }));

  it('collects every gauge from one status() call per scrape', async () => {
    reports.push(async () => [
      { name: 'accounts', status: 'catching-up', lagEvents: 7, lagMs: 250, processed: 10 },
    ]);
    const text = await metrics.registry.metrics();
    expect(calls).toBe(1);
    expect(text).toContain('# TYPE chronicle_projection_processed_total counter');
    expect(await values('chronicle_projection_lag_events')).toEqual([
      { labels: { projection: 'accounts' }, value: 7 },
    ]);
    expect(await values('chronicle_projection_lag_seconds')).toEqual([
      { labels: { projection: 'accounts' }, value: 0.25 },
    ]);
    expect(await values('chronicle_projection_processed_total')).toEqual([
      { labels: { projection: 'accounts' }, value: 10 },
    ]);
    const states = await values('chronicle_projection_status');
    expect(states).toHaveLength(5);
    expect(states.filter((s) => s.value === 1)).toEqual([
      { labels: { projection: 'accounts', status: 'catching-up' }, value: 1 },
    ]);
  });

  it('mirrors the runner: a projection that disappears loses its series', async () => {
    reports.push(async () => [{ name: 'a', status: 'live', processed: 5 }]);
    reports.push(async () => [{ name: 'b', status: 'live', processed: 2 }]);
    expect(await values('chronicle_projection_processed_total')).toEqual([
      { labels: { projection: 'a' }, value: 5 },
    ]);
    expect(await values('chronicle_projection_processed_total')).toEqual([
      { labels: { projection: 'b' }, value: 2 },
    ]);
  });

  it('skips the projection metrics, and only them, when status() fails', async () => {
    reports.push(() => {
      throw new Error('engine down');
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('chronicle_command_duration_seconds');
    expect(text).not.toMatch(/^chronicle_projection_\w+\{/m);
    expect(warnings).toEqual([expect.stringContaining('engine down')]);
  });
});
