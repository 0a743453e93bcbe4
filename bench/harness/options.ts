import type { GrowthOptions } from '../scenarios/growth.js';

export type Mode = 'quick' | 'full';

/** How much work each scenario does; `--quick` is a smoke check, the full run is the one to quote. */
export interface Sizes {
  rounds: number;
  warmups: number;
  writers: number;
  /** Appends of one event per measurement, spread over `streams` streams. */
  singleAppends: number;
  streams: number;
  /** Calls of 100 events per measurement. */
  batchCalls: number;
  batchSize: number;
  /** Successful appends to the one hot stream per measurement. */
  hotAppends: number;
  /** Commands through EventSourcedRepository.update on one hot stream per measurement. */
  hotCommands: number;
  streamLength: number;
  streamLoads: number;
  /** Events in the global log for the read and catch-up scenarios; `smallLog` is the RSS reference. */
  log: number;
  smallLog: number;
  readPage: number;
  /** Rounds of the whole-log read (each ours run can take up to readCapSeconds). */
  readAllRounds: number;
  /** A measurement of a log read or catch-up stops after this many seconds and reports the rate up to there. */
  readCapSeconds: number;
  catchUpCapSeconds: number;
  catchUpRounds: number;
  httpRounds: number;
  httpSeconds: number;
  httpWarmupSeconds: number;
  httpConnections: number;
  httpAccounts: number;
  startups: number;
}

const FULL: Sizes = {
  rounds: 5,
  warmups: 1,
  writers: 8,
  singleAppends: 20_000,
  streams: 10_000,
  batchCalls: 1_000,
  batchSize: 100,
  hotAppends: 1_000,
  hotCommands: 600,
  streamLength: 10_000,
  streamLoads: 30,
  log: 1_000_000,
  smallLog: 100_000,
  readPage: 1000,
  readAllRounds: 3,
  readCapSeconds: 40,
  catchUpCapSeconds: 180,
  catchUpRounds: 2,
  httpRounds: 5,
  httpSeconds: 10,
  // As long as a round: the app's CPU per request still fell from round to round after 3 s (bench/findings.md).
  httpWarmupSeconds: 10,
  httpConnections: 20,
  httpAccounts: 1000,
  startups: 5,
};

const QUICK: Sizes = {
  ...FULL,
  rounds: 3,
  singleAppends: 5_000,
  batchCalls: 200,
  hotAppends: 300,
  hotCommands: 200,
  streamLoads: 10,
  log: 100_000,
  smallLog: 10_000,
  readAllRounds: 3,
  readCapSeconds: 8,
  catchUpCapSeconds: 25,
  catchUpRounds: 1,
  httpRounds: 2,
  httpSeconds: 3,
  httpWarmupSeconds: 1,
  startups: 3,
};

export interface BenchOptions {
  mode: Mode;
  sizes: Sizes;
  /** Scenario ids to run; all when empty. */
  only: string[];
  /** Write bench/results/latest.* (off with --no-save, e.g. while trying one scenario). */
  save: boolean;
  /** Only re-render latest.md, latest.svg and the README table from latest.json (e.g. after editing findings.md). */
  render: boolean;
  /** `--growth`: only the growth scenario (bench/scenarios/growth.ts), outside the full run. */
  growth?: GrowthOptions;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const mode: Mode = argv.includes('--quick') ? 'quick' : 'full';
  const sizes = { ...(mode === 'quick' ? QUICK : FULL) };
  const only: string[] = [];
  let save = true;
  let render = false;
  const growth: GrowthOptions = {
    sizes: [0, 1e6, 1e7, 2e7],
    ids: 'command',
    appends: 20_000,
    rounds: 3,
    save: true,
  };
  for (const arg of argv) {
    const [flag, value] = arg.split('=', 2);
    if (flag === '--only') only.push(...value.split(','));
    else if (flag === '--rounds') sizes.rounds = growth.rounds = Number(value);
    else if (flag === '--growth-sizes') growth.sizes = value.split(',').map(Number);
    else if (flag === '--growth-ids' && (value === 'command' || value === 'generated'))
      growth.ids = value;
    else if (flag === '--growth-appends') growth.appends = Number(value);
    else if (flag === '--growth') continue;
    else if (flag === '--no-save') save = false;
    else if (flag === '--render') render = true;
    else if (flag !== '--quick')
      throw new Error(
        `Unknown option ${arg} (use --quick, --only=a,b, --rounds=N, --no-save, --render, --growth)`,
      );
  }
  growth.save = save;
  return {
    mode,
    sizes,
    only,
    save,
    render,
    growth: argv.includes('--growth') ? growth : undefined,
  };
}
