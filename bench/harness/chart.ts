import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Report } from './report.js';

/** A bar per scenario with a ratio target: the median ratio, its min–max over rounds, and the target as a tick. */
export async function ratioChart(report: Report): Promise<string> {
  const rows = report.scenarios
    .filter((s) => s.ratio && s.target.kind === 'ratio')
    .map((s) => ({
      scenario: `${s.id} (${s.target.text})`,
      ratio: s.ratio!.median,
      min: round(s.ratio!.min),
      max: round(s.ratio!.max),
      target: s.target.kind === 'ratio' ? (s.target.atLeast ?? s.target.atMost) : undefined,
      status: s.status,
    }));
  const top = Math.max(1.3, ...rows.map((r) => r.max * 1.1));
  const y = {
    field: 'scenario',
    type: 'nominal',
    sort: null,
    title: null,
    axis: { labelLimit: 320 },
  } as const;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Chronicle / bare-pg baseline, ${report.mode} run ${report.generatedAt.slice(0, 10)}`,
      subtitle:
        'bar: median ratio; line: min–max over rounds; black tick: target (peak RSS row: lower is better)',
    },
    width: 520,
    data: { values: rows },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y,
          x: {
            field: 'ratio',
            type: 'quantitative',
            title: 'ours / baseline',
            scale: { domain: [0, top] },
          },
          color: {
            field: 'status',
            type: 'nominal',
            scale: { domain: ['met', 'missed'], range: ['#4c9a5b', '#d1495b'] },
            legend: { title: 'target' },
          },
        },
      },
      {
        mark: { type: 'rule', color: '#333' },
        encoding: { y, x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' } },
      },
      {
        mark: { type: 'tick', color: 'black', thickness: 3, size: 18 },
        encoding: { y, x: { field: 'target', type: 'quantitative' } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
        encoding: {
          y,
          x: { field: 'max', type: 'quantitative' },
          text: { field: 'ratio', type: 'quantitative', format: '.2f' },
        },
      },
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const round = (value: number) => Math.round(value * 1000) / 1000;
