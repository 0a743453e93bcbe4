import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioResult } from '../scenarios/scenario.js';
import type { Environment } from './environment.js';
import type { Mode } from './options.js';
import { ratioChart } from './chart.js';
import { median, type SideSummary } from './stats.js';

export const RESULTS_DIR = 'bench/results';
const READMES = ['README.md', 'bench/README.md'];
const FINDINGS = 'bench/findings.md';
const MARK_START = '<!-- bench:latest:start -->';
const MARK_END = '<!-- bench:latest:end -->';

export interface Report {
  generatedAt: string;
  mode: Mode;
  durationSeconds: number;
  environment: Environment;
  scenarios: ScenarioResult[];
}

export async function writeReport(report: Report): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, 'latest.svg'), await ratioChart(report));
  const table = summaryTable(report);
  writeFileSync(join(RESULTS_DIR, 'latest.md'), markdown(report, table));
  for (const path of READMES) {
    if (!existsSync(path)) continue;
    const readme = readFileSync(path, 'utf8');
    const start = readme.indexOf(MARK_START);
    const end = readme.indexOf(MARK_END);
    if (start >= 0 && end > start) {
      writeFileSync(
        path,
        `${readme.slice(0, start + MARK_START.length)}\n${heading(report)}\n\n${table}\n${readme.slice(end)}`,
      );
    }
  }
}

function heading({ generatedAt, mode, environment: env }: Report): string {
  return (
    `${mode === 'quick' ? 'Quick run (smoke check, smaller sizes)' : 'Full run'} of ${generatedAt.slice(0, 16).replace('T', ' ')} UTC` +
    ` at ${env.git ? `${env.git.commit}${env.git.dirty ? ' (src modified)' : ''}` : 'an unknown commit'};` +
    ` ${env.cpus.count} CPUs, Node ${env.node}, PostgreSQL ${env.postgres.version} (${env.postgres.server},` +
    ` fsync=${env.postgres.settings.fsync}, synchronous_commit=${env.postgres.settings.synchronous_commit},` +
    ` shared_buffers=${env.postgres.settings.shared_buffers}).`
  );
}

const STATUS: Record<ScenarioResult['status'], string> = {
  met: 'met',
  missed: '**MISSED**',
  reported: 'reported',
  pending: 'pending',
  failed: '**FAILED**',
};

