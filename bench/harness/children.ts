import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILDREN = resolve(dirname(fileURLToPath(import.meta.url)), '../children');
export const PROFILE_DIR = resolve('.data/bench-profiles');

/**
 * Runs bench/children/<name>.js in its own Node process (clean RSS, no shared event loop) and resolves with the
 * one message it sends back. BENCH_CPU_PROF=<name> writes a --cpu-prof profile of that child to .data/bench-profiles.
 */
export function runChild<T>(name: string, input: unknown, flags: string[] = []): Promise<T> {
  const execArgv: string[] = [...flags];
  if (process.env.BENCH_CPU_PROF === name) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`);
  }
  return new Promise<T>((resolvePromise, reject) => {
    const child = fork(join(CHILDREN, `${name}.child.js`), [JSON.stringify(input)], {
      execArgv,
      stdio: 'inherit',
    });
    let answer: { ok: true; value: T } | { ok: false; error: string } | undefined;
    child.on('message', (message) => (answer = message as typeof answer));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (answer?.ok) resolvePromise(answer.value);
      else
        reject(
          new Error(
            `child ${name} failed (exit ${code}): ${answer && !answer.ok ? answer.error : 'no answer'}`,
          ),
        );
    });
  });
}

/** The child's side: runs `work` on the input from argv and sends the result (or the error) to the parent. */
export async function childMain<I, T>(work: (input: I) => Promise<T>): Promise<void> {
  let message: unknown;
  try {
    message = { ok: true, value: await work(JSON.parse(process.argv[2]) as I) };
  } catch (error) {
    message = {
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
    process.exitCode = 1;
  }
  await new Promise<void>((sent) => process.send!(message, () => sent()));
  process.disconnect();
  setTimeout(() => process.exit(), 5000).unref();
}

/** Peak resident set size of this process so far, in MiB. */
export const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;
