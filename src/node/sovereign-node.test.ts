/**
 * A sovereign full node (docs/sovereign.md §3, §4.3): headers chained from genesis and bound to
 * the inbox accumulators, dropped and remade after a reorg, and its JSON-RPC methods over HTTP
 * (what a light client's RpcPeer reads), with their refusals.
 */
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KV_CHAIN_ID, kvSet } from '../apps/kv/client.ts';
import { loadApp } from '../apps/sdk/app-runtime.ts';
import { builtinAppBytes } from '../apps/sdk/builtin-apps.ts';
import { encodeBatch } from '../apps/sdk/client-common.ts';
import { accumulators } from '../settlement/ethereum/message.ts';
import { genesisHash, parseHeader } from '../settlement/sovereign/header.ts';
import { PeerRpcError, RpcPeer } from '../settlement/sovereign/peer.ts';
import { AppChain } from './app-chain.ts';
import { FollowerRpc } from './follower-rpc.ts';
import { type RpcServer, startRpcServer } from './rpc.ts';
import { SovereignFullNode, sovereignMethods } from './sovereign-node.ts';

const alice = privateKeyToAccount(`0x${'33'.repeat(32)}`);
const enc = (s: string) => new TextEncoder().encode(s);
let messages: Uint8Array[];

beforeAll(async () => {
  messages = await Promise.all(
    [0, 1, 2].map(async (i) =>
      encodeBatch([await kvSet(alice, enc(`k${i}`), enc(`v${i}`), { nonce: BigInt(i) })]),
    ),
  );
});

const newChain = () => new AppChain({ app: loadApp(builtinAppBytes('kv'), 'kv'), chainId: KV_CHAIN_ID });

describe('sovereign full node', () => {
  it('announces one header per block, chained from genesis, bound to the inbox accumulators', () => {
    const chain = newChain();
    for (const m of messages) chain.execute(m);
    const node = new SovereignFullNode(chain);
    const hs = node.headers(0, 10);
    expect(hs.map((h) => h.number)).toEqual([0, 1, 2]);
    expect(hs[0].parentHash).toBe(genesisHash(chain.stateAt(0)));
    expect(hs[2].parentHash).toBe(hs[1].hash);
    expect(hs.map((h) => h.accumulator)).toEqual(accumulators(messages));
    expect(hs.map((h) => h.inboxCount)).toEqual([1, 2, 3]);
    for (const h of hs) expect(parseHeader(structuredClone(h))).toEqual(h); // hashes recompute
    expect(node.head()?.number).toBe(2);
  });

  it('drops and remakes the headers after a reorg (truncate, then other messages)', () => {
    const chain = newChain();
    for (const m of messages) chain.execute(m);
    const node = new SovereignFullNode(chain);
    const before = node.headers(0, 10);
    chain.truncate(1);
    chain.execute(messages[2]); // another message at position 1
    chain.execute(messages[1]);
    const after = node.headers(0, 10);
    expect(after[0]).toEqual(before[0]);
    expect(after[1].hash).not.toBe(before[1].hash);
    expect(after[1].accumulator).toBe(accumulators([messages[0], messages[2]])[1]);
  });

  it('a lying node chains its later headers on the lie', () => {
    const chain = newChain();
    for (const m of messages) chain.execute(m);
    const honest = new SovereignFullNode(chain).headers(0, 10);
    const liar = new SovereignFullNode(chain, { lieFrom: 1 }).headers(0, 10);
    expect(liar[0]).toEqual(honest[0]);
    expect(liar[1].stateRoot).not.toBe(honest[1].stateRoot);
    expect(liar[1].accumulator).toBe(honest[1].accumulator);
    expect(liar[2].parentHash).toBe(liar[1].hash);
  });
});

describe('sovereign full node JSON-RPC', () => {
  let server: RpcServer;
  let withholder: RpcServer;
  beforeAll(async () => {
    const chain = newChain();
    for (const m of messages) chain.execute(m);
    server = await startRpcServer(new FollowerRpc({ chain }), {
      methods: sovereignMethods(new SovereignFullNode(chain)),
    });
    withholder = await startRpcServer(new FollowerRpc({ chain }), {
      methods: sovereignMethods(new SovereignFullNode(chain, { withhold: true })),
    });
  });
  afterAll(async () => {
    await server?.close();
    await withholder?.close();
  });

  it('serves head, headers and proofs; refuses a block it has not and a withheld proof (−32602)', async () => {
    const peer = new RpcPeer(server.url);
    expect(await peer.head()).toMatchObject({ number: 2 });
    expect((await peer.headers(1, 1)).map((h) => parseHeader(h).number)).toEqual([1]);
    expect(await peer.headers(3, 10)).toEqual([]);
    expect(await peer.proof(1)).toMatchObject({ version: 1, number: 1, preState: { inboxCount: 1 } });
    await expect(peer.proof(3)).rejects.toThrow(/block 3 is not executed here/);
    await expect(peer.headers(-1, 1)).rejects.toThrow(/from must be a non-negative integer/);
    const e = await new RpcPeer(withholder.url).proof(0).catch((x) => x);
    expect(e).toBeInstanceOf(PeerRpcError);
    expect((e as PeerRpcError).rpcCode).toBe(-32602);
  });
});