export function summaryTable({ scenarios }: Report): string {
  const rows = scenarios.map((s) => {
    const ratio = s.ratio
      ? `${s.ratio.median.toFixed(2)}${s.ratio.perRound.length > 1 ? ` (${s.ratio.min.toFixed(2)}–${s.ratio.max.toFixed(2)})` : ''}`
      : '';
    const ours = s.ours ? side(s.ours, s.unit) : figures(s);
    const baseline = s.baseline ? side(s.baseline, s.unit) : '';
    const peer = s.peer
      ? `${spreadText(s.peer.ratio)} (${s.peer.target.text}, ${STATUS[s.peer.status]})`
      : '';
    const peerSide = s.peer ? `${s.peer.name}: ${side(s.peer.summary, s.unit)}` : '';
    return `| ${s.title} | ${s.target.text} | ${ratio} | ${STATUS[s.status]} | ${ours} | ${baseline} | ${peer} | ${peerSide} |`;
  });
  return [
    '| scenario | target (ours / baseline) | ratio: median (min–max over rounds) | status | ours: median (min–max); p50 / p99 | baseline: median (min–max); p50 / p99 | ours / peer: median (min–max) (target, status) | peer: median (min–max); p50 / p99 |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function spreadText(r: { median: number; min: number; max: number; perRound: number[] }): string {
  return `${r.median.toFixed(2)}${r.perRound.length > 1 ? ` (${r.min.toFixed(2)}–${r.max.toFixed(2)})` : ''}`;
}

function side(summary: SideSummary, unit: string): string {
  const t = summary.throughput;
  const throughput = `${num(t.median)} ${unit} (${num(t.min)}–${num(t.max)})`;
  const latency = summary.latencyMs
    ? `; ${ms(summary.latencyMs.p50)} / ${ms(summary.latencyMs.p99)}`
    : '';
  // The hot stream's connection churn belongs in the table, not only in the details.
  const sessions = summary.counters.sessions
    ? `; ${num(median(summary.counters.sessions))} sessions opened`
    : '';
  return throughput + latency + sessions;
}

function figures(s: ScenarioResult): string {
  if (s.status === 'pending' && s.target.kind === 'pending') return s.target.reason;
  return Object.entries(s.figures)
    .map(([k, v]) => `${k}: ${typeof v === 'number' ? num(v) : v}`)
    .join('; ');
}

function markdown(report: Report, table: string): string {
  const env = report.environment;
  const missed = report.scenarios.filter((s) => s.status === 'missed');
  const peerMissed = report.scenarios.filter((s) => s.peer?.status === 'missed');
  const lines = [
    '# Chronicle benchmarks: latest results',
    '',
    heading(report),
    `Run took ${Math.round(report.durationSeconds)} s. Load average at start: ${env.loadAverageAtStart.join(', ')} (the machine is shared: only ratios within one run mean anything).`,
    '',
    'Every ratio is ours / baseline of throughput (or, for peak RSS, of memory), the median of the per-round ratios, each round',
    'pairing a measurement of ours with the baseline measured right after it. Targets are from the benchmarks issue. On the',
    'store rows the peer (another event store on the same database, measured in the same rounds) has its own ratio, ours / peer.',
    '',
    table,
    '',
    missed.length
      ? `**Targets missed: ${missed.map((s) => `${s.id} (${s.ratio?.median.toFixed(2)}, target ${s.target.text})`).join(', ')}.** See Findings.`
      : 'All targets with a figure were met.',
    ...(peerMissed.length
      ? [
          '',
          `**Behind the peer's target: ${peerMissed.map((s) => `${s.id} (ours / ${s.peer!.name} ${s.peer!.ratio.median.toFixed(2)}, target ${s.peer!.target.text})`).join(', ')}.**`,
        ]
      : []),
    '',
    '## Details',
    '',
    ...report.scenarios.flatMap((s) => details(s)),
    '## Environment',
    '',
    `- Node ${env.node} on ${env.platform}, ${env.cpus.count} × ${env.cpus.model}, ${env.memoryGiB} GiB`,
    `- PostgreSQL ${env.postgres.version} (${env.postgres.server}): ${Object.entries(
      env.postgres.settings,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    `- Packages: ${Object.entries(env.packages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
    '## Findings',
    '',
    existsSync(FINDINGS)
      ? readFileSync(FINDINGS, 'utf8').trim()
      : '_No findings written yet (bench/findings.md)._',
    '',
  ];
  return lines.join('\n');
}

function details(s: ScenarioResult): string[] {
  const lines = [`### ${s.id}: ${s.title}`, ''];
  if (s.ratioOf)
    lines.push(
      `- ratio of: ${s.ratioOf}; per round: ${s.ratio?.perRound.map((r) => r.toFixed(2)).join(', ')}`,
    );
  if (s.peer)
    lines.push(
      `- ours / ${s.peer.name} per round: ${s.peer.ratio.perRound.map((r) => r.toFixed(2)).join(', ')}`,
    );
  for (const [name, summary] of [
    ['ours', s.ours],
    ['baseline', s.baseline],
    [s.peer?.name ?? 'peer', s.peer?.summary],
  ] as const) {
    if (!summary) continue;
    const latency = summary.latencyMs
      ? `; latency p50 ${ms(summary.latencyMs.p50)}, p99 ${ms(summary.latencyMs.p99)}, max ${ms(summary.latencyMs.max)}` +
        (summary.latencyMs.samples
          ? ` over ${summary.latencyMs.samples} ops`
          : ' (median of the rounds)')
      : '';
    const counters = Object.entries(summary.counters)
      .map(([k, v]) => `${k} per round: ${v.map((x) => num(x)).join(', ')}`)
      .join('; ');
    lines.push(
      `- ${name}: ${summary.perRound.map((r) => num(r)).join(', ')} ${s.unit} per round${latency}${counters ? `; ${counters}` : ''}`,
    );
  }
  for (const [k, v] of Object.entries(s.figures))
    lines.push(`- ${k}: ${typeof v === 'number' ? num(v) : v}`);
  for (const note of [...s.notes, ...(s.peer?.notes ?? [])]) lines.push(`- ${note}`);
  lines.push('');
  return lines;
}

function num(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(3)).toString();
}

const ms = (value: number) => `${num(value)} ms`;
