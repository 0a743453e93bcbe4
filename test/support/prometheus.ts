/** One line of the Prometheus text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|(?=\}))/;
/** Go's ParseFloat, which Prometheus uses, reads these case-insensitively (prom-client writes `Nan`). */
const SPECIAL: Record<string, number> = {
  '+inf': Infinity,
  inf: Infinity,
  '-inf': -Infinity,
  nan: NaN,
};

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Parses the text format (version 0.0.4): comments skipped, label values unescaped, timestamps dropped. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name) throw new Error(`Not a sample line: ${line}`);
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      rest = rest.slice(1);
      for (let match = LABEL.exec(rest); match; match = LABEL.exec(rest)) {
        labels[match[1]] = unescape(match[2]);
        rest = rest.slice(match[0].length);
      }
      if (!rest.startsWith('}')) throw new Error(`Unterminated labels: ${line}`);
      rest = rest.slice(1);
    }
    const [raw = ''] = rest.trim().split(/\s+/);
    const special = Object.hasOwn(SPECIAL, raw.toLowerCase())
      ? SPECIAL[raw.toLowerCase()]
      : undefined;
    const value = special ?? (raw === '' ? NaN : Number(raw));
    if (Number.isNaN(value) && raw.toLowerCase() !== 'nan') throw new Error(`Bad value: ${line}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

/**
 * The value of the one sample called `name` whose labels include `labels`; undefined when there is none,
 * an error when several match (the labels given are not enough to pick one).
 */
export function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1)
    throw new Error(`${found.length} samples match ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
