/** Shared by the benchmarks (`modex bench …`): percentiles of a sample and the machine line of bench/RESULTS.md. */
import { cpus } from 'node:os';

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

/** p50, p99 and max of `xs` (nearest rank; NaN for an empty sample). */
export function percentiles(xs: number[]): Percentiles {
  if (xs.length === 0) return { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(s.length * p))];
  return { p50: at(0.5), p99: at(0.99), max: s[s.length - 1] };
}

/** "2 × AMD EPYC …, Node 20.20.2" */
export function machineLine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}`;
}
