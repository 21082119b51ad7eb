/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for the metrics tests:
 * every line must be a `# HELP`, a `# TYPE` (before the family's samples, once per family) or a
 * sample `name{label="value",…} value`; anything else throws, so a test that reads a scrape also
 * checks that it parses.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** family name → counter, gauge, histogram, summary or untyped */
  types: Map<string, string>;
  /** the value of the one sample named `name` whose labels include `labels` (undefined: none; throws when several) */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** the sum over every sample named `name` whose labels include `labels` */
  sum(name: string, labels?: Record<string, string>): number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(v: string, line: string): number {
  if (v === '+Inf') return Number.POSITIVE_INFINITY;
  if (v === '-Inf') return Number.NEGATIVE_INFINITY;
  if (v === 'NaN') return Number.NaN;
  const n = Number(v);
  if (v === '' || Number.isNaN(n)) throw new Error(`bad sample value in: ${line}`);
  return n;
}

function parseLabels(s: string, line: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = s;
  while (rest.length > 0) {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`bad labels in: ${line}`);
    if (m[1] in out) throw new Error(`label ${m[1]} twice in: ${line}`);
    out[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    rest = rest.slice(m[0].length);
  }
  return out;
}

/** The family a sample belongs to (a histogram's `_bucket`, `_sum`, `_count`). */
function familyOf(name: string, types: Map<string, string>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && (types.get(base) === 'histogram' || types.get(base) === 'summary'))
      return base;
  }
  return name;
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = new RegExp(`^# (HELP|TYPE) (${NAME}) ?(.*)$`).exec(line);
      if (!m) {
        if (line.startsWith('# HELP') || line.startsWith('# TYPE')) throw new Error(`bad comment: ${line}`);
        continue;
      }
      if (m[1] === 'TYPE') {
        if (!TYPES.has(m[3])) throw new Error(`unknown type in: ${line}`);
        if (types.has(m[2])) throw new Error(`family ${m[2]} typed twice`);
        if (seen.has(m[2])) throw new Error(`TYPE of ${m[2]} after its samples`);
        types.set(m[2], m[3]);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const name = m[1];
    seen.add(familyOf(name, types));
    samples.push({ name, labels: parseLabels(m[2] ?? '', line), value: parseValue(m[3], line) });
  }
  const matching = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    samples,
    types,
    value(name, labels) {
      const m = matching(name, labels);
      if (m.length > 1) throw new Error(`${m.length} samples of ${name} match ${JSON.stringify(labels)}`);
      return m[0]?.value;
    },
    sum: (name, labels) => matching(name, labels).reduce((s, x) => s + x.value, 0),
  };
}

/** GETs `url` (a `/metrics` endpoint) and parses it; throws on a status other than 200. */
export async function scrape(url: string): Promise<Exposition> {
  const r = await fetch(url);
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${await r.text()}`);
  const type = r.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain')) throw new Error(`GET ${url}: content-type ${type}`);
  return parseExposition(await r.text());
}
