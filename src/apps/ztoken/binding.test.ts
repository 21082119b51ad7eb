/**
 * The validity L1 binding on anvil (docs/validity.md §5) with real Groth16 proofs: the settlement
 * contracts with a ValidityVerifier(ZTokenBinding, Groth16Verifier) in the Rollup's committee slot.
 * The circuit is test/zk/validity-signals.circom (the ztoken circuit's 15 public inputs, constrained
 * trivially), so what is tested is the binding: an assertion proven chunk by chunk is created and
 * confirmed in one transaction and its withdrawal is paid by the Bridge at once; every check refuses
 * its fault with a named error. The account roots are arbitrary field elements in real compact-trie
 * states (the ztoken circuit, not this one, relates them to the records). One anvil; the tests run
 * in order and share the chain.
 */
import { type Abi, type Address, encodeFunctionData, type Hex, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disputeTestProgram } from '../../../test/test-stf.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { moduleFieldsHex } from '../../proof/fraud/claim.ts';
import {
  emptyFrontier,
  encodeFrontier,
  FRONTIER_KEY,
  frontierAppend,
  frontierRoot,
} from '../../proof/validity/outbox-frontier.ts';
import {
  deployValidityVerifier,
  encodeValidityAttestation,
  messagesMatch,
  type ProofWords,
  proofWords,
} from '../../proof/validity/validity-verifier.ts';
import { deploySettlement, type SettlementDeployment } from '../../settlement/ethereum/deploy-settlement.ts';
import {
  type AssertionData,
  assertionId,
  type SolGlobalState,
  ZERO32,
} from '../../settlement/ethereum/dispute-hash.ts';
import { encodeTxList } from '../../settlement/ethereum/message.ts';
import { predictAssertion, RollupClient } from '../../settlement/ethereum/rollup.ts';
import { expectRevert } from '../../settlement/ethereum/test-utils.ts';
import { compileCircuit } from '../../zk/compile.ts';
import { releaseCurve } from '../../zk/curve.ts';
import { devSetup } from '../../zk/dev-setup.ts';
import { prove } from '../../zk/prove.ts';
import { compileVerifier, solidityVerifier } from '../../zk/solidity.ts';
import { outboxProof, outboxRoot, withdrawalLeaf } from '../sdk/outbox.ts';
import { PreimageStore } from '../sdk/preimage-store.ts';
import { StateTree } from '../sdk/state-tree.ts';
import {
  ACCOUNT_ROOT_KEY,
  accountRootProven,
  encodeZTokenWitness,
  type ZTokenProofPlan,
  type ZTokenWitness,
  zTokenProofPlan,
} from './binding.ts';
import { recordsOf, recordWordCount, recordWords } from './records.ts';
import { encodeTx, type ZTx } from './tx.ts';

const CHAIN = 0x6d6f6465780003n;
const T = 2;
const DISPUTE = {
  heights: [3, 3, 7],
  challengePeriod: 100n,
  assertionBond: 10n ** 18n,
  edgeBond: 10n ** 17n,
};
const BOND = DISPUTE.assertionBond;
/** BabyJubJub's Base8: a key on the curve */
const B8 = [
  5299619240641551281634865583518297030282874472190772894086521144482721001553n,
  16950150798460657717958625567821834550301663161624707787222815936182638968203n,
] as const;
const SIG = { R8: [11n, 12n] as const, S: 13n };
const tx = (t: ZTx) => encodeTx({ tx: t, sig: SIG });
const L1_TO = '0x00000000000000000000000000000000000a11ce' as Address;
const ETH = 10n ** 18n;

let l1: L1;
let s: SettlementDeployment;
let rollup: RollupClient;
let wasm: string;
let zkey: string;
let groth16: Address;
let bindingAddr: Address;

