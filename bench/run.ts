import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { openBenchDatabase } from './harness/database.js';
import { describeEnvironment } from './harness/environment.js';
import { parseOptions } from './harness/options.js';
import { summaryTable, writeReport, RESULTS_DIR, type Report } from './harness/report.js';
import { appendScenario } from './scenarios/append.js';
import { globalLogScenario } from './scenarios/global-log.js';
import { runGrowth } from './scenarios/growth.js';
import { hotStreamScenario } from './scenarios/hot-stream.js';
import { httpScenario } from './scenarios/http.js';
import { liveScenario } from './scenarios/live.js';
import { readStreamScenario } from './scenarios/read-stream.js';
import { relayScenario } from './scenarios/relay.js';
import { scaleOutScenario } from './scenarios/scale-out.js';
import { snapshotsScenario } from './scenarios/snapshots.js';
import type { Scenario, ScenarioResult } from './scenarios/scenario.js';
import { startupScenario } from './scenarios/startup.js';
import { timeTravelScenario } from './scenarios/time-travel.js';

const SCENARIOS: Scenario[] = [
  appendScenario,
  hotStreamScenario,
  readStreamScenario,
  snapshotsScenario,
  timeTravelScenario,
  httpScenario,
  scaleOutScenario,
  liveScenario,
  globalLogScenario,
  startupScenario,
  relayScenario,
];

/** The order; rows a scenario adds for information go next to their kin. */
const ORDER = [
  'append-single',
  'append-single-plain',
  'append-batch',
  'append-batch-plain',
  'append-group-commit',
  'hot-stream',
  'hot-stream-commands',
  'read-stream',
  'read-all',
  'http-deposit',
  'http-get',
  'scale-out',
  'projection-catch-up',
  'projection-catch-up-rss',
  'projection-lag',
  'live',
  'snapshots',
  'time-travel',
  'startup',
  'relay',
  'relay-latency',
];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.render) {
    const report = JSON.parse(readFileSync(`${RESULTS_DIR}/latest.json`, 'utf8')) as Report;
    await writeReport(report);
    process.stdout.write(`Re-rendered ${RESULTS_DIR}/latest.md and latest.svg from latest.json\n`);
    return;
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  if (options.growth) return runGrowth(options.growth, log);
  const started = performance.now();
  const selected = SCENARIOS.filter(
    (s) => options.only.length === 0 || options.only.includes(s.id),
  );
  log(`Chronicle benchmarks, ${options.mode} run: ${selected.map((s) => s.id).join(', ')}`);
  const db = await openBenchDatabase();
  const interrupted = () => void db.close().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const results: ScenarioResult[] = [];
  let failed = false;
  try {
    const environment = await describeEnvironment(db.url, db.server);
    log(
      `PostgreSQL ${environment.postgres.version} (${db.server}), Node ${environment.node}, ${environment.cpus.count} CPUs`,
    );
    for (const scenario of selected) {
      log(`▶ ${scenario.id}`);
      const began = performance.now();
      try {
        results.push(
          ...(await scenario.run({ db, mode: options.mode, sizes: options.sizes, log })),
        );
      } catch (error) {
        failed = true;
        log(
          `  ✗ ${scenario.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        results.push({
          id: scenario.id,
          title: `${scenario.id} (failed)`,
          unit: '',
          target: { kind: 'report', text: '' },
          status: 'failed',
          figures: { error: error instanceof Error ? error.message : String(error) },
          notes: [],
        });
      }
      log(`  (${((performance.now() - began) / 1000).toFixed(0)} s)`);
    }
    results.sort((a, b) => rank(a.id) - rank(b.id));
    const report: Report = {
      generatedAt: new Date().toISOString(),
      mode: options.mode,
      durationSeconds: (performance.now() - started) / 1000,
      environment,
      scenarios: results,
    };
    log(`\n${summaryTable(report)}\n`);
    if (options.save) {
      await writeReport(report);
      log(
        `Results in ${RESULTS_DIR}/latest.md, latest.json and latest.svg (${report.durationSeconds.toFixed(0)} s)`,
      );
    }
  } finally {
    await db.close();
  }
  if (failed) process.exitCode = 1;
}

const rank = (id: string) => (ORDER.includes(id) ? ORDER.indexOf(id) : ORDER.length);

await main();
