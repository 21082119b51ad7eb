/**
 * Text and JSON reports of the state-test runner (`modex evm statetest`, docs/evm.md "The state-test
 * runner"): one line per file `ok|FAIL|skip NAME passed/failed/skipped`, the details of each failed
 * case and the reason of each skip under it, and the last line
 * `statetest: P passed, F failed, S skipped`.
 */
import type { CaseResult, FileResult } from './runner.ts';

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

export function totalsOf(files: readonly FileResult[]): Totals {
  const t = { passed: 0, failed: 0, skipped: 0 };
  for (const f of files) {
    t.passed += f.passed;
    t.failed += f.failed;
    t.skipped += f.skipped;
  }
  return t;
}

export const formatTotals = (t: Totals): string =>
  `statetest: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;

const caseName = (c: CaseResult): string =>
  `${c.test} case ${c.index} (data ${c.indexes.data}, gas ${c.indexes.gas}, value ${c.indexes.value})`;

/** The line of a file, then an indented line per failure detail and per skipped case. */
export function formatFile(f: FileResult & { error?: string }): string {
  const counts = `${f.passed}/${f.failed}/${f.skipped}`;
  if (f.error) return `FAIL ${f.file} ${counts}\n  ${f.error}`;
  if (f.skipReason) return `skip ${f.file} ${counts} (${f.skipReason})`;
  const head = `${f.failed > 0 ? 'FAIL' : f.passed === 0 ? 'skip' : 'ok'} ${f.file} ${counts}`;
  const lines = [head];
  for (const c of f.cases) {
    if (c.status === 'skip') lines.push(`  skip ${caseName(c)}: ${c.reason}`);
    if (c.status !== 'fail') continue;
    lines.push(`  FAIL ${caseName(c)}: ${c.reason}`);
    const e = c.expected;
    const a = c.actual;
    if (e && a?.hash !== undefined) {
      if (a.hash !== e.hash) lines.push(`    state root: expected ${e.hash}, got ${a.hash}`);
      if (a.logs !== e.logs) lines.push(`    logs hash:  expected ${e.logs}, got ${a.logs}`);
      lines.push(`    the transaction ${a.success ? 'succeeded' : 'failed'}, gas used ${a.gasUsed}`);
    }
  }
  return lines.join('\n');
}

/** A JSON-safe copy of the results (bigints as decimal strings). */
export function toJson(files: readonly FileResult[]): unknown {
  return JSON.parse(
    JSON.stringify({ ...totalsOf(files), files }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
  );
}
