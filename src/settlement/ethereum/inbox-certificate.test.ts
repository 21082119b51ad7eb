/**
 * Issue 19 (4), certificates without a minimum lifetime, on anvil: the inbox refuses a committee
 * batch (kind 0x03) whose certificate expires before the posting block's time + the minimum lifetime
 * registered with the verifier (docs/inbox.md §5.3, docs/committee.md §5), whatever its signatures;
 * exactly the minimum is accepted. The certificates are valid BLS certificates of a registered
 * keyset, so only the lifetime check can refuse them.
 */
import type { Hex } from 'viem';
import { keccak256 } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blsSign, signingMessage } from '../../crypto/bls.ts';
import { buildCertificate, encodeCertificate, type Keyset } from '../../da/committee/certificate.ts';
import { deployCommitteeKeysets } from '../../da/committee/keysets.ts';
import { localMemberKey } from '../../da/committee/local-committee.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { deployInbox, InboxClient } from './inbox.ts';
import { MESSAGE_KIND } from './message.ts';
import { expectRevert } from './test-utils.ts';

/** the devnet's: a 60 s challenge period + the 1-day margin */
const MIN = 86_460n;
const keys = [0, 1, 2].map((i) => localMemberKey(i, 'inbox-certificate-test'));
const keyset: Keyset = { assumedHonest: 2, publicKeys: keys.map((k) => k.publicKey) };

let l1: L1;
let inbox: InboxClient;
let n = 0;

/** a valid certificate of the registered keyset (2 of 3 sign) for a fresh batch, expiring at `expiry` */
function certificate(expiry: bigint): { cert: Uint8Array; dataHash: Hex } {
  const dataHash = keccak256(Uint8Array.of(19, 4, n++));
  const m = signingMessage(dataHash, expiry);
  const sigs = new Map([0, 1].map((i) => [i, blsSign(keys[i].secretKey, m)]));
  return { cert: encodeCertificate(buildCertificate(keyset, dataHash, expiry, sigs)), dataHash };
}

/** the next block's time, set on anvil (so the expiry can be placed exactly around the minimum) */
async function nextBlockAt(): Promise<bigint> {
  const t = (await l1.publicClient.getBlock()).timestamp + 100n;
  await l1.testClient.setNextBlockTimestamp({ timestamp: t });
  return t;
}

const post = (cert: Uint8Array) => inbox.postBatch(cert, { kind: MESSAGE_KIND.certificateBatch });

beforeAll(async () => {
  l1 = await startAnvil();
  const dep = await deployInbox(l1, { sequencer: l1.accounts[0].address, maxDelaySeconds: 3600 });
  inbox = await InboxClient.attach(l1, dep.address, { fromBlock: dep.deployBlock });
  const keysets = await deployCommitteeKeysets(l1);
  await keysets.registerKeyset(
    keyset,
    keys.map((k) => k.proofOfPossession),
  );
  await inbox.initializeCertificateVerifier(keysets.address, MIN);
}, 120_000);

afterAll(async () => {
  await l1?.stop();
});

describe('Inbox §5.3: the minimum certificate lifetime (issue 19, 4)', () => {
  it('is set once with the verifier', async () => {
    expect(await inbox.certificateMinLifetime()).toBe(MIN);
  });

  it('refuses a certificate that expires seconds after it is posted, and one just under the minimum', async () => {
    const before = await inbox.messageCount();
    // the attack: members sign a promise that ends a few seconds after the batch lands
    let t = await nextBlockAt();
    let e = await expectRevert(post(certificate(t + 5n).cert), 'Inbox', 'CertificateLifetimeTooShort', [
      t + 5n,
      t + MIN,
    ]);
    expect(e.code).toBe('INBOX_CERTIFICATE_LIFETIME_TOO_SHORT');
    expect(e.message).toMatch(/members may delete the data before a validator can fetch it/);
    expect(e.message).toMatch(/da\.committee\.retentionSeconds/);
    // one second short of the minimum
    t = await nextBlockAt();
    e = await expectRevert(post(certificate(t + MIN - 1n).cert), 'Inbox', 'CertificateLifetimeTooShort', [
      t + MIN - 1n,
      t + MIN,
    ]);
    // nothing entered the inbox
    expect(await inbox.messageCount()).toBe(before);
    // an already expired certificate keeps the verifier's own error
    t = await nextBlockAt();
    await expectRevert(post(certificate(t - 1n).cert), 'CommitteeKeysets', 'CertificateExpired');
  });

  it('accepts a certificate whose lifetime is exactly the minimum', async () => {
    const t = await nextBlockAt();
    const { cert, dataHash } = certificate(t + MIN);
    const r = await post(cert);
    expect((await l1.publicClient.getBlock({ blockNumber: r.blockNumber })).timestamp).toBe(t);
    const [entry] = await inbox.readMessages(r.position, r.position + 1n);
    expect(entry.data).toEqual(Uint8Array.from([3, ...Buffer.from(dataHash.slice(2), 'hex')]));
    console.log(`inbox-certificate: postBatch(0x03, 2-of-3 certificate) gasUsed ${r.gasUsed}`);
  });
});
