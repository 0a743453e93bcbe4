import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REGISTER = fileURLToPath(new URL('./ts-register.mjs', import.meta.url));

export interface TsChild {
  process: ChildProcess;
  /** Resolves with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it wrote on stdout and stderr so far. */
  output(): string;
}

/**
 * A TypeScript file of test/support run in a child Node process (ts-register.mjs), with an IPC channel; `imports`
 * are more --import modules of test/support (module hooks).
 */
export function forkTsChild(
  script: string,
  env: Record<string, string>,
  imports: string[] = [],
): TsChild {
  let output = '';
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    execArgv: [REGISTER, ...imports.map((m) => fileURLToPath(new URL(m, import.meta.url)))].flatMap(
      (module) => ['--import', module],
    ),
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, exited, output: () => output };
}
