/** Text report of spectest results, as printed by `modex wasm spectest`. */
import { basename } from 'node:path';
import type { SpecFileResult } from './runner.ts';

export interface SpecTotals {
  passed: number;
  failed: number;
  skipped: number;
}

export function totals(results: readonly SpecFileResult[]): SpecTotals {
  const t = { passed: 0, failed: 0, skipped: 0 };
  for (const r of results) {
    t.passed += r.passed;
    t.failed += r.failed;
    t.skipped += r.skipped;
  }
  return t;
}

/**
 * `block.json: 52 passed, 0 failed, 170 skipped (unsupported: …: 160, text-format …: 10)`, prefixed
 * with `[engine] ` when several engines ran; in verbose mode followed by one line per failure.
 */
export function formatFileResult(
  r: SpecFileResult,
  opts: { verbose?: boolean; showEngine?: boolean } = {},
): string {
  const reasons = [...r.skipReasons].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason}: ${n}`);
  const head =
    `${opts.showEngine ? `[${r.engine}] ` : ''}${basename(r.file)}: ` +
    `${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped` +
    (reasons.length ? ` (${reasons.join('; ')})` : '');
  if (!opts.verbose) return head;
  const lines = r.failures.map((f) => `  line ${f.line}: ${f.command}: ${f.message}`);
  return [head, ...lines].join('\n');
}

export function formatTotals(t: SpecTotals): string {
  return `spectest: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;
}
