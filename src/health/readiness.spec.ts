import type { ProjectionState, ProjectionStatus } from '../projections/index.js';
import { projectionsReadiness } from './readiness.js';

const projection = (name: string, status: ProjectionState, lagMs = 0): ProjectionStatus => ({
  name,
  status,
  checkpoint: { transactionId: '1', position: 1 },
  headPosition: 1,
  lagEvents: lagMs > 0 ? 1 : 0,
  lagMs,
  processed: 0,
  lastError: null,
  owner: null,
  rebuild: null,
  horizonHeldBy: null,
});

const unreadyNames = (...args: Parameters<typeof projectionsReadiness>) =>
  projectionsReadiness(...args).unready.map(({ name }) => name);

describe('which projections make /health/ready answer 503', () => {
  it('none while every projection is live, catching up or rebuilding within the lag', () => {
    const statuses = [
      projection('accounts', 'live'),
      projection('orders', 'catching-up', 1_000),
      projection('carts', 'rebuilding', 30_000),
    ];
    expect(unreadyNames(statuses, true, 30_000)).toEqual([]);
  });

  it('a stopped or failed projection, and one lagging more than the threshold', () => {
    const statuses = [
      projection('accounts', 'stopped'),
      projection('orders', 'failed'),
      projection('carts', 'live', 30_001),
      projection('shipments', 'live'),
    ];
    expect(unreadyNames(statuses, true, 30_000)).toEqual(['accounts', 'orders', 'carts']);
  });

  it('only the projections RUN_PROJECTIONS gives this instance: the others run (or not) elsewhere', () => {
    const statuses = [projection('accounts', 'live'), projection('orders', 'stopped')];
    expect(unreadyNames(statuses, ['accounts'], 30_000)).toEqual([]);
    expect(unreadyNames(statuses, ['orders'], 30_000)).toEqual(['orders']);
  });
});
