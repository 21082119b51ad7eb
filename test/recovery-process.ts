/**
 * Opens a token-app sequencer on a data dir and re-executes it from L1 (`Sequencer.recover`), for
 * the crash test that kills it with SIGKILL at random points of the recovery
 * (src/node/sequencer.test.ts). `node --import tsx test/recovery-process.ts '<json>'` with
 * `{ dataDir, from, l1: [{ kind, message, txs, delayedIndex? }] (hex), deposits: [address, amount][] }`.
 * Prints `open` once the sequencer is open, then the recovery's result as one JSON line, and exits.
 */
import { type Hex, hexToBytes } from 'viem';
import { depositMessage } from '../src/apps/token/client.ts';
import { type L1Block, Sequencer } from '../src/node/sequencer.ts';
import { tokenWorker } from './node-utils.ts';

interface Args {
  dataDir: string;
  from: number;
  l1: { kind: 'batch' | 'delayed'; message: Hex; txs: Hex[]; delayedIndex?: number }[];
  deposits: [Hex, string][];
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const deposits = args.deposits.map(([to, amount], index) => ({
  index,
  data: depositMessage(to, BigInt(amount)),
}));
const seq = await Sequencer.open({
  dataDir: args.dataDir,
  executor: tokenWorker(),
  newExecutor: tokenWorker,
  maxBlockAgeMs: 20,
  maxTransactionsPerBlock: 5,
  delayed: () => deposits,
});
process.stdout.write('open\n');
const blocks: L1Block[] = args.l1.map((b) => ({
  kind: b.kind,
  message: hexToBytes(b.message),
  txs: b.txs.map((t) => hexToBytes(t)),
  delayedIndex: b.delayedIndex,
}));
const r = await seq.recover(args.from, blocks);
await seq.idle();
process.stdout.write(`${JSON.stringify(r)}\n`);
await seq.close();
process.exit(0);
