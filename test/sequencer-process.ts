/**
 * Runs a token-app sequencer (a test fixture) with its JSON-RPC server in this process (used by the crash tests,
 * which kill it with SIGKILL). `node --import tsx test/sequencer-process.ts '<json>'` with
 * `{ dataDir, port?, maxBlockAgeMs?, maxTransactionsPerBlock?, maxBlockBytes?, mempoolLimit?,
 * deposits?: [address, amount][] }`: the deposits are the delayed messages 0, 1, … (the chain's
 * genesis funding). Prints one JSON line `{ url, pid, head }` when it serves; SIGTERM closes it.
 */
import type { Hex } from 'viem';
import { builtinAppBytes } from '../src/apps/sdk/builtin-apps.ts';
import { depositMessage, TOKEN_CHAIN_ID } from '../src/apps/token/client.ts';
import { WorkerExecutor } from '../src/node/block-worker.ts';
import { startRpcServer } from '../src/node/rpc.ts';
import { Sequencer } from '../src/node/sequencer.ts';

interface Args {
  dataDir: string;
  port?: number;
  maxBlockAgeMs?: number;
  maxTransactionsPerBlock?: number;
  maxBlockBytes?: number;
  mempoolLimit?: number;
  deposits?: [Hex, string][];
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const deposits = (args.deposits ?? []).map(([to, amount], index) => ({
  index,
  data: depositMessage(to, BigInt(amount)),
}));
const seq = await Sequencer.open({
  dataDir: args.dataDir,
  executor: new WorkerExecutor({
    app: { name: 'token', bytes: builtinAppBytes('token') },
    chainId: TOKEN_CHAIN_ID,
  }),
  maxBlockAgeMs: args.maxBlockAgeMs,
  maxTransactionsPerBlock: args.maxTransactionsPerBlock,
  maxBlockBytes: args.maxBlockBytes,
  mempoolLimit: args.mempoolLimit,
  delayed: () => deposits,
});
if (process.env.MODEX_SEQ_DEBUG)
  seq.subscribe((b) => {
    process.stderr.write(
      `${Date.now() % 100_000} block ${b.number} ${b.kind} txs ${b.txCount} sealedAt ${b.sealedAt % 100_000}\n`,
    );
  });
const rpc = await startRpcServer(seq, { port: args.port ?? 0 });
process.stdout.write(`${JSON.stringify({ url: rpc.url, pid: process.pid, head: seq.head })}\n`);
process.on('SIGTERM', () => {
  void rpc
    .close()
    .then(() => seq.close())
    .then(() => process.exit(0));
});
