/**
 * The L1 binding with the real ztoken chunk circuit (docs/validity.md §3, §5), slow: INSECURE dev
 * keys of `ztoken_2` (cached by content hash), two real proofs of 48,800 constraints each. The
 * model (model.ts) applies the records chunk by chunk through the circuit's witness (witness.ts); the
 * SDK states hold its account root at key 0x20 and its outbox frontier at 0x04. Two assertions are
 * created and confirmed on anvil, each in one transaction: two opens, then a deposit to the first
 * account and its withdrawal, which the Bridge pays at once. The circuit's public signals are exactly
 * the ones ZTokenBinding computes (order, the 11 record words, mask, chain id), and a proof checked against
 * another mask is refused.
 */
import { type Address, bytesToHex, toHex } from 'viem';
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
} from '../../proof/validity/outbox-frontier.ts';
import {
  deployValidityVerifier,
  encodeValidityAttestation,
  type ProofWords,
  proofWords,
} from '../../proof/validity/validity-verifier.ts';
import { deploySettlement, type SettlementDeployment } from '../../settlement/ethereum/deploy-settlement.ts';
import { type AssertionData, type SolGlobalState, ZERO32 } from '../../settlement/ethereum/dispute-hash.ts';
import { encodeTxList } from '../../settlement/ethereum/message.ts';
import { predictAssertion, RollupClient } from '../../settlement/ethereum/rollup.ts';
import { expectRevert } from '../../settlement/ethereum/test-utils.ts';
import { devSetup, prove, releaseCurve } from '../../zk/index.ts';
import { compileVerifier, solidityVerifier } from '../../zk/solidity.ts';
import { outboxProof, withdrawalLeaf } from '../sdk/outbox.ts';
import { PreimageStore } from '../sdk/preimage-store.ts';
import { StateTree } from '../sdk/state-tree.ts';
import { ACCOUNT_ROOT_KEY, encodeZTokenWitness, type ZTokenProofPlan, zTokenProofPlan } from './binding.ts';
import { type ZTokenCircuit, ztokenCircuit } from './circuit.ts';
import { zkCrypto } from './crypto.ts';
import { ZTokenState } from './model.ts';
import { chunkRecords, recordsOf } from './records.ts';
import { accountAddress, encodeTx, signTx, ZOP } from './tx.ts';
import { chunkInput } from './witness.ts';

const z = await zkCrypto();
const CHAIN = 0x6d6f6465780003n;
const T = 2;
const ETH = 10n ** 18n;
const L1_TO = '0x00000000000000000000000000000000000b0b00' as Address;
const DISPUTE = {
  heights: [3, 3, 7],
  challengePeriod: 100n,
  assertionBond: 10n ** 18n,
  edgeBond: 10n ** 17n,
};
const users = [1, 2].map((index) => {
  const prv = Uint8Array.from({ length: 32 }, (_, j) => index * 17 + j);
  return { prv, key: z.publicKey(prv), index };
});

let l1: L1;
let s: SettlementDeployment;
let rollup: RollupClient;
let circuit: ZTokenCircuit;
let zkey: string;
const model = new ZTokenState(z, CHAIN);

/** the SDK state of a ztoken chain as far as L1 reads it: the account root and the outbox frontier */
function sdkState(): StateTree {
  const t = new StateTree(new PreimageStore());
  t.set(Uint8Array.of(0x05), Buffer.from(toHex(CHAIN, { size: 8 }).slice(2), 'hex'));
  t.set(ACCOUNT_ROOT_KEY, Buffer.from(toHex(model.root, { size: 32 }).slice(2), 'hex'));
  let f = emptyFrontier();
  model.outbox.forEach((w, i) => {
    f = frontierAppend(f, withdrawalLeaf(withdrawalOf(w, i)));
  });
  if (model.outbox.length > 0) t.set(FRONTIER_KEY, encodeFrontier(f));
  return t;
}
const withdrawalOf = (w: (typeof model.outbox)[number], i: number) => ({
  index: BigInt(i),
  from: bytesToHex(w.from),
  to: toHex(w.to, { size: 20 }),
  amount: w.amount,
});

/** proves the assertion after `prev` over the Rollup's range: the model applies the chunks */
async function proveNext(prev: AssertionData) {
  const start = prev.end.inboxPosition;
  const messages = (await s.inbox.readMessages(start, prev.nextInboxPosition)).map((m) => m.data);
  const prevState = sdkState();
  const chunks = chunkRecords(recordsOf(messages, CHAIN, start), T);
  const proofs: ProofWords[] = [];
  const chunkRoots: bigint[] = [];
  const masks: bigint[] = [];
  const circuitSignals: string[][] = [];
  for (const c of chunks) {
    const w = chunkInput(model, c);
    const p = await prove(circuit.wasm, zkey, w.input);
    proofs.push(proofWords(p.proof));
    circuitSignals.push(p.publicSignals);
    chunkRoots.push(w.postRoot);
    masks.push(BigInt(w.acceptedMask));
  }
  const newState = sdkState();
  const plan = zTokenProofPlan({
    messages,
    start,
    chainId: CHAIN,
    slots: T,
    prevState,
    newState,
    chunkRoots,
    masks,
  });
  // what the binding will compute is what the circuit proved
  expect(plan.chunks.map((c) => c.signals.map(String))).toEqual(circuitSignals);
  const end: SolGlobalState = {
    stateRoot: toHex(newState.root),
    sendRoot: toHex(plan.sendRoot),
    inboxPosition: prev.nextInboxPosition,
    positionInMessage: 0n,
  };
  const next = predictAssertion(prev, end, ZERO32, await rollup.inboxCount(), DISPUTE.heights[0]);
  return { prev, end, next, messages, plan, proofs };
}

