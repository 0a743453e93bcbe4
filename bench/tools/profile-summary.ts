import { readFileSync } from 'node:fs';

/**
 * Summarises a .cpuprofile (BENCH_CPU_PROF) for bench/findings.md: self time by function, self time by package
 * (a node_modules package, a src/ folder, node's internals, GC), and by cause: each sample charged to the innermost
 * frame of our own code (src/) on its stack, else to the package of its leaf.
 *
 *   node dist-bench/bench/tools/profile-summary.js .data/bench-profiles/http-deposit-<n>.cpuprofile [--top=25] [--samples]
 */

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `typeorm`, `@nestjs/core`, `src/http`, `node:internal`, or the special nodes' names (`(garbage collector)`). */
export function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const src = /\/(?:dist(?:-bench)?\/)?src\/([^/]+)\//.exec(url);
  if (src) return `src/${src[1]}`;
  if (url.includes('/bench/')) return 'bench';
  if (url.startsWith('node:')) return 'node:internal';
  return url;
}

const ownCode = (frame: CallFrame) =>
  /\/src\//.test(frame.url) && !frame.url.includes('/node_modules/');

function label(frame: CallFrame): string {
  const file = frame.url.replace(/^.*\/(node_modules|src)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

/**
 * Each sample's weight in µs: its time delta, or with bySamples the median delta (the interval achieved), so that on a
 * loaded machine the time the process waited for a CPU is not charged to the frame it resumed in.
 */
export function sampleWeights(profile: CpuProfile, bySamples: boolean): number[] {
  if (!bySamples) return profile.samples.map((_, i) => profile.timeDeltas[i] ?? 0);
  const sorted = [...profile.timeDeltas].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1] ?? 0;
  return profile.samples.map(() => median);
}

/** Each node by id, and each node's parent: a sample's stack is walked up from its leaf. */
export function indexNodes(profile: CpuProfile): {
  nodes: Map<number, ProfileNode>;
  parent: Map<number, number>;
} {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  return { nodes, parent };
}

export interface Summary {
  totalMs: number;
  byFunction: Array<[string, number]>;
  byPackage: Array<[string, number]>;
  byCause: Array<[string, number]>;
  /** Samples with the function anywhere on their stack (counted once per sample). */
  inclusive: Array<[string, number]>;
}

export function summarise(profile: CpuProfile, bySamples = false): Summary {
  const weights = sampleWeights(profile, bySamples);
  const { nodes, parent } = indexNodes(profile);
  const causeOf = new Map<number, string>();
  const cause = (id: number): string => {
    const known = causeOf.get(id);
    if (known !== undefined) return known;
    let found: string | undefined;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at)!.callFrame;
      if (ownCode(frame)) {
        found = label(frame);
        break;
      }
    }
    const result = found ?? packageOf(nodes.get(id)!.callFrame);
    causeOf.set(id, result);
    return result;
  };
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const byCause = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const stackOf = new Map<number, string[]>();
  const stack = (id: number): string[] => {
    let known = stackOf.get(id);
    if (!known) {
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = nodes.get(at)!.callFrame;
        if (frame.url) seen.add(`${label(frame)} [${packageOf(frame)}]`);
      }
      known = [...seen];
      stackOf.set(id, known);
    }
    return known;
  };
  const add = (map: Map<string, number>, key: string, us: number) =>
    map.set(key, (map.get(key) ?? 0) + us);
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = weights[i];
    const frame = nodes.get(id)!.callFrame;
    if (frame.functionName === '(idle)') return;
    total += us;
    add(byFunction, `${label(frame)} [${packageOf(frame)}]`, us);
    add(byPackage, packageOf(frame), us);
    add(byCause, cause(id), us);
    for (const name of stack(id)) add(inclusive, name, us);
  });
  const sorted = (map: Map<string, number>) =>
    [...map].sort((a, b) => b[1] - a[1]).map(([key, us]): [string, number] => [key, us / 1000]);
  return {
    totalMs: total / 1000,
    byFunction: sorted(byFunction),
    byPackage: sorted(byPackage),
    byCause: sorted(byCause),
    inclusive: sorted(inclusive),
  };
}

function table(title: string, rows: Array<[string, number]>, totalMs: number, top: number): string {
  const lines = rows
    .slice(0, top)
    .map(([key, ms]) => `| ${((100 * ms) / totalMs).toFixed(1)} % | ${ms.toFixed(0)} | ${key} |`);
  return [`${title}`, '', '| share | ms | |', '|---|---|---|', ...lines, ''].join('\n');
}

if (process.argv[1]?.endsWith('profile-summary.js')) {
  const files = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const top = Number(process.argv.find((arg) => arg.startsWith('--top='))?.slice(6) ?? 25);
  const bySamples = process.argv.includes('--samples');
  if (files.length === 0) {
    process.stderr.write('usage: profile-summary <file.cpuprofile> [--top=N] [--samples]\n');
    process.exit(2);
  }
  for (const file of files) {
    const summary = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, bySamples);
    process.stdout.write(
      [
        `## ${file}: ${summary.totalMs.toFixed(0)} ms of samples (idle excluded${bySamples ? '; samples x median interval' : ''})`,
        '',
        table('Self time by package', summary.byPackage, summary.totalMs, top),
        table('Self time by function', summary.byFunction, summary.totalMs, top),
        table(
          'By cause (innermost frame of src/ on the stack)',
          summary.byCause,
          summary.totalMs,
          top,
        ),
        table('Inclusive (on the stack)', summary.inclusive, summary.totalMs, top * 3),
      ].join('\n'),
    );
  }
}
