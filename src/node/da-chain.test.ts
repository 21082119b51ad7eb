/**
 * Data availability on a chain (docs/node.md §3, issue 8's chaos at the chain level): the batcher
 * posts through the committee (with an l1-blob fallback) to the real inbox on anvil while members go
 * down, come back, sign wrong data, answer too slowly and withhold data, and while the keyset is
 * rotated on L1; derivation from L1 and the
 * committee alone reaches the sequencer's state every time. A bad certificate never enters the inbox.
 */
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenApp } from '../../test/node-utils.ts';
import { loadApp } from '../apps/sdk/app-runtime.ts';
import { TOKEN_CHAIN_ID, transfer } from '../apps/token/client.ts';
import type { DaConfig } from '../config/types.ts';
import { decodeCertificate, encodeCertificate, keysetHash } from '../da/committee/certificate.ts';
import { CommitteeKeysetsClient } from '../da/committee/keysets.ts';
import { type LocalCommittee, startLocalCommittee } from '../da/committee/local-committee.ts';
import { type L1, startAnvil } from '../l1/anvil.ts';
import { SettlementRevertError } from '../settlement/ethereum/errors.ts';
import { deployInbox, InboxClient } from '../settlement/ethereum/inbox.ts';
import { batchMessage, encodeTxList } from '../settlement/ethereum/message.ts';
import { AppChain } from './app-chain.ts';
import { Batcher, type BatcherEvent, type PostedBlock } from './batcher.ts';
import { daForConfig, deployCommittee } from './da-modules.ts';
import { Derivation, type DerivationEvent } from './derivation.ts';

const newChain = () => new AppChain({ app: loadApp(tokenApp().bytes, 'token'), chainId: TOKEN_CHAIN_ID });

const user = privateKeyToAccount(`0x${'c1'.repeat(32)}`);
let l1: L1;
let inbox: InboxClient;
let committee: LocalCommittee;
let keysets: CommitteeKeysetsClient;
let daConfig: DaConfig;
const exec = newChain();
const batcherEvents: BatcherEvent[] = [];
let batcher: Batcher;
let nonce = 0n;

const config = (c: LocalCommittee): DaConfig => ({
  module: 'committee',
  committee: { members: c.configMembers, assumedHonest: 2, fallback: 'l1-blob', timeoutMs: 3_000 },
});
const daOf = (cfg: DaConfig) => daForConfig({ da: cfg }, { rpcUrl: l1.rpcUrl, rpc: l1.publicClient });

/** the sequencer's side: executes a block of `n` transfers, then hands it to the batcher */
async function seal(b: Batcher, n = 3): Promise<PostedBlock> {
  const txs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) txs.push(await transfer(user, `0x${'0b'.repeat(20)}`, 1n, { nonce: nonce++ }));
  const message = batchMessage(0, encodeTxList(txs));
  const position = BigInt(exec.length);
  exec.execute(message);
  return b.submit({ position, message, delayedRead: 0n });
}

async function derive(cfg: DaConfig) {
  const events: DerivationEvent[] = [];
  const d = new Derivation({ inbox, da: daOf(cfg), executor: newChain() });
  d.subscribe((e) => events.push(e));
  const r = await d.sync();
  return { d, r, events };
}

beforeAll(async () => {
  l1 = await startAnvil();
  const dep = await deployInbox(l1, { sequencer: l1.accounts[0].address, maxDelaySeconds: 3600 });
  inbox = await InboxClient.attach(l1, dep.address, { fromBlock: dep.deployBlock });
  committee = await startLocalCommittee(5, { assumedHonest: 2 });
  daConfig = config(committee);
  const c = await deployCommittee(l1, inbox, daConfig);
  keysets = await CommitteeKeysetsClient.attach(l1, c.keysets);
  batcher = new Batcher({ inbox, da: daOf(daConfig), onEvent: (e) => batcherEvents.push(e) });
  await batcher.start();
}, 120_000);

afterAll(async () => {
  await committee?.close();
  await l1?.stop();
});

