/**
 * `modex bench l3` (issue 21 item 3, groundwork): the settlement contracts of an L3 on a modex EVM
 * chain (the L2), driven through its Ethereum JSON-RPC exactly as on L1, with the gas of each call
 * beside the same calls on anvil (docs/l3.md).
 *
 * The L2 settles on anvil (bench/l3-chain.ts: its sequencer role and batcher), so each L3 call's
 * L2 block is also measured on L1 (the postBatch that carried it). Then the same probe on a fresh
 * anvil at cancun (the L2's rules) and at prague.
 *
 * On each chain, through viem only (src/l1/anvil.ts `connectL1`: no anvil methods), signed by the
 * same keys (L2_KEYS):
 * deploySettlement (the L1 deploy function, test STF of test/test-stf.ts), an L3 batch (kind 0x00)
 * to the Inbox, a deposit through the Bridge, a second batch that includes it, the next assertion
 * (the honest claim over the first message, HonestClaim), the Inbox's merkleization of that
 * message, and one-step proofs of real steps of that block (src/vm/wasm/proof.ts): sent as
 * transactions to OneStepProver.proveOneStep, their post-state read by eth_call and compared with
 * the interpreter's. Two corrupted proofs (another pre-state, a truncated proof) must be refused
 * with the same custom error on both chains.
 */
import {
  type Abi,
  type Address,
  bytesToHex,
  decodeErrorResult,
  encodeFunctionData,
  getAddress,
  type Hex,
} from 'viem';
import { ModexError } from '../src/core/errors.ts';
import { connectL1, type L1, startAnvil } from '../src/l1/anvil.ts';
import { getArtifact } from '../src/l1/contracts.ts';
import { HonestClaim } from '../src/proof/fraud/claim.ts';
import { machineAt } from '../src/proof/fraud/machine-history.ts';
import { type AssertionData, toSolState } from '../src/settlement/ethereum/dispute-hash.ts';
import { machineLine } from '../src/util/bench-stats.ts';
import { toHex as wordHex } from '../src/vm/wasm/hash.ts';
import { HOST_FUNCS } from '../src/vm/wasm/host-abi.ts';
import { proveStep } from '../src/vm/wasm/proof.ts';
import { type DisputeFixture, setupDisputeFixture } from '../test/dispute-fixture.ts';
import {
  DISPUTE_TEST_PARAMS,
  disputeTestGenesis,
  disputeTestPayload,
  disputeTestProgram,
} from '../test/test-stf.ts';
import { L2_KEYS, type L2OnAnvil, startL2OnAnvil } from './l3-chain.ts';

const HOST_OP = 10;
const DEPOSIT_TO = getAddress('0x000000000000000000000000000000000000d3d3');
const DEPOSIT = 10n ** 15n;

const hostName = (id: number): string =>
  Object.entries(HOST_FUNCS).find(([, f]) => f.id === id)?.[0] ?? `host call ${id}`;

/** One one-step proof sent as a transaction. */
export interface OspRow {
  /** block 0's machine step */
  step: number;
  /** what it executes */
  what: string;
  gasUsed: bigint;
  /** proof bytes (calldata ≈ 4 + 3·32 + 32 + this) */
  proofBytes: number;
}

/** What one chain measured. */
export interface L3ChainGas {
  /** deployment transactions, by contract (and ChallengeManager.initialize) */
  deploy: Record<string, bigint>;
  deployTotal: bigint;
  /** each deployed contract's runtime code size, bytes (EIP-170: at most 24,576) */
  codeBytes: Record<string, number>;
  /** the L3 batch: Inbox.postBatch kind 0x00 of a 4-byte payload, no delayed message */
  batch: bigint;
  /** Bridge.depositEth */
  deposit: bigint;
  /** Inbox.postBatch that also includes the pending deposit (delayedRead + 1) */
  batchWithDeposit: bigint;
  /** Rollup.createAssertion with the bond, one block */
  assertion: bigint;
  /** Inbox.merkleizeMessage of the batch (what an inbox-read proof needs) */
  merkleize: bigint;
  osp: OspRow[];
  /** the custom error each corrupted proof was refused with */
  refused: { otherPre: string; truncated: string };
}

/** The probe's gas, and what it left on the chain (for tests that go on from there). */
export interface L3Probe {
  gas: L3ChainGas;
  fixture: DisputeFixture;
  /** the assertion created after genesis (pending) */
  assertion: AssertionData;
  /** the transaction of each measured call, by the L3ChainGas field (`osp.<i>` for the proofs) */
  txs: Record<string, Hex>;
}

