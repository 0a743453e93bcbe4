import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { builtDist, ROOT } from './built-dist.js';

/** The built app (dist/main.js) in a process of its own. */
export interface AppProcess {
  name: string;
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
  output: () => string;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/**
 * Starts the built app (built first when stale) on `databaseUrl`, leases retried every 100 ms, rate limits out of
 * the way (the suites' clients send hundreds of requests a second from one address); `env` adds or overrides.
 */
export async function startAppProcess(
  name: string,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<AppProcess> {
  await builtDist('main.js');
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN: '',
      RUN_PROJECTIONS: 'true',
      DB_POOL_SIZE: '5',
      PROJECTION_LEASE_RETRY_MS: '100',
      PROJECTION_POLL_MS: '200',
      RATE_LIMIT_PER_MINUTE: '10000000',
      RATE_LIMIT_IP_PER_MINUTE: '10000000',
      REDIS_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { name, child, url: `http://127.0.0.1:${port}`, exited, output: () => output };
}

/** Resolves once `/health` answers 200; fails with the process's output if it exits or stays silent for 60 s. */
export async function ready(app: AppProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (app.child.exitCode !== null) throw new Error(`${app.name} exited:\n${app.output()}`);
    const ok = await fetch(`${app.url}/health`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${app.name} never answered:\n${app.output()}`);
    await sleep(100);
  }
}