/** a ztoken state: chain id, account root, optional outbox frontier and withdrawal records */
function zstate(accountRoot: bigint, edit?: (t: StateTree) => void): StateTree {
  const t = new StateTree(new PreimageStore());
  t.set(Uint8Array.of(0x05), Buffer.from(toHex(CHAIN, { size: 8 }).slice(2), 'hex'));
  t.set(ACCOUNT_ROOT_KEY, Buffer.from(toHex(accountRoot, { size: 32 }).slice(2), 'hex'));
  edit?.(t);
  return t;
}
const solState = (t: StateTree, sendRoot: Uint8Array, inboxPosition: bigint): SolGlobalState => ({
  stateRoot: toHex(t.root),
  sendRoot: toHex(sendRoot),
  inboxPosition,
  positionInMessage: 0n,
});

/** record words per chunk (validity v1.1: 11 at T = 2) */
const K = recordWordCount(T);

/** a chunk's signals (preRoot, postRoot, K record words, acceptedMask, chainId) with some replaced */
const signalsWith = (
  s: readonly bigint[],
  o: { preRoot?: bigint; postRoot?: bigint; words?: bigint[]; mask?: bigint; chainId?: bigint },
): bigint[] => [
  o.preRoot ?? s[0],
  o.postRoot ?? s[1],
  ...(o.words ?? s.slice(2, 2 + K)),
  o.mask ?? s[2 + K],
  o.chainId ?? s[3 + K],
];

async function proveChunk(signals: bigint[]): Promise<ProofWords> {
  expect(signals).toHaveLength(4 + K);
  const str = signals.map(String);
  const p = await prove(wasm, zkey, {
    preRoot: str[0],
    postRoot: str[1],
    recordWords: str.slice(2, 2 + K),
    acceptedMask: str[2 + K],
    chainId: str[3 + K],
  });
  expect(p.publicSignals).toEqual(signals.map(String));
  return proofWords(p.proof);
}

async function predict(prev: AssertionData, end: SolGlobalState): Promise<AssertionData> {
  return predictAssertion(prev, end, ZERO32, await rollup.inboxCount(), DISPUTE.heights[0]);
}

interface Case {
  prev: AssertionData;
  end: SolGlobalState;
  next: AssertionData;
  messages: Uint8Array[];
  plan: ZTokenProofPlan;
  proofs: ProofWords[];
}

/** builds an honest case: prev → (newState, sendRoot) over the messages of the range */
async function honest(
  prev: AssertionData,
  prevState: StateTree,
  newState: StateTree,
  chunkRoots: bigint[],
  masks: bigint[],
): Promise<Case> {
  const inboxEnd = prev.nextInboxPosition; // the range the Rollup fixes (small heights: no cap)
  const messages = (await s.inbox.readMessages(prev.end.inboxPosition, inboxEnd)).map((m) => m.data);
  const plan = zTokenProofPlan({
    messages,
    start: prev.end.inboxPosition,
    chainId: CHAIN,
    slots: T,
    prevState,
    newState,
    chunkRoots,
    masks,
  });
  const end = solState(newState, plan.sendRoot, inboxEnd);
  const next = await predict(prev, end);
  const proofs: ProofWords[] = [];
  for (const c of plan.chunks) proofs.push(await proveChunk(c.signals));
  return { prev, end, next, messages, plan, proofs };
}

const att = (
  c: Case,
  o: Partial<{
    witness: ZTokenWitness;
    proofs: ProofWords[];
    messages: Uint8Array[];
    next: AssertionData;
  }> = {},
) =>
  encodeValidityAttestation({
    prev: c.prev,
    next: o.next ?? c.next,
    messages: o.messages ?? c.messages,
    proofs: o.proofs ?? c.proofs,
    witness: encodeZTokenWitness(o.witness ?? c.plan.witness),
  });
const submit = (c: Case, a: Hex, value = 0n) =>
  rollup.createAttestedAssertion(c.prev, c.end, ZERO32, a, value);
const reverts = (p: Promise<unknown>, name: string, args?: readonly unknown[]) =>
  expectRevert(p, 'Rollup', name, args);

async function txGas(to: Address, data: Hex): Promise<bigint> {
  const hash = await l1.walletClient.sendTransaction({ to, data, gas: 5_000_000n });
  const r = await l1.publicClient.waitForTransactionReceipt({ hash });
  expect(r.status).toBe('success');
  return r.gasUsed;
}

