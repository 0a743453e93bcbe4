import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  type CallFrame,
  type CpuProfile,
  indexNodes,
  packageOf,
  sampleWeights,
} from './profile-summary.js';

/**
 * Renders a .cpuprofile (BENCH_CPU_PROF) as a self-contained SVG flame graph: stacks merged by function and file,
 * width = sampled time (idle left out; `(program)` and GC are frames of their own), colour = package.
 * With --folded, writes the folded stacks instead (`a;b;c <ms>` per line) for flamegraph.pl, speedscope or inferno.
 * With --samples, every sample weighs the same (as profile-summary --samples): on a loaded machine, what compares.
 *
 *   node dist-bench/bench/tools/flame-graph.js <file.cpuprofile> [out.svg | out.folded] [--folded] [--samples] [--title=...]
 */

interface Frame {
  name: string;
  pkg: string;
  ms: number;
  children: Map<string, Frame>;
}

const WIDTH = 1200;
const ROW = 16;
const TOP = 48;
const CHAR = 6.6;

/** `node_modules/pg/lib/client.js`, `src/http/x.js`, `bench/harness/profile.js`, `node:net`. */
function fileOf(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + 1);
  return url.replace(/^file:\/\/.*?\/(?:dist(?:-bench)?\/)?(src|bench)\//, '$1/');
}

const frameName = (frame: CallFrame) =>
  `${frame.functionName || '(anonymous)'}${frame.url ? ' ' + fileOf(frame.url) : ''}`;

/** The merged call tree: one node per name + file on each path, with the time sampled under it. */
export function callTree(profile: CpuProfile, bySamples = false): Frame {
  const weights = sampleWeights(profile, bySamples);
  const { nodes, parent } = indexNodes(profile);
  const root: Frame = { name: 'all', pkg: '', ms: 0, children: new Map() };
  profile.samples.forEach((id, i) => {
    const ms = weights[i] / 1000;
    const path: CallFrame[] = [];
    for (let at: number | undefined = id; parent.has(at!); at = parent.get(at!))
      path.unshift(nodes.get(at!)!.callFrame);
    if (path.length === 0 || path[path.length - 1].functionName === '(idle)') return;
    root.ms += ms;
    let frame = root;
    for (const call of path) {
      const name = frameName(call);
      let child = frame.children.get(name);
      if (!child)
        frame.children.set(
          name,
          (child = { name, pkg: packageOf(call), ms: 0, children: new Map() }),
        );
      child.ms += ms;
      frame = child;
    }
  });
  return root;
}

export function folded(root: Frame): string {
  const lines: string[] = [];
  const walk = (frame: Frame, stack: string[]) => {
    const self = frame.ms - [...frame.children.values()].reduce((sum, child) => sum + child.ms, 0);
    if (self > 0.0005 && stack.length > 0) lines.push(`${stack.join(';')} ${self.toFixed(3)}`);
    for (const child of frame.children.values())
      walk(child, [...stack, child.name.replace(/;/g, ',')]);
  };
  walk(root, []);
  return lines.join('\n') + '\n';
}

/** Our code warm, libraries cool, node's internals and the special nodes grey; a package keeps its hue in every graph. */
function colour(pkg: string): string {
  const hash = [...pkg].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  if (pkg.startsWith('src/')) return `hsl(${hash % 45}, 85%, ${58 + (hash % 12)}%)`;
  if (pkg === 'bench') return 'hsl(50, 80%, 60%)';
  if (pkg.startsWith('node:') || pkg.startsWith('(')) return `hsl(0, 0%, ${68 + (hash % 14)}%)`;
  return `hsl(${90 + (hash % 200)}, 55%, ${60 + (hash % 14)}%)`;
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function svg(root: Frame, title: string, bySamples = false): string {
  const scale = WIDTH / Math.max(root.ms, 1e-9);
  const depth = (frame: Frame): number =>
    1 + Math.max(0, ...[...frame.children.values()].map(depth));
  const height = TOP + depth(root) * ROW + 4;
  const rects: string[] = [];
  const selfByPackage = new Map<string, number>();
  const selfTimes = (frame: Frame) => {
    const children = [...frame.children.values()];
    const self = frame.ms - children.reduce((sum, child) => sum + child.ms, 0);
    selfByPackage.set(frame.pkg, (selfByPackage.get(frame.pkg) ?? 0) + self);
    children.forEach(selfTimes);
  };
  selfTimes(root);
  const draw = (frame: Frame, x: number, level: number) => {
    const width = frame.ms * scale;
    if (width < 0.3) return;
    const children = [...frame.children.values()].sort((a, b) => b.ms - a.ms);
    const y = height - (level + 1) * ROW;
    const tip = `${frame.name}${frame.pkg ? ` [${frame.pkg}]` : ''}: ${frame.ms.toFixed(1)} ms, ${((100 * frame.ms) / root.ms).toFixed(2)} %`;
    const chars = Math.floor((width - 6) / CHAR);
    const label =
      chars < 3
        ? ''
        : frame.name.length <= chars
          ? frame.name
          : frame.name.slice(0, chars - 2) + '..';
    rects.push(
      `<g><title>${escape(tip)}</title><rect x="${x.toFixed(2)}" y="${y}" width="${width.toFixed(2)}" height="${ROW - 1}" fill="${frame.pkg ? colour(frame.pkg) : '#ddd'}"/>` +
        (label
          ? `<text x="${(x + 3).toFixed(2)}" y="${y + ROW - 4}">${escape(label)}</text>`
          : '') +
        '</g>',
    );
    let at = x;
    for (const child of children) {
      draw(child, at, level + 1);
      at += child.ms * scale;
    }
  };
  draw(root, 0, 0);
  let legendX = 0;
  const legend = [...selfByPackage]
    .filter(([pkg]) => pkg)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([pkg, ms]) => {
      const text = `${pkg} ${((100 * ms) / root.ms).toFixed(1)} %`;
      const item = `<rect x="${legendX.toFixed(1)}" y="26" width="10" height="10" fill="${colour(pkg)}"/><text x="${(legendX + 14).toFixed(1)}" y="35">${escape(text)}</text>`;
      legendX += 24 + text.length * CHAR;
      return item;
    });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="monospace" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="0" y="14" font-size="13">${escape(title)}: ${root.ms.toFixed(0)} ms ${bySamples ? 'of samples x median interval' : 'sampled'} (idle excluded); self time by package:</text>`,
    ...legend,
    ...rects,
    '</svg>',
    '',
  ].join('\n');
}

if (process.argv[1]?.endsWith('flame-graph.js')) {
  const [input, output] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  if (!input) {
    process.stderr.write(
      'usage: flame-graph <file.cpuprofile> [out] [--folded] [--samples] [--title=...]\n',
    );
    process.exit(2);
  }
  const asFolded = process.argv.includes('--folded');
  const title = process.argv.find((arg) => arg.startsWith('--title='))?.slice(8) ?? basename(input);
  const bySamples = process.argv.includes('--samples');
  const root = callTree(JSON.parse(readFileSync(input, 'utf8')) as CpuProfile, bySamples);
  const target = output ?? input.replace(/\.cpuprofile$/, '') + (asFolded ? '.folded' : '.svg');
  writeFileSync(target, asFolded ? folded(root) : svg(root, title, bySamples));
  process.stdout.write(`${target}\n`);
}
