/**
 * `modex report [--json]`: the cost and security of each standard config, measured in one run on
 * the embedded anvil (src/report/): L1 gas and bytes per transaction, soft confirmation, L1
 * finality, the cost of a dispute to each side and the trust assumption. Writes docs/report.md and
 * docs/report.svg; progress goes to stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { ModexError } from '../../core/errors.ts';
import { runAction } from '../action.ts';

interface ReportCliOptions {
  json: boolean;
  out: string;
  write: boolean;
  txs: string;
  disputeTxs: string;
  disputes?: string;
  only?: string;
}

class ReportOptionError extends ModexError {
  constructor(message: string) {
    super('REPORT_BAD_OPTION', message);
  }
}

function count(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new ReportOptionError(`${name} ${v}: an integer from ${min} to ${max}`);
  return n;
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'measure the same token workload under each standard config (fraud and attested proofs × calldata, blob and committee DA; ' +
        'planned proof systems listed as not implemented) in one run on the embedded anvil: L1 gas and bytes per ' +
        'transaction, time to soft confirmation and to L1 finality, the cost of a dispute to the honest side and ' +
        'the liar, the trust assumption; writes a table and a chart to docs/report.md and docs/report.svg',
    )
    .option('--json', 'print the results as one JSON object on stdout (the table is still written)', false)
    .option('--out <file>', 'markdown file to write (the chart goes next to it, .svg)', 'docs/report.md')
    .option('--no-write', 'do not write the markdown and SVG files')
    .option('--txs <n>', 'token transfers in each config’s workload', '500')
    .option('--dispute-txs <n>', 'transfers in the disputed block', '5')
    .option('--disputes <n>', 'measure a dispute for the first n configs only (default: every config)')
    .option('--only <names>', 'comma-separated configs to measure, e.g. "fraud + l1-blob"')
    .addHelpText(
      'after',
      '\nTakes several minutes (a full dispute per config). Examples:\n  $ npx modex report\n' +
        '  $ npx modex report --json | jq ".rows[] | {name, gas: .workload.l1_gas_per_tx}"\n' +
        '  $ npx modex report --txs 50 --disputes 1 --no-write',
    )
    .action(runAction((opts: ReportCliOptions) => report(opts)));
}

async function report(opts: ReportCliOptions): Promise<void> {
  const txs = count('--txs', opts.txs, 1, 5_000);
  const disputeTxs = count('--dispute-txs', opts.disputeTxs, 1, 500);
  const disputes = opts.disputes === undefined ? undefined : count('--disputes', opts.disputes, 0, 100);
  const only = opts.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const { runReport } = await import('../../report/report.ts');
  const { renderMarkdown, renderSvg, renderText } = await import('../../report/render.ts');
  const { reportConfigs } = await import('../../report/configs.ts');
  if (only) {
    const names = reportConfigs().map((c) => c.name);
    const unknown = only.filter((n) => !names.includes(n));
    if (unknown.length)
      throw new ReportOptionError(
        `--only ${unknown.join(', ')}: use ${names.map((n) => `"${n}"`).join(', ')}`,
      );
  }
  const r = await runReport({
    txs,
    disputeTxs,
    disputes,
    only,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  if (opts.write) {
    const svgFile = opts.out.replace(/\.md$/, '') + '.svg';
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(svgFile, renderSvg(r));
    writeFileSync(opts.out, renderMarkdown(r, basename(svgFile)));
    process.stderr.write(`wrote ${opts.out} and ${join(dirname(svgFile), basename(svgFile))}\n`);
  }
  if (opts.json) console.log(JSON.stringify(r));
  else console.log(renderText(r));
}