/** A call on a chain did not do what the probe expects (names the step). */
export class L3ProbeError extends ModexError {
  constructor(message: string) {
    super('BENCH_L3_FAILED', message);
  }
}

/** the revert data somewhere in a viem error's cause chain */
function revertData(e: unknown): Hex | undefined {
  for (let x = e as { data?: unknown; cause?: unknown } | undefined; x; x = x.cause as typeof x) {
    if (typeof x.data === 'string' && x.data.startsWith('0x')) return x.data as Hex;
    if (typeof x.data === 'object' && x.data && typeof (x.data as { data?: unknown }).data === 'string')
      return (x.data as { data: Hex }).data;
  }
  return undefined;
}

/**
 * Runs the probe on `l` (accounts[0] funded, ≥ 2 ETH: the assertion bond is 1 ETH) and returns the
 * gas of each call. Throws when a proof's on-chain post-state differs from the interpreter's, or a
 * corrupted proof is not refused.
 */
export async function probeL3Settlement(l: L1): Promise<L3Probe> {
  const deployer = l.accounts[0].address;
  const first = await l.publicClient.getBlockNumber();
  const f = await setupDisputeFixture(l, {
    prog: disputeTestProgram(),
    params: DISPUTE_TEST_PARAMS,
    genesis: disputeTestGenesis(),
  });
  const s = f.settlement;
  const names = new Map<string, string>(
    Object.entries(s.addresses).map(([k, a]) => [String(a).toLowerCase(), k]),
  );
  const deploy: Record<string, bigint> = {};
  const head = await l.publicClient.getBlockNumber();
  for (let b = first + 1n; b <= head; b++) {
    const block = await l.publicClient.getBlock({ blockNumber: b, includeTransactions: true });
    for (const tx of block.transactions) {
      if (tx.from.toLowerCase() !== deployer.toLowerCase()) continue;
      const r = await l.publicClient.getTransactionReceipt({ hash: tx.hash });
      const name = r.contractAddress
        ? (names.get(r.contractAddress.toLowerCase()) ?? r.contractAddress)
        : `${names.get(String(tx.to).toLowerCase()) ?? tx.to}.initialize`;
      deploy[name] = (deploy[name] ?? 0n) + r.gasUsed;
    }
  }
  const deployTotal = Object.values(deploy).reduce((a, b) => a + b, 0n);
  const codeBytes: Record<string, number> = {};
  for (const [k, a] of Object.entries(s.addresses))
    codeBytes[k] = ((await l.publicClient.getCode({ address: a as Address })) ?? '0x').length / 2 - 1;

  // an L3 batch (position 0), a deposit, a batch with the deposit (positions 1, 2)
  const batchTx = await s.inbox.postBatch(disputeTestPayload(0));
  f.messages.push(...(await s.inbox.readMessages(0n, batchTx.position + 1n)).map((m) => m.data));
  const dep = await s.bridge.depositEth(DEPOSIT_TO, DEPOSIT);
  const second = await s.inbox.postBatch(disputeTestPayload(1));
  if (second.delayedRead !== 1n)
    throw new L3ProbeError(`the second batch read ${second.delayedRead} delayed`);
  const posted = await s.inbox.readMessages(BigInt(f.messages.length), second.position + 1n);
  f.messages.push(...posted.map((m) => m.data));

  // the next assertion: the honest claim over the one message the genesis assertion leaves
  const claim = new HonestClaim(f.ctx, f.genesis, 1);
  const l0 = claim.level0();
  const created = await s.rollup.createAssertion(
    f.genesisData,
    toSolState(claim.endState()),
    bytesToHex(l0.inner(0, l0.h)),
    await s.rollup.assertionBond(),
  );

  // one-step proofs of block 0: its first step, its inbox read, its first host call after that (keccak256_pair)
  const merk = await s.inbox.merkleize(0n);
  if (!merk.tx) throw new L3ProbeError('message 0 was already merkleized');
  const proverAbi = (await getArtifact('OneStepProver')).abi as Abi;
  const oracleErrors = ((await getArtifact('PreimageOracle')).abi as Abi).filter((x) => x.type === 'error');
  const abi = [...proverAbi, ...oracleErrors] as Abi;
  const c = machineAt(f.ctx.prog, f.genesis, f.ctx.host, 0);
  const wanted: { step: number; what: string }[] = [{ step: 0, what: 'first step' }];
  for (let step = 0; c.m.status === 0 && wanted.length < 3; step++) {
    const op = c.m.prog.ops[c.m.pc];
    if (op === HOST_OP) {
      const id = c.m.prog.immLo[c.m.pc];
      if (id === 0 && !wanted.some((w) => w.what === 'inbox_read')) wanted.push({ step, what: 'inbox_read' });
      else if (id !== 0 && wanted.length === 2) wanted.push({ step, what: hostName(id) });
    }
    c.m.run(1);
  }
  const osp: OspRow[] = [];
  const txs: Record<string, Hex> = {
    batch: batchTx.txHash,
    deposit: dep.txHash,
    batchWithDeposit: second.txHash,
    assertion: created.txHash,
    merkleize: merk.tx.txHash,
  };
  let refused: L3ChainGas['refused'] | undefined;
  const call = (args: readonly [Hex, Hex, Hex]) =>
    l.publicClient.readContract({ address: s.addresses.prover, abi, functionName: 'proveOneStep', args });
  const errorOf = async (args: readonly [Hex, Hex, Hex]): Promise<string> => {
    const data = encodeFunctionData({ abi, functionName: 'proveOneStep', args });
    const e = await l.publicClient.call({ to: s.addresses.prover, data }).then(
      () => undefined,
      (x: unknown) => x,
    );
    const raw = revertData(e);
    if (!raw) throw new L3ProbeError(`proveOneStep(${args[2].length} hex chars) was not refused with data`);
    return decodeErrorResult({ abi, data: raw }).errorName;
  };
  for (const w of wanted) {
    const m = machineAt(f.ctx.prog, f.genesis, f.ctx.host, w.step);
    const moduleRoot = wordHex(m.module.moduleRoot) as Hex;
    const pre = wordHex(m.hash()) as Hex;
    const proof = proveStep(m);
    m.m.run(1);
    const post = wordHex(m.hash());
    const args = [moduleRoot, pre, bytesToHex(proof)] as const;
    const got = await call(args);
    if (got !== post)
      throw new L3ProbeError(`step ${w.step} (${w.what}): the contract's post-state ${got} ≠ ${post}`);
    const hash = await l.walletClient.sendTransaction({
      to: s.addresses.prover,
      data: encodeFunctionData({ abi, functionName: 'proveOneStep', args }),
    });
    const r = await l.publicClient.waitForTransactionReceipt({ hash });
    if (r.status !== 'success')
      throw new L3ProbeError(`step ${w.step} (${w.what}): the proof transaction reverted`);
    osp.push({ ...w, gasUsed: r.gasUsed, proofBytes: proof.length });
    txs[`osp.${osp.length - 1}`] = hash;
    if (!refused) {
      const otherPre = `${pre.slice(0, -1)}${pre.endsWith('0') ? '1' : '0'}` as Hex;
      refused = {
        otherPre: await errorOf([moduleRoot, otherPre, args[2]]),
        truncated: await errorOf([moduleRoot, pre, bytesToHex(proof.subarray(0, proof.length - 32))]),
      };
    }
  }
  const gas: L3ChainGas = {
    deploy,
    deployTotal,
    codeBytes,
    batch: batchTx.gasUsed,
    deposit: dep.gasUsed,
    batchWithDeposit: second.gasUsed,
    assertion: created.gasUsed,
    merkleize: merk.tx.gasUsed,
    osp,
    refused: refused ?? { otherPre: '', truncated: '' },
  };
  return { gas, fixture: f, assertion: created.data, txs };
}

