import { useEffect, useRef } from 'preact/hooks';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartProps {
  /** The region's accessible name, also its heading. */
  label: string;
  /** uPlot's options but for width and height, which follow the container. */
  options: Omit<Options, 'width' | 'height'>;
  data: AlignedData;
  /** The same points as a table for screen readers (the canvas says nothing to them). */
  table: { columns: string[]; rows: (string | number)[][] };
  height?: number;
}

/**
 * A uPlot chart (canvas; uPlot styles through the CSSOM, which the strict CSP allows) in a region named by its
 * heading, with a visually hidden table of the same points.
 */
export function Chart({ label, options, data, table, height = 260 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const headingId = `chart-${label.replace(/\W+/g, '-').toLowerCase()}`;

  useEffect(() => {
    const element = box.current!;
    const width = () => Math.max(320, element.clientWidth);
    plot.current = new uPlot({ ...options, width: width(), height }, data, element);
    const observer = new ResizeObserver(() => plot.current?.setSize({ width: width(), height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Options change shape (series) rarely: rebuild then; data alone goes through setData below.
  }, [JSON.stringify(options.series.map((s) => s.label)), height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <section class="chart" aria-labelledby={headingId}>
      <h2 id={headingId}>{label}</h2>
      <div ref={box} class="chart-canvas" aria-hidden="true" />
      {/* A table ignores width: 1px, so the wrapper is what is hidden. */}
      <div class="visually-hidden">
        <table>
          <caption>{label} (data)</caption>
          <thead>
            <tr>
              {table.columns.map((column) => (
                <th scope="col" key={column}>
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, index) => (
              <tr key={index}>
                {row.map((cell, column) => (
                  <td key={column}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Bars for categories (x = 0..n-1) with the category names on the axis. */
export function barOptions(
  categories: string[],
  seriesLabel: string,
): Omit<Options, 'width' | 'height'> {
  return {
    scales: { x: { time: false, range: [-0.5, categories.length - 0.5] } },
    axes: [
      {
        values: (_u, splits) => splits.map((v) => categories[v] ?? ''),
        splits: () => categories.map((_, i) => i),
      },
      {},
    ],
    series: [
      { label: 'Status', value: (_u, v) => (v === null ? '' : (categories[v] ?? '')) },
      {
        label: seriesLabel,
        fill: '#3b6ea5',
        stroke: '#2c5282',
        paths: uPlot.paths.bars!({ size: [0.6, 80] }),
        points: { show: false },
      },
    ],
  };
}

export const PALETTE = [
  '#2c5282',
  '#b7410e',
  '#2f855a',
  '#6b46c1',
  '#975a16',
  '#c53030',
  '#2b6cb0',
  '#4a5568',
];
