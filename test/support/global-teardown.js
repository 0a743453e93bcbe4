import pg from 'pg';

export default async function globalTeardown() {
  const { serverUrl, database } = globalThis.__CHRONICLE_TEST_DB__ ?? {};
  if (serverUrl && process.env.KEEP_TEST_DB !== '1') {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
  await globalThis.__CHRONICLE_EMBEDDED__?.stop();
}