const att = (c: Awaited<ReturnType<typeof proveNext>>, plan: ZTokenProofPlan = c.plan) =>
  encodeValidityAttestation({
    prev: c.prev,
    next: c.next,
    messages: c.messages,
    proofs: c.proofs,
    witness: encodeZTokenWitness(plan.witness),
  });

beforeAll(async () => {
  circuit = await ztokenCircuit(T);
  zkey = (await devSetup(circuit.r1cs)).zkey;
  l1 = await startAnvil();
  const v = await compileVerifier(await solidityVerifier(zkey));
  const groth16 = (
    await deploy(l1, {
      contractName: 'Groth16Verifier',
      sourceName: 'Groth16Verifier.sol',
      deployedBytecode: '0x',
      ...v,
    })
  ).address;
  const binding = (await deploy(l1, await getArtifact('ZTokenBinding'), [BigInt(T), CHAIN])).address;
  s = await deploySettlement(l1, {
    sequencer: l1.accounts[0].address,
    maxDelaySeconds: 3600,
    moduleFields: moduleFieldsHex(disputeTestProgram()),
    genesis: {
      stateRoot: toHex(sdkState().root),
      sendRoot: ZERO32,
      inboxPosition: 0n,
      positionInMessage: 0n,
    },
    params: DISPUTE,
    attestationVerifier: (inbox) => deployValidityVerifier(l1, { inbox, binding, groth16 }),
  });
  const at = await RollupClient.at(s.rollup.clients, s.addresses.rollup);
  const bindingErrors = (await getArtifact('ZTokenBinding')).abi.filter((x) => x.type === 'error');
  rollup = new RollupClient(at.clients, at.address, [...at.abi, ...bindingErrors], 'Rollup');
  const open = (u: (typeof users)[number]) =>
    encodeTx(signTx(z, u.prv, { op: ZOP.open, chainId: CHAIN, nonce: 0n, index: u.index, key: u.key }));
  // position 0: two opens; 1: a deposit of 3 ETH to the first account; 2: its withdrawal of 1 ETH
  await s.inbox.postBatch(encodeTxList(users.map(open)));
  await s.bridge.depositEth(bytesToHex(accountAddress(z, users[0].index, users[0].key)), 3n * ETH);
  const withdraw = signTx(z, users[0].prv, {
    op: ZOP.withdraw,
    chainId: CHAIN,
    nonce: 1n,
    from: users[0].index,
    to: BigInt(L1_TO),
    amount: ETH,
  });
  await s.inbox.postBatch(encodeTxList([encodeTx(withdraw)]));
}, 900_000);

afterAll(async () => {
  await l1?.stop();
  await releaseCurve();
});

describe('ZTokenBinding with the ztoken chunk circuit (slow)', () => {
  it('two opens, then a deposit and its withdrawal: proven, confirmed in one transaction each, paid by the Bridge', async () => {
    const g = (await s.rollup.assertions(s.deployBlock))[0].data;
    const a1 = await proveNext(g);
    expect(a1.plan.chunks).toHaveLength(1);
    expect(a1.plan.witness.masks).toEqual([3n]);
    const r1 = await rollup.createAttestedAssertion(a1.prev, a1.end, ZERO32, att(a1), DISPUTE.assertionBond);
    expect(await s.rollup.status(r1.id)).toBe('confirmed');

    const a2 = await proveNext(a1.next);
    expect(a2.plan.chunks.map((c) => c.records.map((r) => r[0]))).toEqual([[4, 2]]);
    expect(a2.plan.witness.masks).toEqual([3n]);
    expect(a2.plan.withdrawals).toEqual([withdrawalOf(model.outbox[0], 0)]);
    // the real proof checked against another mask (the withdrawal's bit kept: same send root)
    const other = { ...a2.plan, witness: { ...a2.plan.witness, masks: [2n] } };
    await expectRevert(
      rollup.createAttestedAssertion(a2.prev, a2.end, ZERO32, att(a2, other), 0n),
      'Rollup',
      'InvalidProof',
      [0n],
    );
    const r2 = await rollup.createAttestedAssertion(a2.prev, a2.end, ZERO32, att(a2), 0n);
    expect(await s.rollup.status(r2.id)).toBe('confirmed');
    console.log(
      `ztoken circuit on L1: createAttestedAssertion ${r1.gasUsed} (opens), ${r2.gasUsed} (deposit, withdrawal)`,
    );

    const w = a2.plan.withdrawals[0];
    const before = await l1.publicClient.getBalance({ address: L1_TO });
    await s.bridge.executeWithdrawal(w, a2.plan.sendRoot, outboxProof([withdrawalLeaf(w)], 0));
    expect((await l1.publicClient.getBalance({ address: L1_TO })) - before).toBe(ETH);
  }, 900_000);
});