// states: S0 genesis, S1 after the deposit, S2 after open, transfer, withdraw
const S0 = zstate(1000n);
const S1 = zstate(1001n);
let S2: StateTree;
let g: AssertionData;
let a1: Case;
let a2: Case;
let two: Case;
const gas: Record<string, bigint> = {};

beforeAll(async () => {
  const circuit = await compileCircuit('test/zk/validity-signals.circom');
  const keys = await devSetup(circuit.r1cs);
  wasm = circuit.wasm;
  zkey = keys.zkey;
  l1 = await startAnvil();
  const verifierArtifact = await compileVerifier(await solidityVerifier(zkey));
  groth16 = (
    await deploy(l1, {
      contractName: 'Groth16Verifier',
      sourceName: 'Groth16Verifier.sol',
      deployedBytecode: '0x',
      ...verifierArtifact,
    })
  ).address;
  bindingAddr = (await deploy(l1, await getArtifact('ZTokenBinding'), [BigInt(T), CHAIN])).address;
  s = await deploySettlement(l1, {
    sequencer: l1.accounts[0].address,
    maxDelaySeconds: 3600,
    moduleFields: moduleFieldsHex(disputeTestProgram()),
    genesis: solState(S0, new Uint8Array(32), 0n),
    params: DISPUTE,
    attestationVerifier: (inbox) => deployValidityVerifier(l1, { inbox, binding: bindingAddr, groth16 }),
  });
  const errors = async (name: string) => (await getArtifact(name)).abi.filter((x) => x.type === 'error');
  // RollupClient.at decodes the ValidityVerifier's errors; the app binding's are the app's
  const at = await RollupClient.at(s.rollup.clients, s.addresses.rollup);
  rollup = new RollupClient(
    at.clients,
    at.address,
    [...at.abi, ...(await errors('ZTokenBinding'))] as Abi,
    'Rollup',
  );
  g = (await s.rollup.assertions(s.deployBlock))[0].data;
  // position 0: a deposit of 5 ETH to account 1 (its address: idx 1 ‖ 18 bytes)
  await s.bridge.depositEth('0x0001aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 5n * ETH);
  // position 1: open 1 (on the curve), open 2 with a key off the curve (no record), transfer 1 → 2,
  // withdraw 2 ETH from 1 to L1_TO, a transfer for another chain (no record)
  await s.inbox.postBatch(
    encodeTxList([
      tx({ op: 3, chainId: CHAIN, nonce: 0n, index: 1, key: B8 }),
      tx({ op: 3, chainId: CHAIN, nonce: 0n, index: 2, key: [B8[0], B8[1] + 1n] }),
      tx({ op: 1, chainId: CHAIN, nonce: 1n, from: 1, to: 2, amount: 7n }),
      tx({ op: 2, chainId: CHAIN, nonce: 2n, from: 1, to: BigInt(L1_TO), amount: 2n * ETH }),
      tx({ op: 1, chainId: CHAIN + 1n, nonce: 3n, from: 1, to: 2, amount: 1n }),
    ]),
  );
  // position 2: a list that does not decode (trailing byte): no records
  await s.inbox.postBatch(Uint8Array.of(0, 0, 0, 0, 0, 9));
}, 180_000);

afterAll(async () => {
  await l1?.stop();
  await releaseCurve();
});

describe('ValidityVerifier + ZTokenBinding (docs/validity.md §5)', () => {
  it('a deposit (1 record, 1 chunk) is created and confirmed in one transaction', async () => {
    a1 = await honest(g, S0, S1, [1001n], [1n]);
    expect(a1.plan.chunks).toHaveLength(1);
    // validity v1.1: preRoot, postRoot, 11 record words, acceptedMask, chainId
    const perChunk = await l1.publicClient.readContract({
      address: bindingAddr,
      abi: (await getArtifact('ZTokenBinding')).abi,
      functionName: 'signalsPerChunk',
    });
    expect(perChunk).toBe(15n);
    expect(a1.plan.chunks[0].signals).toHaveLength(15);
    expect(a1.plan.chunks[0].records[0][0]).toBe(4);
    expect(a1.end.inboxPosition).toBe(1n);
    const r = await submit(a1, att(a1), BOND);
    expect(r.id).toBe(assertionId(a1.next));
    expect(await s.rollup.status(r.id)).toBe('confirmed');
    expect(await s.rollup.latestConfirmed()).toBe(r.id);
    gas.total1 = r.gasUsed;
  });

  it('builds the 2-chunk case: 3 records (open, transfer, withdraw), the off-curve open and the other chain’s transfer give none', async () => {
    expect(a1.next.nextInboxPosition).toBe(3n);
    // what L1 will append: the plan's withdrawals (the new state's account root is all it reads of it)
    const plan = zTokenProofPlan({
      messages: (await s.inbox.readMessages(1n, 3n)).map((m) => m.data),
      start: 1n,
      chainId: CHAIN,
      slots: T,
      prevState: S1,
      newState: zstate(1003n),
      chunkRoots: [1002n, 1003n],
      masks: [3n, 1n],
    });
    expect(plan.chunks.map((c) => c.records.map((r) => r[0]))).toEqual([
      [3, 1],
      [2, 0],
    ]);
    expect(plan.withdrawals).toEqual([
      { index: 0n, from: toHex(1n, { size: 20 }), to: L1_TO, amount: 2n * ETH },
    ]);
    // the honest new state holds the frontier with that withdrawal (as the SDK's outboxAppend writes it)
    const f = frontierAppend(emptyFrontier(), withdrawalLeaf(plan.withdrawals[0]));
    expect(toHex(frontierRoot(f))).toBe(toHex(plan.sendRoot));
    expect(toHex(plan.sendRoot)).toBe(toHex(outboxRoot([withdrawalLeaf(plan.withdrawals[0])])));
    S2 = zstate(1003n, (t) => t.set(FRONTIER_KEY, encodeFrontier(f)));
    a2 = await honest(a1.next, S1, S2, [1002n, 1003n], [3n, 1n]);
    expect(a2.proofs).toHaveLength(2);
    expect(accountRootProven(S2.root, 1003n, a2.plan.witness.postProof)).toBe(true);
    expect(messagesMatch(await s.inbox.accumulator(1n), a2.messages, await s.inbox.accumulator(3n))).toBe(
      true,
    );
  });

  it('refuses a wrong proof, proofs for other roots, another batch, another mask or chain id, a replayed proof', async () => {
    const [p0, p1] = a2.proofs;
    const swapped = [p0[6], p0[7], p0[2], p0[3], p0[4], p0[5], p0[0], p0[1]] as unknown as ProofWords;
    await reverts(submit(a2, att(a2, { proofs: [swapped, p1] }), 0n), 'InvalidProof', [0n]);
    // the proofs swapped between chunks
    await reverts(submit(a2, att(a2, { proofs: [p1, p0] }), 0n), 'InvalidProof', [0n]);
    const sig = a2.plan.chunks.map((c) => c.signals);
    // a proof for another post-root of chunk 1 (the witness says 1003)
    const otherRoot = await proveChunk(signalsWith(sig[1], { postRoot: 999n }));
    await reverts(submit(a2, att(a2, { proofs: [p0, otherRoot] }), 0n), 'InvalidProof', [1n]);
    // a proof of chunk 0 for another batch (other records)
    const otherBatch = await proveChunk(
      signalsWith(sig[0], { words: recordWords(a2.plan.chunks[1].records) }),
    );
    await reverts(submit(a2, att(a2, { proofs: [otherBatch, p1] }), 0n), 'InvalidProof', [0n]);
    // one record word changed: the first, a middle one, the last (its low 21 bytes are padding)
    for (const i of [0, 5, K - 1]) {
      const words = sig[1].slice(2, 2 + K);
      words[i] += 1n;
      const otherWord = await proveChunk(signalsWith(sig[1], { words }));
      await reverts(submit(a2, att(a2, { proofs: [p0, otherWord] }), 0n), 'InvalidProof', [1n]);
    }
    // another mask in the witness (chunk 0 has no withdrawal: the send root is the same)
    await reverts(
      submit(a2, att(a2, { witness: { ...a2.plan.witness, masks: [1n, 1n] } }), 0n),
      'InvalidProof',
      [0n],
    );
    // a proof made for another chain id
    const otherChain = await proveChunk(signalsWith(sig[0], { chainId: CHAIN + 1n }));
    await reverts(submit(a2, att(a2, { proofs: [otherChain, p1] }), 0n), 'InvalidProof', [0n]);
    // the mid root changed: chunk 0's post-root and chunk 1's pre-root no longer match the proofs
    await reverts(
      submit(a2, att(a2, { witness: { ...a2.plan.witness, midRoots: [1005n] } }), 0n),
      'InvalidProof',
      [0n],
    );
    // a1's proof replayed for a2's first chunk
    await reverts(submit(a2, att(a2, { proofs: [a1.proofs[0], p1] }), 0n), 'InvalidProof', [0n]);
    // one proof short
    await reverts(submit(a2, att(a2, { proofs: [p0] }), 0n), 'WrongProofCount', [2n, 1n]);
    // a mask or a mid root missing
    await reverts(
      submit(a2, att(a2, { witness: { ...a2.plan.witness, masks: [3n] } }), 0n),
      'WrongChunkData',
      [2n, 1n, 1n],
    );
    await reverts(
      submit(a2, att(a2, { witness: { ...a2.plan.witness, midRoots: [] } }), 0n),
      'WrongChunkData',
      [2n, 0n, 2n],
    );
    // a mask past the slots
    await reverts(submit(a2, att(a2, { witness: { ...a2.plan.witness, masks: [3n, 5n] } }), 0n), 'BadMask', [
      1n,
      5n,
    ]);
  });

  it('refuses wrong inclusion proofs, a wrong frontier, other messages, wrong assertion data', async () => {
    const w = a2.plan.witness;
    const bad = w.preProof.map((x) => x.slice());
    bad[0][3] ^= 1;
    await reverts(submit(a2, att(a2, { witness: { ...w, preProof: bad } }), 0n), 'BadStateProof');
    await reverts(submit(a2, att(a2, { witness: { ...w, postRoot: 1004n } }), 0n), 'BadStateProof');
    const e = await reverts(submit(a2, att(a2, { witness: { ...w, preRoot: 1000n } }), 0n), 'BadStateProof');
    expect(e.args[0]).toBe(false);
    // the frontier: a count of 1 does not give the previous send root 0x00…00
    await reverts(
      submit(a2, att(a2, { witness: { ...w, frontier: { ...w.frontier, count: 1n } } }), 0n),
      'FrontierMismatch',
    );
    // a withdrawal left out (its mask bit cleared): the send root differs
    await reverts(submit(a2, att(a2, { witness: { ...w, masks: [3n, 0n] } }), 0n), 'SendRootMismatch');
    // a message changed, a message missing
    const changed = a2.messages.map((m) => m.slice());
    changed[1][5] ^= 1;
    await reverts(submit(a2, att(a2, { messages: changed }), 0n), 'MessagesMismatch');
    await reverts(submit(a2, att(a2, { messages: a2.messages.slice(0, 1) }), 0n), 'WrongMessageCount', [
      2n,
      1n,
    ]);
    // the attestation of another assertion (another state root)
    await reverts(
      submit(a2, att(a2, { next: { ...a2.next, end: { ...a2.next.end, stateRoot: toHex(S1.root) } } }), 0n),
      'WrongAssertion',
    );
  });

  it('refuses a proof against an unconfirmed parent', async () => {
    const snap = await l1.testClient.snapshot();
    // a pending assertion after a1 (the plain path), then a proof of its successor
    const pending = await s.rollup
      .as(s.rollup.clients)
      .createAssertion(a1.next, a2.end, toHex(1n, { size: 32 }), 0n);
    await s.inbox.postBatch(Uint8Array.of(0, 0, 0, 0, 0));
    const c = { ...a2, prev: pending.data };
    await reverts(
      rollup.createAttestedAssertion(
        pending.data,
        { ...a2.end, inboxPosition: pending.data.nextInboxPosition },
        ZERO32,
        att(c),
        0n,
      ),
      'PrevNotLatestConfirmed',
    );
    await l1.testClient.revert({ id: snap });
  });

  it('the two-chunk assertion confirms in one transaction and its withdrawal is paid by the Bridge at once', async () => {
    const r = await submit(a2, att(a2), 0n);
    expect(await s.rollup.status(r.id)).toBe('confirmed');
    gas.total2 = r.gasUsed;
    two = a2;
    const w = a2.plan.withdrawals[0];
    const before = await l1.publicClient.getBalance({ address: L1_TO });
    await s.bridge.executeWithdrawal(w, a2.plan.sendRoot, outboxProof([withdrawalLeaf(w)], 0));
    expect((await l1.publicClient.getBalance({ address: L1_TO })) - before).toBe(2n * ETH);
  });

  it('a parent that is not the latest confirmed is refused', async () => {
    await reverts(
      rollup.createAttestedAssertion(a1.prev, a1.end, toHex(2n, { size: 32 }), att(a1), 0n),
      'PrevNotLatestConfirmed',
    );
  });

  it('no records: zero proofs when the account root is unchanged, refused when it changes', async () => {
    // position 3 holds nothing provable-as-records; the range of the next assertion is [3, 4)
    await s.inbox.postBatch(Uint8Array.of(0, 0, 0, 0, 0));
    const S3 = zstate(1003n, (t) => t.set(FRONTIER_KEY, S2.get(FRONTIER_KEY) as Uint8Array));
    // the Rollup fixed a2's successor range when a2 was created: [3, a2.next.nextInboxPosition)
    const c = await honest(a2.next, S2, S3, [], []);
    expect(c.plan.chunks).toHaveLength(0);
    expect(c.end.sendRoot).toBe(a2.end.sendRoot);
    const moved = zstate(1009n, (t) => t.set(FRONTIER_KEY, S2.get(FRONTIER_KEY) as Uint8Array));
    const bad: Case = { ...c, end: { ...c.end, stateRoot: toHex(moved.root) } };
    bad.next = await predict(c.prev, bad.end);
    await reverts(
      submit(
        bad,
        att(bad, {
          witness: {
            ...c.plan.witness,
            postRoot: 1009n,
            postProof: moved.prove(ACCOUNT_ROOT_KEY)?.siblings ?? [],
          },
        }),
        0n,
      ),
      'RootsDifferWithoutRecords',
      [toHex(1003n, { size: 32 }), toHex(1009n, { size: 32 })],
    );
    // or one proof of a chunk of padding records (which can only show the same root)
    const snap = await l1.testClient.snapshot();
    const pad = [1003n, 1003n, ...recordWords([new Uint8Array(160), new Uint8Array(160)]), 0n, CHAIN];
    expect(pad).toEqual([1003n, 1003n, ...new Array(K).fill(0n), 0n, CHAIN]);
    const padded = att(c, { proofs: [await proveChunk(pad)], witness: { ...c.plan.witness, masks: [0n] } });
    expect(await s.rollup.status((await submit(c, padded, 0n)).id)).toBe('confirmed');
    await l1.testClient.revert({ id: snap });
    const r = await submit(c, att(c), 0n);
    expect(await s.rollup.status(r.id)).toBe('confirmed');
    gas.total0 = r.gasUsed;
    a2 = c; // the latest confirmed
  });

  it('an unprovable message kind (brotli) is refused with its position', async () => {
    await s.inbox.postBatch(Uint8Array.of(1, 2, 3), { kind: 0x04 });
    const pos = a2.next.nextInboxPosition - 1n;
    const messages = (await s.inbox.readMessages(a2.next.end.inboxPosition, a2.next.nextInboxPosition)).map(
      (m) => m.data,
    );
    expect(messages[messages.length - 1][0]).toBe(4);
    const end = { ...a2.next.end, inboxPosition: a2.next.nextInboxPosition };
    const next = await predict(a2.next, end);
    const c: Case = { prev: a2.next, end, next, messages, plan: a2.plan, proofs: [] };
    await reverts(submit(c, att(c), 0n), 'UnprovableMessage', [pos]);
  });

  it('records(): the contract extracts exactly records.ts’s records (every rule, 300 mutated lists)', async () => {
    const bAbi = (await getArtifact('ZTokenBinding')).abi;
    const onChain = async (messages: Uint8Array[]) => {
      const [recs, n] = (await l1.publicClient.readContract({
        address: bindingAddr,
        abi: bAbi,
        functionName: 'records',
        args: [messages.map((m) => toHex(m)), 7n],
      })) as [Hex, bigint];
      const b = Buffer.from(recs.slice(2), 'hex');
      expect(b.subarray(Number(n) * 160).every((x) => x === 0)).toBe(true);
      return b.subarray(0, Number(n) * 160).toString('hex');
    };
    const inTs = (messages: Uint8Array[]) => Buffer.concat(recordsOf(messages, CHAIN, 7n)).toString('hex');
    const good = [
      tx({ op: 1, chainId: CHAIN, nonce: 5n, from: 3, to: 4, amount: (1n << 128n) - 1n }),
      tx({ op: 2, chainId: CHAIN, nonce: 6n, from: 65535, to: (1n << 160n) - 1n, amount: 9n }),
      tx({ op: 3, chainId: CHAIN, nonce: 0n, index: 9, key: B8 }),
    ];
    const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
    const offCurve = tx({ op: 3, chainId: CHAIN, nonce: 0n, index: 9, key: [B8[0], B8[1] + 1n] });
    const bigX = tx({ op: 3, chainId: CHAIN, nonce: 0n, index: 9, key: [0n, 1n] });
    bigX.set(Buffer.from(toHex(P, { size: 32 }).slice(2), 'hex'), 20); // x = p (≡ 0, on the curve mod p)
    const wrongApp = good[0].slice();
    wrongApp[0] = 2;
    const wrongOp = good[0].slice();
    wrongOp[1] = 2;
    const otherChain = tx({ op: 1, chainId: CHAIN + 1n, nonce: 5n, from: 3, to: 4, amount: 1n });
    const list = (txs: Uint8Array[]) => Uint8Array.of(0, ...encodeTxList(txs));
    const deposit = (amount: bigint, extra = 0) => {
      const m = new Uint8Array(53 + extra);
      m[0] = 1;
      m[2] = 0xab;
      m.set(Buffer.from(toHex(amount, { size: 32 }).slice(2), 'hex'), 21);
      return m;
    };
    const full = list([...good, offCurve, bigX, wrongApp, wrongOp, otherChain, good[0].subarray(0, 133)]);
    const messages = [
      full,
      Uint8Array.of(...full, 0), // trailing byte: no records
      full.subarray(0, full.length - 1), // truncated
      Uint8Array.of(0, 0, 0, 0, 1), // count 1, nothing after
      Uint8Array.of(0, 0, 0),
      deposit(5n),
      deposit((1n << 128n) - 1n),
      deposit(1n << 128n),
      deposit(5n, 1),
      Uint8Array.of(7, 1, 2),
      new Uint8Array(0),
      list([]),
    ];
    expect(inTs(messages).length / 320).toBe(5); // the full list's 3 good transactions and 2 deposits
    expect(await onChain(messages)).toBe(inTs(messages));
    // mutations: one byte of the full list changed at a random place, 300 times
    let x = 0x9e3779b9;
    const rnd = (n: number) => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x % n;
    };
    const mutated = Array.from({ length: 300 }, () => {
      const m = full.slice();
      m[rnd(m.length)] ^= 1 << rnd(8);
      return m;
    });
    expect(await onChain(mutated)).toBe(inTs(mutated));
    // blobs, certified and brotli batches: refused with their position
    for (const kind of [2, 3, 4]) {
      await expect(onChain([deposit(1n), Uint8Array.of(kind, 1)])).rejects.toThrow(/UnprovableMessage/);
      expect(() => recordsOf([deposit(1n), Uint8Array.of(kind, 1)], CHAIN, 7n)).toThrow(/position 8/);
    }
  });

  it('gas: Groth16 verification per chunk, the binding, the totals', async () => {
    const sig = a1.plan.chunks[0].signals;
    const vAbi = (await compileVerifier(await solidityVerifier(zkey))).abi;
    const p = a1.proofs[0];
    gas.verify = await txGas(
      groth16,
      encodeFunctionData({
        abi: vAbi,
        functionName: 'verifyProof',
        args: [
          [p[0], p[1]],
          [
            [p[2], p[3]],
            [p[4], p[5]],
          ],
          [p[6], p[7]],
          sig,
        ],
      }),
    );
    const bAbi = (await getArtifact('ZTokenBinding')).abi;
    // eth_estimateGas of the binding's view calls (21,000 and the calldata included)
    const est = (functionName: string, args: readonly unknown[]) =>
      l1.publicClient.estimateGas({
        to: bindingAddr,
        data: encodeFunctionData({ abi: bAbi, functionName, args }),
      });
    const signals = (c: Case) =>
      est('publicSignals', [
        c.prev.end,
        c.end,
        c.messages.map((m) => toHex(m)),
        encodeZTokenWitness(c.plan.witness),
      ]);
    gas.binding1 = await signals(a1);
    gas.binding2 = await signals(two);
    gas.records2 = await est('records', [two.messages.map((m) => toHex(m)), two.prev.end.inboxPosition]);
    // the parts, measured inside the call (ValidityGasProbe)
    const probe = await deploy(l1, await getArtifact('ValidityGasProbe'));
    const read = <R>(functionName: string, args: readonly unknown[]) =>
      l1.publicClient.readContract({
        address: probe.address,
        abi: probe.contract.abi,
        functionName,
        args,
      }) as Promise<R>;
    // key 0x20 in a state of 10,000 keys (the depth a ztoken state of ≈ 2^13 keys has)
    const big = zstate(1003n, (t) => {
      for (let i = 0; i < 10_000; i++) t.set(Uint8Array.of(0x21, i >> 8, i & 0xff), Uint8Array.of(i & 0xff));
    });
    const inc = big.prove(ACCOUNT_ROOT_KEY);
    if (!inc) throw new Error('no account root');
    const [root, trieGas] = await read<[Hex, bigint]>('trieRoot', [
      toHex(ACCOUNT_ROOT_KEY),
      toHex(inc.value),
      inc.siblings.map((x) => toHex(x)),
    ]);
    expect(root).toBe(toHex(big.root));
    gas.inclusionDepth = BigInt(inc.siblings.length);
    gas.inclusion = trieGas;
    const f = {
      count: (1n << 31n) - 1n, // count + 1 = 2^31: the append hashes 31 levels (its worst case)
      branch: Array.from({ length: 32 }, (_, i) => toHex(i + 1, { size: 32 })),
    };
    const [, frontierRootGas, appendGas] = await read<[Hex, bigint, bigint]>('frontierRootAndAppend', [
      f,
      toHex(7, { size: 32 }),
    ]);
    gas.frontierRoot = frontierRootGas;
    gas.frontierAppendWorst = appendGas;
    gas.sha256Chunk = (await read<[Hex, bigint]>('sha256Of', [toHex(new Uint8Array(T * 160))]))[1];
    console.log(`validity gas: ${JSON.stringify(gas, (_, v) => (typeof v === 'bigint' ? Number(v) : v))}`);
    expect(gas.verify).toBeGreaterThan(150_000n);
    expect(gas.total2).toBeGreaterThan(gas.total1);
  });
});
