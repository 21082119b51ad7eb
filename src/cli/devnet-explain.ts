/**
 * Plain words for what the devnet prints: a contract error in a log line (`TimerTooLow(0, 60)`)
 * gets the settlement bindings' explanation (src/settlement/ethereum/errors.ts) and a term of the
 * protocol gets one line of explanation: each the first time it shows.
 */
import { describeRevertByName } from '../settlement/ethereum/errors.ts';
// registers the rollup's and the challenge manager's errors
import '../settlement/ethereum/dispute-errors.ts';

/** term (matched case-insensitively) → what it means */
export const GLOSSARY: [RegExp, string, string][] = [
  [
    /\bsend root\b/i,
    'send root',
    "the root of the L2's withdrawals (outbox) tree; L1's bridge pays a withdrawal once an assertion with that send root is confirmed",
  ],
  [
    /\bassertion\b/i,
    'assertion',
    "a validator's claim, posted on L1 with a bond, of the L2 state after some blocks; confirmed after the challenge period unless disputed",
  ],
  [
    /\bmodule root\b/i,
    'module root',
    "the Merkle root of the STF's wasm code: the program L1 checks one-step proofs against",
  ],
  [
    /\bdelayed\b/i,
    'delayed message',
    'a message sent through L1 (a deposit, a forced transaction): the sequencer must include it, or anyone can force it in after sequencing.maxDelaySeconds',
  ],
  [
    /\bbisect|\bdissect|\blevel-0 edge|\bedge\b/i,
    'dispute moves',
    'a dispute narrows the disagreement by bisection (16-ary dissection of history "edges") down to one machine step',
  ],
  [
    /\bone-step[- ]proof\b/i,
    'one-step proof',
    'L1 executes the single disputed machine step itself and sees who was right',
  ],
  [/\btook the stake\b|\bslash/i, 'stake taken', "the losing validator's assertion bond goes to the winner"],
  [
    /\bcertificate\b/i,
    'certificate',
    "the DA committee's aggregated BLS signature that it stores the batch; L1 checks it instead of the data",
  ],
  [
    /\bsoft[- ]confirm/i,
    'soft confirmation',
    "the sequencer's promise of a block and index for a transaction, before L1 has it",
  ],
];

/** `Name(arg, arg)` in a line: custom errors of the contracts */
const CALL = /\b([A-Z][A-Za-z0-9]+)\(([^()]*)\)/g;

export class Explainer {
  private readonly seen = new Set<string>();

  /** The line's explanations (without the line), each to print indented below it. */
  explain(line: string): string[] {
    const out: string[] = [];
    for (const m of line.matchAll(CALL)) {
      const args = m[2].trim() === '' ? [] : m[2].split(',').map((a) => a.trim());
      // each error once: the devnet's validators retry, and the same answer would repeat
      if (this.seen.has(`error ${m[1]}`)) continue;
      const d = describeRevertByName(m[1], args);
      if (!d) continue;
      this.seen.add(`error ${m[1]}`);
      out.push(`${m[1]}(${m[2]}): ${d}`);
    }
    for (const [re, term, meaning] of GLOSSARY) {
      if (this.seen.has(term) || !re.test(line)) continue;
      this.seen.add(term);
      out.push(`${term}: ${meaning}`);
    }
    return out;
  }
}