/** The L1 side of one L3 call on the L2: the postBatch that carried its L2 block. */
export interface L1Carrier {
  /** L1 gas of that postBatch */
  gasUsed: bigint;
  /** the batch's payload bytes on L1 (kind 0x04: brotli of the block's transaction list) */
  bytes: number;
  kind: number;
}

export interface L3BenchResult {
  l2: L3ChainGas;
  /** per L3 call (the L3ChainGas field, `osp.<i>`): the L2 batch on L1 that carried it */
  l1: Record<string, L1Carrier>;
  /** anvil with the L2's rules (Cancun): the same EVM, so the same gas but TIMESTAMP's effects */
  anvil: L3ChainGas;
  /** anvil at prague (Ethereum today): EIP-7623's calldata floor raises the proof transactions */
  anvilPrague: L3ChainGas;
  machine: string;
}

/** The L1 postBatch of each measured call's L2 block (after every L2 block is on L1). */
export async function l1Carriers(c: L2OnAnvil, p: L3Probe): Promise<Record<string, L1Carrier>> {
  const entries = await c.posted();
  const out: Record<string, L1Carrier> = {};
  for (const [k, tx] of Object.entries(p.txs)) out[k] = await c.carrier(tx, entries);
  return out;
}

/**
 * Runs the probe on a modex EVM chain settling on anvil (the L2; the L1 gas of the L2 batches that
 * carry each call), then on anvil at cancun and at prague.
 */