describe('committee DA on a chain', () => {
  it('certifies, falls back to blobs while members are down / slow / signing wrong data, certifies again; derivation matches', async () => {
    const a = await seal(batcher);
    expect(a.da).toMatchObject({ pointer: 'certificate', usedFallback: false });
    // K = 4 of 5: with two members down the committee cannot certify → the data goes to L1 as blobs
    await committee.stop(3);
    await committee.stop(4);
    const b = await seal(batcher);
    expect(b.da).toMatchObject({ pointer: 'blob', usedFallback: true });
    await committee.restart(3);
    await committee.restart(4);
    const c = await seal(batcher);
    expect(c.da).toMatchObject({ pointer: 'certificate', usedFallback: false });
    // one member signs other data, one is slower than the timeout: 3 valid signatures < K → blobs
    await committee.stop(1);
    await committee.restart(1, 'bad-signature');
    await committee.stop(2);
    await committee.restart(2, { delayMs: 5_000 });
    const d4 = await seal(batcher);
    expect(d4.da).toMatchObject({ pointer: 'blob', usedFallback: true });
    // only the slow one again: the bad signature is left out, the 4 others certify
    await committee.stop(1);
    await committee.restart(1);
    const e5 = await seal(batcher);
    expect(e5.da).toMatchObject({ pointer: 'certificate', usedFallback: false });
    await committee.stop(2);
    await committee.restart(2);
    expect(await inbox.messageCount()).toBe(5n);

    // member 0 now withholds everything it stored: readers skip it and still get every batch
    await committee.stop(0);
    await committee.restart(0, 'withhold');
    const { d, r, events } = await derive(daConfig);
    expect(r).toMatchObject({ head: 5n, error: undefined });
    expect(events.filter((e) => e.type === 'invalid-pointer')).toEqual([]);
    for (let n = 1; n <= 5; n++) expect(d.stateAt(n)).toEqual(exec.stateAt(n));
    // every batch executed its 3 transfers (no empty batch): the receipts count them
    for (let p = 0; p < 5; p++) expect(exec.receipts(p)?.txs.length).toBe(3);
    expect((d.executor as AppChain).receipts(1)?.txs.length).toBe(3);
  }, 180_000);

  it('a certificate with a bad aggregate signature never enters the inbox', async () => {
    const da = daOf(daConfig);
    const stored = await da.store(encodeTxList([Uint8Array.of(1, 2, 3)]));
    if (stored.pointer.kind !== 'certificate') throw new Error('expected a certificate');
    const cert = decodeCertificate(stored.pointer.certificate);
    // the same signers, another data hash: the aggregate signature does not verify on L1
    const forged = encodeCertificate({ ...cert, dataHash: `0x${'ee'.repeat(32)}` as Hex });
    const before = await inbox.messageCount();
    const e = await inbox.postBatch(forged, { kind: 3 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SettlementRevertError);
    expect(e).toMatchObject({ contract: 'CommitteeKeysets', errorName: 'BadAggregateSignature' });
    expect((e as Error).message).toMatch(/CommitteeKeysets\.BadAggregateSignature/);
    // a certificate of an unregistered keyset
    const stranger = await startLocalCommittee(3, { seed: 'stranger' });
    try {
      const s = await daOf(config(stranger)).store(encodeTxList([]));
      if (s.pointer.kind !== 'certificate') throw new Error('expected a certificate');
      const e2 = await inbox.postBatch(s.pointer.certificate, { kind: 3 }).catch((x: unknown) => x);
      expect(e2).toMatchObject({ contract: 'CommitteeKeysets', errorName: 'UnknownKeyset' });
    } finally {
      await stranger.close();
    }
    expect(await inbox.messageCount()).toBe(before);
  }, 120_000);

  it('after a keyset rotation on L1 the old certificates are refused and the batch goes to L1; the new committee certifies', async () => {
    const next = await startLocalCommittee(4, { seed: 'rotated', assumedHonest: 2 });
    try {
      const nextConfig = config(next);
      await keysets.registerKeyset(
        next.keyset,
        next.keys.map((k) => k.proofOfPossession),
      );
      await keysets.invalidateKeyset(keysetHash(committee.keyset));
      // the sequencer still runs the old committee: L1 refuses its certificate, the batcher posts blobs
      const refused = await seal(batcher);
      expect(refused.da).toMatchObject({ pointer: 'blob', usedFallback: true });
      expect(batcherEvents.some((e) => e.type === 'certificate-refused')).toBe(true);
      // the new committee's certificates are accepted
      const b2 = new Batcher({ inbox, da: daOf(nextConfig) });
      await b2.start();
      const ok = await seal(b2);
      expect(ok.da).toMatchObject({ pointer: 'certificate', usedFallback: false });
    } finally {
      await next.close();
    }
  }, 180_000);

  it('a reader reads certificates the inbox verified even after its keyset changed (same members)', async () => {
    const stored = await daOf(daConfig).store(encodeTxList([Uint8Array.of(9)]));
    if (stored.pointer.kind !== 'certificate') throw new Error('expected a certificate');
    // the same members under another keyset (assumedHonest 1): the old certificate is not its own
    const changed: DaConfig = {
      ...daConfig,
      committee: { ...(daConfig.committee as NonNullable<DaConfig['committee']>), assumedHonest: 1 },
    };
    const reader = daOf(changed);
    expect(reader.checkPointer(stored.pointer)).toMatch(/is for keyset 0x[0-9a-f]{64}, this committee's is/);
    expect(await reader.retrieve(stored.pointer)).toEqual(encodeTxList([Uint8Array.of(9)]));
    // a pointer whose fields disagree with its certificate is still refused
    const bad = { ...stored.pointer, dataHash: `0x${'11'.repeat(32)}` as Hex };
    await expect(reader.retrieve(bad)).rejects.toMatchObject({ code: 'DA_INVALID_POINTER' });
  });

  it('issue 19 (4): a certificate with less than the inbox minimum lifetime left is refused; the batch goes to L1', async () => {
    // deployCommittee gave the inbox its default minimum: the 7-day challenge period + 1 day
    expect(await inbox.certificateMinLifetime()).toBe(8n * 86_400n);
    const next = await startLocalCommittee(4, { seed: 'lifetime', assumedHonest: 2 });
    try {
      await keysets.registerKeyset(
        next.keyset,
        next.keys.map((k) => k.proofOfPossession),
      );
      // members accept this retention (at least their 8-day minimum), but with L1's clock an hour
      // ahead of the batcher's, the certificate has less than the inbox's minimum left when it lands
      const cfg = config(next);
      cfg.committee!.retentionSeconds = 8 * 86_400 + 120;
      await l1.testClient.increaseTime({ seconds: 3600 });
      await l1.testClient.mine({ blocks: 1 });
      const events: BatcherEvent[] = [];
      const b3 = new Batcher({ inbox, da: daOf(cfg), onEvent: (e) => events.push(e) });
      await b3.start();
      const posted = await seal(b3);
      expect(posted.da).toMatchObject({ pointer: 'blob', usedFallback: true });
      const refused = events.find((e) => e.type === 'certificate-refused');
      expect(refused && (refused.error as SettlementRevertError).errorName).toBe(
        'CertificateLifetimeTooShort',
      );
    } finally {
      await next.close();
    }
  }, 180_000);
});
