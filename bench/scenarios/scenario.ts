import type { Alternated } from '../harness/alternate.js';
import type { BenchDatabase } from '../harness/database.js';
import type { Mode, Sizes } from '../harness/options.js';
import {
  type Measurement,
  pairedRatio,
  summarise,
  type SideSummary,
  type Spread,
} from '../harness/stats.js';

export type Target =
  | { kind: 'ratio'; atLeast?: number; atMost?: number; text: string }
  | { kind: 'report'; text: string }
  | { kind: 'pending'; text: string; reason: string };

export type Status = 'met' | 'missed' | 'reported' | 'pending' | 'failed';

export interface ScenarioResult {
  id: string;
  title: string;
  /** What one op is: `events/s`, `req/s`, ... */
  unit: string;
  target: Target;
  /** How the ratio is formed, e.g. "throughput ours / baseline". */
  ratioOf?: string;
  ours?: SideSummary;
  baseline?: SideSummary;
  ratio?: Spread & { perRound: number[] };
  status: Status;
  /** The same work through another event store (Emmett), measured in the same rounds: ours / peer of throughput. */
  peer?: PeerComparison;
  /** Figures a scenario reports besides throughput: lag percentiles, RSS, start-up ms. */
  figures: Record<string, number | string>;
  notes: string[];
}

export interface PeerComparison {
  /** The store and its version, e.g. "Emmett 0.42.0". */
  name: string;
  target: Target;
  summary: SideSummary;
  ratio: Spread & { perRound: number[] };
  status: Status;
  notes: string[];
}

export interface ScenarioContext {
  readonly db: BenchDatabase;
  readonly mode: Mode;
  readonly sizes: Sizes;
  log(line: string): void;
}

export interface Scenario {
  readonly id: string;
  run(context: ScenarioContext): Promise<ScenarioResult[]>;
}

export function judge(target: Target, value: number | undefined): Status {
  if (target.kind !== 'ratio') return target.kind === 'pending' ? 'pending' : 'reported';
  if (value === undefined || Number.isNaN(value)) return 'missed';
  const low = target.atLeast === undefined || value >= target.atLeast;
  const high = target.atMost === undefined || value <= target.atMost;
  return low && high ? 'met' : 'missed';
}

export const atLeast = (value: number): Target => ({
  kind: 'ratio',
  atLeast: value,
  text: `>= ${value}`,
});

/** A scenario's figures from its alternated measurements: ours/baseline of throughput, median of per-round ratios. */
export function compared(
  base: {
    id: string;
    title: string;
    unit: string;
    target: Target;
    notes?: string[];
    figures?: ScenarioResult['figures'];
  },
  runs: Pick<Alternated, 'ours' | 'baseline'>,
): ScenarioResult {
  const ours = summarise(runs.ours);
  const baseline = summarise(runs.baseline);
  const ratio = pairedRatio(ours.perRound, baseline.perRound);
  return {
    ...base,
    ratioOf: `throughput (${base.unit}) ours / baseline`,
    ours,
    baseline,
    ratio,
    status: judge(base.target, ratio.median),
    figures: base.figures ?? {},
    notes: base.notes ?? [],
  };
}

/** The targets against the peer store: ahead on every row (the hot stream asks for more). */
export const aheadOfPeer = (value = 1): Target => ({
  kind: 'ratio',
  atLeast: value,
  text: `>= ${value}`,
});

/** Adds the peer's side to a result: ours / peer of throughput per round (ours of the same rounds), by its median. */
export function withPeer(
  result: ScenarioResult,
  ours: Measurement[],
  peer: { name: string; runs: Measurement[]; target?: Target; notes?: string[] },
): ScenarioResult {
  const summary = summarise(peer.runs);
  const ratio = pairedRatio(summarise(ours).perRound, summary.perRound);
  const target = peer.target ?? aheadOfPeer();
  return {
    ...result,
    peer: {
      name: peer.name,
      target,
      summary,
      ratio,
      status: judge(target, ratio.median),
      notes: peer.notes ?? [],
    },
  };
}
