/** One timed run of one side of a scenario. */
export interface Measurement {
  /** Units of work done (events, loads, requests), the numerator of the throughput. */
  readonly ops: number;
  readonly seconds: number;
  /** Per-operation latencies, when the scenario has a natural operation. */
  readonly latenciesMs?: number[];
  /** Percentiles from a tool's own histogram (autocannon), when there are no raw samples. */
  readonly percentilesMs?: { p50: number; p99: number; max: number };
  /** Scenario-specific counts (conflicts, errors, RSS, ...), summed or kept per round. */
  readonly counters?: Record<string, number>;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface SideSummary {
  /** ops/s per measured round, in round order. */
  readonly perRound: number[];
  readonly throughput: Spread;
  /** From raw samples pooled over the rounds, else the median of the rounds' own percentiles (samples: 0). */
  readonly latencyMs?: { p50: number; p99: number; max: number; samples: number };
  readonly counters: Record<string, number[]>;
}

export function spread(values: readonly number[]): Spread {
  return {
    median: median(values),
    min: values.reduce((a, b) => Math.min(a, b)),
    max: maxOf(values),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function maxOf(values: readonly number[]): number {
  return values.reduce((a, b) => Math.max(a, b), -Infinity);
}

/** Nearest-rank percentile of unsorted samples. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summarise(measurements: readonly Measurement[]): SideSummary {
  const perRound = measurements.map((m) => m.ops / m.seconds);
  const latencies = measurements.flatMap((m) => m.latenciesMs ?? []);
  const counters: Record<string, number[]> = {};
  for (const m of measurements) {
    for (const [key, value] of Object.entries(m.counters ?? {})) (counters[key] ??= []).push(value);
  }
  return {
    perRound,
    throughput: spread(perRound),
    latencyMs: latencies.length
      ? {
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          max: maxOf(latencies),
          samples: latencies.length,
        }
      : fromPercentiles(measurements.flatMap((m) => (m.percentilesMs ? [m.percentilesMs] : []))),
    counters,
  };
}

function fromPercentiles(
  rounds: Array<{ p50: number; p99: number; max: number }>,
): SideSummary['latencyMs'] {
  if (rounds.length === 0) return undefined;
  return {
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    max: maxOf(rounds.map((r) => r.max)),
    samples: 0,
  };
}

/** Ours/baseline of throughput per round (each round pairs adjacent runs), summarised by its median. */
export function pairedRatio(
  ours: readonly number[],
  baseline: readonly number[],
): Spread & { perRound: number[] } {
  const perRound = ours.map((value, i) => value / baseline[i]);
  return { ...spread(perRound), perRound };
}

export async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await work();
  return [value, performance.now() - start];
}
