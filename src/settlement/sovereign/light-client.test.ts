/**
 * The sovereign light client (docs/sovereign.md §5) against real full nodes (src/node/sovereign-node.ts)
 * over a kv chain: an honest peer, a lying peer, a withholding peer, and each kind of bad proof
 * (§4.2) refused by name. L1's inbox is its accumulators, computed as the Inbox contract does
 * (docs/inbox.md §3; the contract's own tests check it computes the same).
 */
import { privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { KV_CHAIN_ID, kvSet } from '../../apps/kv/client.ts';
import { loadApp } from '../../apps/sdk/app-runtime.ts';
import { builtinAppBytes } from '../../apps/sdk/builtin-apps.ts';
import { encodeBatch } from '../../apps/sdk/client-common.ts';
import type { Hash32 } from '../../core/types.ts';
import { AppChain } from '../../node/app-chain.ts';
import { type SovereignBehaviour, SovereignFullNode } from '../../node/sovereign-node.ts';
import { accumulators } from '../ethereum/message.ts';
import { BadProofError } from './errors.ts';
import { checkProof, type FraudProof } from './fraud-proof.ts';
import { headerState, sameState } from './header.ts';
import { type InboxAccumulators, LightClient, type LightClientEvent } from './light-client.ts';
import type { SovereignPeer } from './peer.ts';

const alice = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const bob = privateKeyToAccount(`0x${'22'.repeat(32)}`);
const enc = (s: string) => new TextEncoder().encode(s);
const kv = builtinAppBytes('kv');

let messages: Uint8Array[];
let l1: InboxAccumulators;

beforeAll(async () => {
  messages = [
    encodeBatch([await kvSet(alice, enc('a'), enc('1'), { nonce: 0n })]),
    encodeBatch([
      await kvSet(bob, enc('b'), enc('2'), { nonce: 0n }),
      await kvSet(alice, enc('c'), enc('3'), { nonce: 1n }),
    ]),
    encodeBatch([await kvSet(alice, enc('a'), new Uint8Array(200).fill(9), { nonce: 2n })]),
    encodeBatch([await kvSet(bob, enc('d'), enc('4'), { nonce: 1n })]),
  ];
  const accs = [`0x${'00'.repeat(32)}`, ...accumulators(messages)] as Hash32[];
  l1 = {
    accumulator: async (n) => {
      const a = accs[Number(n)];
      if (!a) throw new RangeError(`AccumulatorOutOfRange(${n})`);
      return a;
    },
  };
});

function fullNode(behaviour: SovereignBehaviour = {}): SovereignFullNode {
  const chain = new AppChain({ app: loadApp(kv, 'kv'), chainId: KV_CHAIN_ID });
  for (const m of messages) chain.execute(m);
  return new SovereignFullNode(chain, behaviour);
}

/** A full node in process, as a light client's peer (what RpcPeer does over HTTP). */
function peerOf(name: string, node: SovereignFullNode, tamper?: (p: FraudProof) => unknown): SovereignPeer {
  return {
    name,
    head: async () => node.head() ?? null,
    headers: async (from, count) => structuredClone(node.headers(from, count)),
    proof: async (n) => {
      const p = structuredClone(node.proof(n));
      return tamper ? tamper(p) : p;
    },
  };
}

function lightClient(peers: SovereignPeer[], events: LightClientEvent[] = []) {
  const app = loadApp(kv, 'kv');
  return new LightClient({
    app,
    genesis: app.genesis(KV_CHAIN_ID),
    l1,
    peers,
    onEvent: (e) => events.push(e),
  });
}

describe('sovereign light client', () => {
  it('follows an honest peer: every header accepted by agreement, no proof asked', async () => {
    const events: LightClientEvent[] = [];
    const lc = lightClient([peerOf('honest', fullNode())], events);
    expect(await lc.sync()).toBe(messages.length - 1);
    expect(events.filter((e) => e.kind === 'proof')).toEqual([]);
    expect(lc.peerReports()).toEqual([{ name: 'honest', honest: true, headers: messages.length }]);
  });

  it('checks a block on demand with one peer: the witness executes to the announced root (native and interpreted)', async () => {
    const node = fullNode();
    for (const engine of ['native', 'interp'] as const) {
      const app = loadApp(kv, 'kv');
      const lc = new LightClient({
        app,
        genesis: app.genesis(KV_CHAIN_ID),
        l1,
        peers: [peerOf('honest', node)],
        engine,
      });
      await lc.sync();
      const truth = await lc.check(2);
      expect(truth && sameState(truth, headerState(lc.accepted[2]))).toBe(true);
      expect(lc.peerReports()[0].honest).toBe(true);
    }
  });

  it('a lying peer: the honest peer’s proof decides, the wrong root is rejected and its peer marked', async () => {
    const events: LightClientEvent[] = [];
    const honest = fullNode();
    const lc = lightClient([peerOf('liar', fullNode({ lieFrom: 2 })), peerOf('honest', honest)], events);
    expect(await lc.sync()).toBe(messages.length - 1);
    expect(lc.accepted.map((h) => h.hash)).toEqual(honest.headers(0, 100).map((h) => h.hash));
    const [liar, good] = lc.peerReports();
    expect(liar).toMatchObject({ honest: false, reason: 'wrong-root', block: 2 });
    expect(good.honest).toBe(true);
    expect(events.find((e) => e.kind === 'disagreement')).toMatchObject({ number: 2 });
    expect(events.find((e) => e.kind === 'accepted' && e.number === 2)).toMatchObject({ by: 'proof' });
  });

  it('a lying peer alone is caught on demand', async () => {
    const lc = lightClient([peerOf('liar', fullNode({ lieFrom: 1 }))]);
    await lc.sync(); // one peer: nothing to compare, its headers are accepted
    await lc.check(1);
    expect(lc.peerReports()[0]).toMatchObject({ honest: false, reason: 'wrong-root', block: 1 });
    expect(lc.accepted.length).toBe(1); // the wrong header 1 and all after it dropped
  });

  it('a withholding peer that announced a disputed block is marked; the chain is decided by the other', async () => {
    const lc = lightClient([
      peerOf('liar', fullNode({ lieFrom: 3 })),
      peerOf('withholder', fullNode({ withhold: true })),
      peerOf('honest', fullNode()),
    ]);
    expect(await lc.sync()).toBe(messages.length - 1);
    const r = lc.peerReports();
    expect(r[0]).toMatchObject({ honest: false, reason: 'wrong-root', block: 3 });
    expect(r[1]).toMatchObject({ honest: false, reason: 'withheld', block: 3 });
    expect(r[2].honest).toBe(true);
  });

  it('two peers announcing the same lie and withholding: nothing decided on demand, both marked', async () => {
    const lc = lightClient([
      peerOf('liar', fullNode({ lieFrom: 1, withhold: true })),
      peerOf('honest-behind', fullNode({ lieFrom: 1, withhold: true })),
    ]);
    // both announce the same lie: agreement, accepted (1-of-N honest assumption, docs/sovereign.md §5);
    // on demand the light client learns nothing and marks both as withholding
    await lc.sync();
    expect(await lc.check(1)).toBeUndefined();
    expect(lc.peerReports().map((p) => p.reason)).toEqual(['withheld', 'withheld']);
  });
});

describe('bad proofs, each refused by name (docs/sovereign.md §4.2)', () => {
  let node: SovereignFullNode;
  let ctx: Parameters<typeof checkProof>[1];
  beforeAll(async () => {
    node = fullNode();
    const app = loadApp(kv, 'kv');
    ctx = {
      number: 2,
      app,
      preState: node.chain.stateAt(2),
      accumulators: [await l1.accumulator(2n), await l1.accumulator(3n)],
    };
  });
  const refused = (p: unknown, code: string) => {
    try {
      checkProof(p, ctx);
    } catch (e) {
      expect(e).toBeInstanceOf(BadProofError);
      expect((e as BadProofError).code).toBe(code);
      return (e as BadProofError).message;
    }
    throw new Error('the proof was accepted');
  };

  it('a good proof gives the block’s post-state', () => {
    expect(sameState(checkProof(node.proof(2), ctx), node.chain.stateAt(3))).toBe(true);
    expect(node.proof(2).preimages.length).toBeGreaterThan(0);
  });

  it('malformed: wrong version, wrong block, not hex, a preimage listed twice', () => {
    refused({ ...node.proof(2), version: 2 }, 'SOVEREIGN_PROOF_MALFORMED');
    refused({ ...node.proof(2), number: 1 }, 'SOVEREIGN_PROOF_MALFORMED');
    refused({ ...node.proof(2), message: 'zz' }, 'SOVEREIGN_PROOF_MALFORMED');
    const p = node.proof(2);
    expect(
      refused({ ...p, preimages: [...p.preimages, p.preimages[0]] }, 'SOVEREIGN_PROOF_MALFORMED'),
    ).toMatch(/listed twice/);
  });

  it('wrong inputs: another inbox message, or a pre-state at another inbox position', () => {
    expect(
      refused({ ...node.proof(2), message: node.proof(1).message }, 'SOVEREIGN_PROOF_WRONG_INPUTS'),
    ).toMatch(/L1's inbox has/);
    const p = node.proof(2);
    refused({ ...p, preState: { ...p.preState, inboxCount: 1 } }, 'SOVEREIGN_PROOF_WRONG_INPUTS');
  });

  it('wrong pre-state: another state root than the accepted header’s', () => {
    const p = node.proof(2);
    refused({ ...p, preState: node.proof(1).preState, message: p.message }, 'SOVEREIGN_PROOF_WRONG_INPUTS');
    refused(
      { ...p, preState: { ...p.preState, stateRoot: `0x${'ab'.repeat(32)}` } },
      'SOVEREIGN_PROOF_WRONG_PRE_STATE',
    );
  });

  it('a forged preimage (not the preimage of its hash)', () => {
    const p = node.proof(2);
    const [h, v] = p.preimages[0];
    const forged = `${v.slice(0, -2)}${v.endsWith('00') ? '01' : '00'}` as `0x${string}`;
    expect(
      refused({ ...p, preimages: [[h, forged], ...p.preimages.slice(1)] }, 'SOVEREIGN_PROOF_FORGED_PREIMAGE'),
    ).toMatch(/hashes to/);
  });

  it('a missing preimage', () => {
    const p = node.proof(2);
    for (const i of [0, p.preimages.length - 1])
      refused({ ...p, preimages: p.preimages.filter((_, j) => j !== i) }, 'SOVEREIGN_PROOF_MISSING_PREIMAGE');
  });

  it('a peer serving a bad proof for a disputed block is marked bad-proof', async () => {
    const lc = lightClient([
      peerOf('liar', fullNode({ lieFrom: 2 })),
      peerOf('forger', fullNode(), (p) => ({ ...p, preimages: p.preimages.slice(1) })),
      peerOf('honest', fullNode()),
    ]);
    await lc.sync();
    expect(lc.peerReports().map((r) => [r.reason, r.detail?.split(':')[0]])).toEqual([
      [
        'wrong-root',
        `announced state root ${fullNode({ lieFrom: 2 }).headers(2, 1)[0].stateRoot} for block 2; executing its witness gives ${fullNode().headers(2, 1)[0].stateRoot}`.split(
          ':',
        )[0],
      ],
      ['bad-proof', 'SOVEREIGN_PROOF_MISSING_PREIMAGE'],
      [undefined, undefined],
    ]);
  });
});
