import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningApp } from '../src/app.factory.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { contractOf } from './support/http.js';
import type { Answer } from './support/openapi-contract.js';
import { startTestApp } from './support/test-app.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

/** The shell blocks of the README's walkthrough: from "## Walkthrough with curl" to the next section. */
function walkthrough(markdown: string): string[] {
  const start = markdown.indexOf('\n## Walkthrough with curl');
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

interface Exchange extends Answer {
  method: string;
  url: string;
}

/** Every answer the server sends, as sent. */
function record(server: Server): Exchange[] {
  const exchanges: Exchange[] = [];
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown) => {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as string));
    };
    const [write, end] = [res.write.bind(res), res.end.bind(res)];
    res.write = ((chunk: unknown, ...rest: never[]) => (
      keep(chunk),
      write(chunk as string, ...rest)
    )) as typeof res.write;
    res.end = ((chunk: unknown, ...rest: never[]) => (
      keep(chunk),
      end(chunk as string, ...rest)
    )) as typeof res.end;
    res.on('finish', () =>
      exchanges.push({
        method: req.method!,
        url: req.url!,
        status: res.statusCode,
        headers: res.getHeaders() as Answer['headers'],
        text: Buffer.concat(chunks).toString('utf8'),
      }),
    );
  });
  return exchanges;
}

/** jq for the walkthrough where it is not installed: `jq [-r] [-e] .path.to.field` is all it uses. */
const JQ_SHIM = `#!/usr/bin/env node
const args = process.argv.slice(2);
const filter = args.find((a) => !a.startsWith('-')) ?? '.';
const flags = args.filter((a) => a.startsWith('-')).join('');
let input = '';
process.stdin.on('data', (c) => (input += c)).on('end', () => {
  let value = JSON.parse(input);
  for (const key of filter.split('.').filter(Boolean)) value = value == null ? null : value[key];
  if (value === undefined) value = null;
  process.stdout.write((flags.includes('r') && typeof value === 'string' ? value : JSON.stringify(value)) + '\\n');
  process.exit(flags.includes('e') && (value === null || value === false) ? 1 : 0);
});
`;

/**
 * npm for the walkthrough: `npm run --silent token -- ...` runs the token CLI from the sources (the suites do not
 * build dist/); anything else is the real npm.
 */
const NPM_SHIM = (root: string, npm: string) => `#!/usr/bin/env bash
if [ "$1 $2 $3 $4" = "run --silent token --" ]; then
  shift 4
  cd '${root}' && exec node --import ./test/support/ts-register.mjs src/cli/token.ts "$@"
fi
exec '${npm}' "$@"
`;

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

describe('the README walkthrough', () => {
  let scratch: ScratchDatabase;
  let running: RunningApp;
  let tools: string;

  beforeAll(async () => {
    scratch = await scratchDatabase(2);
    running = await startTestApp({ databaseUrl: scratch.url });
    tools = mkdtempSync(join(tmpdir(), 'chronicle-readme-'));
    writeFileSync(join(tools, 'jq'), JQ_SHIM);
    chmodSync(join(tools, 'jq'), 0o755);
    const npm = (await bash('command -v npm', process.env)).output.trim();
    writeFileSync(join(tools, 'npm'), NPM_SHIM(fileURLToPath(new URL('..', import.meta.url)), npm));
    chmodSync(join(tools, 'npm'), 0o755);
  });
  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
    rmSync(tools, { recursive: true, force: true });
  });

  it('runs as pasted, in order, on a fresh database: every command succeeds and every answer is documented', async () => {
    const server = running.app.getHttpServer() as Server;
    const exchanges = record(server);
    await running.app.listen(0, '127.0.0.1');
    const { port } = server.address() as AddressInfo;
    const blocks = walkthrough(readFileSync(README, 'utf8'));
    expect(blocks.length).toBeGreaterThan(5);
    const script = blocks.join('\n').replaceAll('localhost:3000', `127.0.0.1:${port}`);

    // The shims come first: npm's token command, and jq where it is not installed.
    const hasJq = (await bash('command -v jq', process.env)).code === 0;
    if (hasJq) rmSync(join(tools, 'jq'));
    const path = `${tools}:${process.env.PATH}`;
    const run = await bash(`set -euo pipefail\n${script}`, { ...process.env, PATH: path });

    expect({ code: run.code, output: run.output }).toEqual({ code: 0, output: expect.any(String) });
    const contract = await contractOf(server);
    const broken = exchanges.flatMap((e) =>
      contract.violations(e.method, e.url, e).map((v) => `${e.method} ${e.url} ${e.status}: ${v}`),
    );
    expect(broken).toEqual([]);
    // A variable no command set would show up as an empty or "null" path segment.
    expect(
      exchanges.map((e) => e.url).filter((url) => /\/\/|\/null\b|=null\b|=$/.test(url)),
    ).toEqual([]);
    expect(exchanges.filter((e) => e.status >= 500)).toEqual([]);
    // Every command is sent with the token of someone its route allows.
    expect(exchanges.filter((e) => e.status === 401 || e.status === 403)).toEqual([]);
    expect(
      exchanges.map((e) => `${e.method} ${e.url.split('?')[0].replace(/[0-9a-f-]{36}/g, ':id')}`),
    ).toEqual(
      expect.arrayContaining([
        'POST /shipments/:id/dispatch',
        'DELETE /customers/:id/personal-data',
      ]),
    );
  });
});
