import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from '../harness/alternate.js';
import type { Environment } from '../harness/environment.js';
import { RESULTS_DIR } from '../harness/report.js';
import type { GrowthOptions } from './growth.js';

export interface GrowthRow {
  size: number;
  oursPerSecond: number;
  rawPerSecond: number;
  ratio: number;
  oursWalPerEvent: number;
  rawWalPerEvent: number;
  walRatio: number;
  oursFpiPerEvent: number;
  rawFpiPerEvent: number;
  /** Transactions committed in other databases of the server during the windows: their WAL is counted too. */
  foreignCommits: number;
}

export function growthTable(rows: readonly GrowthRow[]): string {
  return [
    '| events in the log | ours ev/s | raw ev/s | ours / raw | WAL bytes/event ours | raw | WAL ours / raw | full-page images/event ours | raw |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${count(r.size)} | ${format(r.oursPerSecond)} | ${format(r.rawPerSecond)} | ${r.ratio.toFixed(2)} | ` +
        `${format(r.oursWalPerEvent)} | ${format(r.rawWalPerEvent)} | ${r.walRatio.toFixed(2)} | ` +
        `${r.oursFpiPerEvent.toFixed(2)} | ${r.rawFpiPerEvent.toFixed(2)} |`,
    ),
  ].join('\n');
}

/** The issue's targets: the largest log's throughput ratio within 10 % of the empty log's; WAL <= 1.5x raw. */
export function verdict(rows: readonly GrowthRow[]): string {
  const first = rows[0];
  const last = rows[rows.length - 1];
  const kept = last.ratio / first.ratio;
  const worstWal = rows.reduce((w, r) => (r.walRatio > w.walRatio ? r : w));
  const foreign = rows.reduce((n, r) => n + r.foreignCommits, 0);
  return [
    first.size === 0 && rows.length > 1
      ? `Throughput ratio at ${count(last.size)} / at 0: ${kept.toFixed(2)} (target >= 0.90): ${kept >= 0.9 ? 'met' : '**MISSED**'}.`
      : 'Throughput: no target without the empty table and a larger log in the same run (--growth-sizes=0,...).',
    `WAL per event, ours / raw, worst at ${count(worstWal.size)}: ${worstWal.walRatio.toFixed(2)} (target <= 1.5): ${worstWal.walRatio <= 1.5 ? 'met' : '**MISSED**'}.`,
    foreign > 0
      ? `Other databases committed ${foreign} transactions during the windows (autovacuum's count too): WAL is the server's, so any WAL they wrote is counted.`
      : 'No other database committed during the windows.',
  ].join('\n');
}

export function saveGrowth(
  environment: Environment,
  options: GrowthOptions,
  workload: string,
  rows: GrowthRow[],
  table: string,
): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const generatedAt = new Date().toISOString();
  writeFileSync(
    join(RESULTS_DIR, 'growth.json'),
    `${JSON.stringify({ generatedAt, environment, options, workload, rows }, null, 2)}\n`,
  );
  const env = environment;
  writeFileSync(
    join(RESULTS_DIR, 'growth.md'),
    [
      `# Growth: appends as the log grows, ${generatedAt.slice(0, 16).replace('T', ' ')} UTC`,
      '',
      `At ${env.git ? `${env.git.commit}${env.git.dirty ? ' (src modified)' : ''}` : 'an unknown commit'}; PostgreSQL ${env.postgres.version} (` +
        `${Object.entries(env.postgres.settings)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}); ${env.cpus.count} CPUs; load average at start ` +
        `${env.loadAverageAtStart.join(', ')}. ${workload}; ` +
        `${options.appends.toLocaleString('en-US')} appends per window after a CHECKPOINT, ${options.rounds} rounds (medians).`,
      '',
      table,
      '',
      verdict(rows),
      '',
    ].join('\n'),
  );
}

export const count = (n: number) =>
  n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
