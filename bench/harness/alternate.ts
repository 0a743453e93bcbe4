import type { Measurement } from './stats.js';

export interface Side {
  /** Runs before every measurement of this side, untimed: a clean table, fresh streams. */
  prepare?(): Promise<void>;
  measure(): Promise<Measurement>;
  /** Runs after every measurement, untimed: e.g. wait until background work has drained. */
  settle?(): Promise<void>;
}

export interface Rounds {
  rounds: number;
  warmups: number;
  log: (line: string) => void;
}

export interface Alternated {
  ours: Measurement[];
  baseline: Measurement[];
  /** Measurements of the other sides (a second baseline, the peer store), by name, rounds as for ours. */
  others: Record<string, Measurement[]>;
}

/**
 * Warm-ups, then ours, the baseline and any other sides in turn (A B C A B C ...), each measurement after its own
 * preparation, so that every round pairs ours with each of the others measured right after it.
 */
export async function alternate(
  { rounds, warmups, log }: Rounds,
  ours: Side,
  baseline: Side,
  others: Record<string, Side> = {},
): Promise<Alternated> {
  const result: Alternated = {
    ours: [],
    baseline: [],
    others: Object.fromEntries(Object.keys(others).map((name) => [name, []])),
  };
  const sides: Array<[string, Side]> = [
    ['ours', ours],
    ['baseline', baseline],
    ...Object.entries(others),
  ];
  for (let round = -warmups; round < rounds; round++) {
    for (const [name, side] of sides) {
      await side.prepare?.();
      const measurement = await side.measure();
      await side.settle?.();
      log(measured(round < 0 ? 'warm-up' : `round ${round + 1}/${rounds}`, name, measurement));
      if (round < 0) continue;
      if (name === 'ours' || name === 'baseline') result[name].push(measurement);
      else result.others[name].push(measurement);
    }
  }
  return result;
}

/** A measurement's line in the log: its rate, its seconds and the counters that are not zero. */
export function measured(label: string, name: string, measurement: Measurement, width = 8): string {
  const counters = Object.entries(measurement.counters ?? {})
    .filter(([, value]) => value !== 0)
    .map(([key, value]) => ` ${key}=${format(value)}`)
    .join('');
  return `    ${label} ${name.padEnd(width)} ${format(measurement.ops / measurement.seconds)}/s (${measurement.seconds.toFixed(2)} s)${counters}`;
}

export function format(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/** Runs `writers` loops concurrently, writer w doing operations w, w + writers, ...; times each operation. */
export async function concurrently(
  writers: number,
  total: number,
  operation: (index: number, writer: number) => Promise<void>,
): Promise<{ seconds: number; latenciesMs: number[] }> {
  const latenciesMs: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let index = writer; index < total; index += writers) {
        const began = performance.now();
        await operation(index, writer);
        latenciesMs.push(performance.now() - began);
      }
    }),
  );
  return { seconds: (performance.now() - start) / 1000, latenciesMs };
}