export async function benchL3(opts: { log?: (line: string) => void } = {}): Promise<L3BenchResult> {
  const log = opts.log ?? (() => {});
  log('starting anvil (L1) and a modex EVM chain on it (the L2)...');
  const c = await startL2OnAnvil();
  let l2: L3ChainGas;
  let l1: Record<string, L1Carrier>;
  try {
    log('probing the L2...');
    const p = await probeL3Settlement(c.l2);
    l2 = p.gas;
    log('waiting for the L2’s batches on L1...');
    l1 = await l1Carriers(c, p);
  } finally {
    await c.close();
  }
  const onAnvil = async (hardfork: string): Promise<L3ChainGas> => {
    log(`probing anvil (${hardfork})...`);
    const anvil = await startAnvil({ hardfork });
    try {
      // signed with the L2's keys: the same addresses in the calldata as on the L2
      const view = await connectL1(anvil.rpcUrl, { privateKeys: L2_KEYS, pollingIntervalMs: 20 });
      return (await probeL3Settlement(view)).gas;
    } finally {
      await anvil.stop();
    }
  };
  const anvil = await onAnvil('cancun');
  const anvilPrague = await onAnvil('prague');
  return { l2, l1, anvil, anvilPrague, machine: machineLine() };
}

export function formatL3Bench(r: L3BenchResult): string {
  const pick = (f: (g: L3ChainGas) => bigint | undefined, l1?: string) => [
    String(f(r.l2) ?? '-'),
    l1 && r.l1[l1] ? `${r.l1[l1].gasUsed} (${r.l1[l1].bytes} B)` : '',
    ...[r.anvil, r.anvilPrague].map((g) => String(f(g) ?? '-')),
  ];
  const rows: string[][] = [
    ...Object.keys(r.l2.deploy).map((k) => [
      `deploy ${k}${r.l2.codeBytes[k] ? ` (${r.l2.codeBytes[k]} B)` : ''}`,
      ...pick((g) => g.deploy[k]),
    ]),
    ['deploy, total', ...pick((g) => g.deployTotal)],
    ['L3 batch (postBatch 0x00, 4 B)', ...pick((g) => g.batch, 'batch')],
    ['deposit (Bridge.depositEth)', ...pick((g) => g.deposit, 'deposit')],
    ['L3 batch + the deposit', ...pick((g) => g.batchWithDeposit, 'batchWithDeposit')],
    ['assertion (createAssertion)', ...pick((g) => g.assertion, 'assertion')],
    ['merkleizeMessage', ...pick((g) => g.merkleize, 'merkleize')],
    ...r.l2.osp.map((o, i) => [
      `one-step proof: ${o.what} (step ${o.step}, ${o.proofBytes} B)`,
      ...pick((g) => g.osp[i]?.gasUsed, `osp.${i}`),
    ]),
  ];
  const table = [['call', 'L2 gas', 'L1 gas of its L2 batch', 'anvil cancun', 'anvil prague'], ...rows];
  const w = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  return [
    ...table.map((row) => row.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ')),
    '',
    `corrupted proofs refused: other pre-state → ${r.l2.refused.otherPre} (anvil ${r.anvil.refused.otherPre}); truncated → ${r.l2.refused.truncated} (anvil ${r.anvil.refused.truncated})`,
    'gas: each transaction receipt’s gasUsed (21,000 + calldata + execution); deploy (N B): runtime code size (EIP-170: ≤ 24,576)',
    'L1 gas of its L2 batch: the L2 block holding the call, posted by the L2’s batcher to its inbox on anvil (cancun): postBatch gas (payload bytes)',
    'the assertion costs 2,800 less on the L2: TIMESTAMP is 0 there (docs/l3.md); prague: EIP-7623’s calldata floor',
    r.machine,
  ].join('\n');
}
