// GroupCommit's statements in flight, A/B in one run: 20 callers on the store, 1 event per call, CALLS appends over
// 10,000 owned streams, a fresh table and a CHECKPOINT before each side, a raw INSERT per call on a pool of 20 beside;
// rounds alternate raw and each variant. From the checkout, after `npx tsc -b tsconfig.build.json` and
// `npx tsc -p bench/tsconfig.json`:
//   VARIANTS=2,3,4 ROUNDS=5 node bench/tools/group-commit-ab.mjs      (DATABASE_URL: the server, as the bench takes it)
import { resolve } from 'node:path';
import pg from 'pg';
const B = resolve('dist-bench');
const { openBenchDatabase, truncate, expectRows } = await import(`${B}/bench/harness/database.js`);
const { accountIds, deposited, streamOf, commandMetadata } = await import(
  `${B}/bench/harness/fixtures.js`
);
const { concurrently } = await import(`${B}/bench/harness/alternate.js`);
const { INSERT_ONE } = await import(`${B}/bench/baseline/baseline-sql.js`);
const { PostgresEventStore, EventTypeRegistry, timeOrderedUuid } = await import(
  `${B}/src/event-store/index.js`
);
const { ACCOUNT_EVENT_DEFINITIONS } = await import(`${B}/src/accounts/domain/account.events.js`);
const { developmentMasterKey } = await import(`${B}/src/config/config.js`);
const CALLERS = 20,
  STREAMS = 10_000,
  CALLS = Number(process.env.CALLS ?? 20_000);
const variants = (process.env.VARIANTS ?? '2,4').split(',').map(Number);
const db = await openBenchDatabase();
const pool = new pg.Pool({ connectionString: db.url, max: CALLERS });
// Dropping the database at the end ends any connection still open: not an error of the run.
pool.on('error', () => undefined);
const ids = accountIds(STREAMS, 'append');
const registry = new EventTypeRegistry();
registry.register(...ACCOUNT_EVENT_DEFINITIONS);
const stores = Object.fromEntries(
  variants.map((n) => [
    n,
    new PostgresEventStore(pool, registry, {
      masterKey: developmentMasterKey(),
      groupCommit: { statements: n },
    }),
  ]),
);
const results = {};
const side = async (name, op) => {
  await truncate(pool, 'events', 'bench_baseline_events');
  await pool.query('CHECKPOINT');
  const versions = new Array(STREAMS).fill(0);
  const { seconds } = await concurrently(CALLERS, CALLS, (call) =>
    op(call % STREAMS, call, versions),
  );
  const rate = CALLS / seconds;
  (results[name] ??= []).push(rate);
  console.log(name.padEnd(8), Math.round(rate), 'ev/s', new Date().toISOString().slice(11, 19));
};
for (let round = 0; round < Number(process.env.ROUNDS ?? 4); round++) {
  await side('raw', async (s, call, v) => {
    await pool.query(INSERT_ONE, [
      streamOf(ids[s]),
      v[s] + 1,
      timeOrderedUuid(),
      'MoneyDeposited',
      JSON.stringify(deposited(ids[s], call).data),
      JSON.stringify(commandMetadata()),
    ]);
    v[s] += 1;
  });
  for (const n of variants)
    await side(`ours-${n}`, async (s, call, v) => {
      const r = await stores[n].append(streamOf(ids[s]), [deposited(ids[s], call)], {
        expectedVersion: v[s],
      });
      v[s] = r.version;
    });
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const [k, v] of Object.entries(results))
  console.log(
    k,
    'median',
    Math.round(med(v)),
    'ratio to raw per round',
    v.map((r, i) => (r / results.raw[i]).toFixed(2)).join(' '),
  );
await pool.end();
await db.close();
