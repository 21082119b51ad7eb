/**
 * GossipPool's push (docs/attested.md §7.1) without L1: a signature added while the peer is down is
 * kept and posted once the peer's JSON-RPC (the real `modex_submitAttestations` over the real
 * server) answers; signatures from a peer are not pushed on; the wire format round-trips.
 */
import { createServer } from 'node:net';
import { bytesToHex, type Hex } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { signAttestation } from '../attest/message.ts';
import type { AssertionData } from '../settlement/ethereum/dispute-hash.ts';
import { assertionId } from '../settlement/ethereum/dispute-hash.ts';
import { attestationFromJson, attestationToJson, GossipPool } from './attestation-gossip.ts';
import { localValidatorKey } from './attester.ts';
import { attestationMethods } from './follower-rpc.ts';
import { type RpcBackend, type RpcServer, startRpcServer } from './rpc.ts';

const KEYS = [0, 1].map((i) => localValidatorKey(i, 'gossip-push-test'));
const registeredKey = async (v: number): Promise<Hex> => {
  const k = KEYS[v];
  if (!k) throw new Error(`validator ${v} is not registered`);
  return k.publicKey;
};
const domain = { chainId: 31337n, committee: `0x${'c0'.repeat(20)}` as Hex };
const h = (b: string) => `0x${b.repeat(32)}` as Hex;
const assertion: AssertionData = {
  prevId: h('01'),
  prevStateHash: h('02'),
  blockCount: 3n,
  end: { stateRoot: h('03'), sendRoot: h('04'), inboxPosition: 5n, positionInMessage: 0n },
  historyRoot: h('05'),
  nextInboxPosition: 6n,
};

function signed(pool: GossipPool, validator: number, epoch = 7n) {
  const digest = pool.digest(epoch, assertion.prevId, assertionId(assertion));
  return {
    validator,
    publicKey: KEYS[validator].publicKey,
    epoch,
    assertion,
    signature: bytesToHex(signAttestation(KEYS[validator].secretKey, digest)),
  };
}

/** a port nobody listens on (yet) */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** the peer's JSON-RPC: the real server and method; the backend's own methods are not used here */
const backend = {} as RpcBackend;

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

describe('GossipPool push (docs/attested.md §7.1)', () => {
  it('the wire format round-trips', () => {
    const pool = new GossipPool(domain, { registeredKey });
    const e = signed(pool, 1);
    expect(attestationFromJson(JSON.parse(JSON.stringify(attestationToJson(e))))).toEqual(e);
    expect(() => attestationFromJson({ ...attestationToJson(e), signature: '0x12' })).toThrow(
      'signature must be 128 bytes as 0x-hex',
    );
    expect(() => attestationFromJson({ ...attestationToJson(e), epoch: '-1' })).toThrow('epoch must be');
  });

  it('keeps a signature while the peer is down and posts it once the peer answers', async () => {
    const port = await freePort();
    const logs: string[] = [];
    const a = new GossipPool(domain, {
      peers: [`http://127.0.0.1:${port}/`],
      registeredKey,
      retryMs: 50,
      log: (l) => logs.push(l),
    });
    cleanup.push(() => a.close());
    expect(a.add(signed(a, 0))).toBe(true);
    // not pushed while nobody listens (the failure is logged once)
    while (logs.length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(logs[0]).toContain(`cannot reach attestation peer http://127.0.0.1:${port}/`);
    expect(a.pushed).toBe(0);

    const b = new GossipPool(domain, { peers: [`http://127.0.0.1:${port}/`], registeredKey });
    cleanup.push(() => b.close());
    const server: RpcServer = await startRpcServer(backend, {
      port,
      methods: attestationMethods(b),
    });
    cleanup.push(() => server.close());
    await a.idle();
    expect(a.pushed).toBe(1);
    const digest = a.digest(7n, assertion.prevId, assertionId(assertion));
    expect([...b.signatures(digest).keys()]).toEqual([0]);
    // b took it from a peer: b does not push it back (nor anywhere)
    await b.idle();
    expect(b.pushed).toBe(0);
    // a signature of b's own member is pushed to a's address (the same server here: b itself)
    expect(b.add(signed(b, 1))).toBe(true);
    await b.idle();
    expect(b.pushed).toBe(1);
  });
});
