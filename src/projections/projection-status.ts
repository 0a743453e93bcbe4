import type { Checkpoint } from '../event-store/event-store.types.js';

export type ProjectionState = 'catching-up' | 'live' | 'rebuilding' | 'failed' | 'stopped';

/** What `GET /admin/projections` and the metrics report for one projection. */
export interface ProjectionStatus {
  name: string;
  /** `stopped`: no running instance holds this projection's lease. */
  status: ProjectionState;
  checkpoint: Checkpoint;
  headPosition: number;
  /** Events committed to the log and not yet applied. */
  lagEvents: number;
  /** Age of the oldest event not yet applied; 0 when none. */
  lagMs: number;
  /** Events applied by this process since it started. */
  processed: number;
  lastError: string | null;
  owner: { instance: string; pid: number } | null;
  rebuild: { checkpoint: Checkpoint; startedAt: string } | null;
  /** Set when a long-running transaction holds the commit horizon back and committed events wait behind it. */
  horizonHeldBy: { pid: number; since: string; state: string | null } | null;
}
