/** `modex bench …`: benchmarks (each loaded when its command runs, so the CLI starts fast). */
import { type Command, InvalidArgumentError } from 'commander';

/** commander's parser for a count option: a clear error for anything but a positive integer */
function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`a positive integer, not "${v}"`);
  return n;
}

export function register(program: Command): void {
  const bench = program.command('bench').description('benchmarks');
  bench
    .command('machine')
    .description(
      'wasm machine: interpreter steps/second (with and without commitments), native V8 time, largest one-step proof',
    )
    .option('--json', 'print one JSON object instead of a table', false)
    .action(async (opts: { json: boolean }) => {
      const { benchMachine, formatBench } = await import('../../../bench/machine.ts');
      const r = await benchMachine();
      console.log(opts.json ? JSON.stringify(r) : formatBench(r));
    });
  bench
    .command('osp')
    .description(
      'one-step prover: L1 gas per proven machine step (by instruction class) on the embedded anvil, each proof checked against the interpreter',
    )
    .option(
      '--json',
      'print one JSON object instead of a table (gas.median, gas.max, opcodes_covered, classes, opcodes)',
      false,
    )
    .option('--per-opcode <n>', 'proofs sampled per opcode', '25')
    .addHelpText('after', '\nExample:\n  npx modex bench osp --json | jq .gas\n')
    .action(async (opts: { json: boolean; perOpcode: string }) => {
      const { benchOsp, formatOspBench } = await import('../../../bench/osp.ts');
      const r = await benchOsp({
        perOpcode: Number(opts.perOpcode),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      console.log(opts.json ? JSON.stringify(r) : formatOspBench(r));
    });
  bench
    .command('l3')
    .description(
      "an L3's settlement contracts on a modex EVM chain (the L2) through its Ethereum JSON-RPC: L2 gas per deployment, L3 batch, deposit, assertion and one-step proof, beside anvil's (cancun, prague)",
    )
    .option(
      '--json',
      'print one JSON object instead of a table (l2, anvil, anvilPrague: gas per call)',
      false,
    )
    .addHelpText('after', '\nExample:\n  npx modex bench l3 --json | jq .l2.osp\n')
    .action(async (opts: { json: boolean }) => {
      const { benchL3, formatL3Bench } = await import('../../../bench/l3.ts');
      const r = await benchL3({ log: (line) => process.stderr.write(`${line}\n`) });
      console.log(
        opts.json
          ? JSON.stringify(r, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))
          : formatL3Bench(r),
      );
    });
  bench
    .command('token')
    .description(
      'token app: signed transfers/s through the native path (median per inbox message), interpreter steps per transfer, native CPU profile by host op',
    )
    .option(
      '--json',
      'print one JSON object instead of a table (tx_per_second, steps_per_tx, profile, …)',
      false,
    )
    .option('--accounts <n>', 'funded accounts', '1000')
    .option('--batch <n>', 'transfers per timed inbox message', '1000')
    .option('--messages <n>', 'timed messages (median)', '5')
    .option('--profile-messages <n>', 'extra messages run under the CPU profiler (0: no profile)', '2')
    .addHelpText('after', '\nExample:\n  npx modex bench token --json | jq .tx_per_second\n')
    .action(
      async (opts: {
        json: boolean;
        accounts: string;
        batch: string;
        messages: string;
        profileMessages: string;
      }) => {
        const { benchToken, formatTokenBench } = await import('../../../bench/token.ts');
        const r = await benchToken({
          accounts: Number(opts.accounts),
          batch: Number(opts.batch),
          messages: Number(opts.messages),
          profileMessages: Number(opts.profileMessages),
          log: (line) => process.stderr.write(`${line}\n`),
        });
        console.log(opts.json ? JSON.stringify(r) : formatTokenBench(r));
      },
    );
  bench
    .command('sovereign')
    .description(
      "sovereign light client: time to check one fraud proof (a block's witness) per block size, natively and interpreted, with the proof's size (docs/sovereign.md §4)",
    )
    .option('--json', 'print the rows as JSON instead of a table', false)
    .option(
      '--sizes <list>',
      'comma-separated kv writes per block',
      (v: string) => v.split(',').map((x) => positiveInt(x.trim())),
      [1, 10, 100, 1000],
    )
    .option('--interp-max <n>', 'interpreted checks up to this block size', positiveInt, 100)
    .addHelpText('after', '\nExample:\n  npx modex bench sovereign --sizes 1,100 --json\n')
    .action(async (opts: { json: boolean; sizes: number[]; interpMax: number }) => {
      const { benchSovereign, formatSovereignBench } = await import('../../../bench/sovereign.ts');
      const rows = await benchSovereign({
        sizes: opts.sizes,
        interpMax: opts.interpMax,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      console.log(opts.json ? JSON.stringify(rows) : formatSovereignBench(rows));
    });
  bench
    .command('validity')
    .description(
      'validity proofs end to end (docs/validity.md §6): the zk-rollup devnet (prove ms per transaction, gas of each proven confirmation, constraints, dev key setup, finality against a challenge period) and the hybrid fraud scenario (the honest side’s gas and moves)',
    )
    .option('--json', 'print one JSON object instead of a table', false)
    .addHelpText('after', '\nExample:\n  npx modex bench validity --json\n')
    .action(async (opts: { json: boolean }) => {
      const { benchValidity, formatValidityBench } = await import('../../../bench/validity.ts');
      const b = await benchValidity({ log: (line) => process.stderr.write(`${line}\n`) });
      console.log(opts.json ? JSON.stringify(b) : formatValidityBench(b));
      process.exit(0);
    });
  bench
    .command('dispute')
    .description(
      'full disputes on the embedded anvil (honest validator vs a liar about a block of token transfers) for 2^20, 2^28 and 2^36 machine steps per block: honest transactions and gas until confirmation, gas of an assertion',
    )
    .option(
      '--json',
      'print one JSON object instead of a table (assertion_gas, disputes[].steps, .honest_moves, .honest_gas, …)',
      false,
    )
    .option('--steps <list>', 'comma-separated log2 step heights to measure', '20,28,36')
    .option('--transfers <n>', 'signed transfers in the disputed block', '3')
    .option('--rpc <url>', 'use this L1 instead of an embedded anvil (needs evm_increaseTime)')
    .addHelpText('after', '\nExample:\n  npx modex bench dispute --json | jq .disputes\n')
    .action(async (opts: { json: boolean; steps: string; transfers: string; rpc?: string }) => {
      const { benchDispute, formatDisputeBench } = await import('../../../bench/dispute.ts');
      const r = await benchDispute({
        stepLogs: opts.steps.split(',').map(Number),
        transfers: Number(opts.transfers),
        rpc: opts.rpc,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      console.log(opts.json ? JSON.stringify(r) : formatDisputeBench(r));
    });
  bench
    .command('e2e')
    .description(
      "end to end on the embedded anvil with the devnet roles (sequencer + JSON-RPC, batcher, L1 inbox): signed transfers over HTTP from many funded senders — acknowledged tx/s, soft-confirmation latency (moderate and maximum load), L1 inclusion time, the devnet's first block",
    )
    .option(
      '--json',
      'print one JSON object instead of a table (tx_per_second, latency_ms.p50/.p99, l1_inclusion_s, devnet_first_block_s, …)',
      false,
    )
    .option('--txs <n>', 'transactions of the maximum-throughput phase', '20000')
    .option('--accounts <n>', 'funded L2 senders (one deposit through the bridge, then a fan-out)', '500')
    .option('--concurrency <n>', 'concurrent HTTP clients (keep-alive connections) at maximum load', '64')
    .option('--rate <n>', 'offered load of the moderate phase (tx/s, open loop, 6 s)', '500')
    .option('--batch <n>', 'transactions per HTTP request (JSON-RPC batch) at maximum load', '1')
    .option(
      '--short-age <s>',
      'block age (seconds) of the last phase, after a sequencer restart (0: skip)',
      '1',
    )
    .option('--rpc <url>', 'use this L1 instead of an embedded anvil')
    .option('--no-devnet', 'skip spawning `modex devnet` to time its first block')
    .option('--profile', 'CPU-profile the sequencer thread during the maximum load', false)
    .addHelpText('after', "\nExample:\n  npx modex bench e2e --json | jq '{tx_per_second, latency_ms}'\n")
    .action(
      async (opts: {
        json: boolean;
        txs: string;
        accounts: string;
        concurrency: string;
        rate: string;
        batch: string;
        shortAge: string;
        rpc?: string;
        devnet: boolean;
        profile: boolean;
      }) => {
        const { benchE2e, formatE2eBench } = await import('../../../bench/e2e.ts');
        const r = await benchE2e({
          txs: Number(opts.txs),
          accounts: Number(opts.accounts),
          concurrency: Number(opts.concurrency),
          rate: Number(opts.rate),
          batch: Number(opts.batch),
          shortAgeSeconds: Number(opts.shortAge),
          rpc: opts.rpc,
          devnet: opts.devnet,
          profile: opts.profile,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        console.log(opts.json ? JSON.stringify(r) : formatE2eBench(r));
      },
    );
  bench
    .command('attested')
    .description(
      'attested proofs (docs/attested.md) on the embedded anvil: L1 gas of an attestation for committees of 20, 50 and 100 ' +
        'active members out of 100 validators (every member signing, and h − 1 missing), of confirmAttested, sealEpoch and a ' +
        'confirmation by time; then finality (batch posted → its assertion confirmed) on the attested devnet ' +
        '(examples/attested.config.json) and on the same chain with fraud proofs only',
    )
    .option(
      '--json',
      'print one JSON object instead of a table (gas[].attestation_gas, gas[].confirm_attested_gas, finality[].finality_s, …)',
      false,
    )
    .option('--sizes <list>', 'comma-separated active committee sizes', '20,50,100')
    .option(
      '--runs <n>',
      'attested devnet runs whose batches are pooled (the fraud chain runs once)',
      positiveInt,
      3,
    )
    .option('--no-finality', 'measure gas only (skip the devnet runs, about 2–3 minutes)')
    .addHelpText('after', "\nExample:\n  npx modex bench attested --json | jq '.gas[0].attestation_gas'\n")
    .action(async (opts: { json: boolean; sizes: string; runs: number; finality: boolean }) => {
      const { benchAttested, formatAttestedBench } = await import('../../../bench/attested.ts');
      const r = await benchAttested({
        sizes: opts.sizes.split(',').map(Number),
        finality: opts.finality,
        runs: opts.runs,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      console.log(opts.json ? JSON.stringify(r) : formatAttestedBench(r));
    });
  bench
    .command('evm')
    .description(
      'ERC-20 transfers (contracts/test/BenchErc20.sol, solc) through the modex EVM guest (guest/apps/evm, docs/evm.md) ' +
        'natively, one evm_run_tx per transfer with the state roots chained, against the same signed transactions on ' +
        '@ethereumjs/vm in this process, interleaved rounds; machine steps per transfer in the step interpreter',
    )
    .option(
      '--json',
      'print one JSON object (erc20_tx_per_second, ethereumjs_erc20_tx_per_second, steps_per_transfer, …)',
      false,
    )
    .option('--holders <n>', 'token holders, each a sender', positiveInt, 200)
    .option('--transfers <n>', 'timed transfers per round and engine', positiveInt, 1000)
    .option('--rounds <n>', 'interleaved rounds (medians are reported)', positiveInt, 5)
    .option('--interpreted <n>', 'transfers run in the step interpreter to count steps', positiveInt, 3)
    .addHelpText('after', '\nExample:\n  npx modex bench evm --rounds 3 --json | jq .speedup_median\n')
    .action(
      async (opts: {
        json: boolean;
        holders: number;
        transfers: number;
        rounds: number;
        interpreted: number;
      }) => {
        const { benchEvm, formatEvmBench } = await import('../../../bench/evm.ts');
        const r = await benchEvm({ ...opts, log: (line) => process.stderr.write(`${line}\n`) });
        console.log(opts.json ? JSON.stringify(r) : formatEvmBench(r));
      },
    );
  bench
    .command('evm-chain')
    .description(
      'ERC-20 transfers (contracts/test/BenchErc20.sol) end to end on a modex EVM chain: a sequencer with the EVM app and ' +
        'its JSON-RPC server in this process (no L1: senders funded by deposit messages through the delayed path, the ' +
        'token deployed by a signed create), transfers signed beforehand and sent by eth_sendRawTransaction over HTTP ' +
        'from many senders; the same transactions against anvil in the same run, repetitions interleaved. Soft-confirmed ' +
        'transfers/s, acknowledgment latency, every receipt and the final token balances checked on both chains',
    )
    .option(
      '--json',
      'print one JSON object instead of a table (tx_per_second, latency_ms.p50/.p99, anvil_tx_per_second, anvil_latency_ms, ratio, all_executed, balances, reps[], …)',
      false,
    )
    .option('--txs <n>', 'transfers per repetition and chain', positiveInt, 5000)
    .option(
      '--senders <n>',
      "funded senders (token holders, each sending to the next; at least 2, and few enough for the token's create, which funds them all, to fit one transaction)",
      positiveInt,
      128,
    )
    .option('--concurrency <n>', 'concurrent HTTP clients (keep-alive connections)', positiveInt, 64)
    .option('--reps <n>', 'repetitions per chain, interleaved (medians are reported)', positiveInt, 3)
    .option(
      '--block-age <ms>',
      'modex: a non-empty block seals this long after its first transaction',
      positiveInt,
      1000,
    )
    .option(
      '--block-txs <n>',
      'modex: most transactions in a block (as examples/evm.config.json)',
      positiveInt,
      1000,
    )
    .option(
      '--profile',
      "CPU-profile the main thread (modex's sequencer and JSON-RPC server) during modex's repetitions",
      false,
    )
    .addHelpText(
      'after',
      "\nThe goal is ratio ≥ 0.5 (modex soft-confirmed tx/s ÷ anvil's). Each modex acknowledgment waits for the sequencer's WAL group commit (fdatasync); its data directory is a fresh one under the OS temp dir (TMPDIR=/dev/shm puts it on tmpfs). Anvil mines every --block-age (rounded to seconds) with base fee 0.\n\nExample:\n  npx modex bench evm-chain --txs 2000 --json | jq '{tx_per_second, anvil_tx_per_second, ratio}'\n",
    )
    .action(
      async (opts: {
        json: boolean;
        txs: number;
        senders: number;
        concurrency: number;
        reps: number;
        blockAge: number;
        blockTxs: number;
        profile: boolean;
      }) => {
        const { benchEvmChain, formatEvmChainBench } = await import('../../../bench/evm-chain.ts');
        const r = await benchEvmChain({
          ...opts,
          blockAgeMs: opts.blockAge,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        console.log(opts.json ? JSON.stringify(r) : formatEvmChainBench(r));
      },
    );
  bench
    .command('da')
    .description(
      'L1 cost of each DA module on the token workload, through the batcher and the inbox on the embedded anvil: ' +
        'gas and bytes per transaction for l1-calldata, l1-blob and committee, the certificate check per batch, ' +
        'and certificate latency with 5 and 20 local committee members',
    )
    .option(
      '--json',
      'print one JSON object instead of a table (modules["l1-calldata"|"l1-blob"|"committee"].gas_per_tx, .bytes_per_tx, modules.committee.certificate_gas, certificate_latency_ms)',
      false,
    )
    .option('--batches <n>', 'batches posted per module', '3')
    .option('--txs <n>', 'token transfers per batch', '500')
    .option('--certificates <n>', 'certificates per committee size for the latency percentiles', '40')
    .option('--rpc <url>', 'use this L1 instead of an embedded anvil')
    .addHelpText(
      'after',
      "\nExample:\n  npx modex bench da --json | jq '.modules | map_values(.gas_per_tx)'\n",
    )
    .action(
      async (opts: { json: boolean; batches: string; txs: string; certificates: string; rpc?: string }) => {
        const { benchDa, formatDaBench } = await import('../../../bench/da.ts');
        const r = await benchDa({
          batches: Number(opts.batches),
          txsPerBatch: Number(opts.txs),
          certificates: Number(opts.certificates),
          rpc: opts.rpc,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        console.log(opts.json ? JSON.stringify(r) : formatDaBench(r));
      },
    );
}
