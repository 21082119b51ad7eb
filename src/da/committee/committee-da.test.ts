/**
 * Committee DA against real member servers on 127.0.0.1 (5 members, assumedHonest 2, so K = 4) with
 * a real L1CalldataDa fallback: which faults still certify and which fall back, readers skipping
 * withholding/corrupt members, DA_UNAVAILABLE when nobody has the data, pointer checks.
 */
import { bytesToHex, keccak256 } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DaPointer } from '../../core/types.ts';
import { DaBatchTooLargeError, DaInvalidPointerError, DaUnavailableError } from '../errors.ts';
import { L1CalldataDa } from '../l1-calldata/l1-calldata.ts';
import { checkCertificate, decodeCertificate, requiredSigners } from './certificate.ts';
import { CommitteeDa, type CommitteeDaEvent, type CommitteeDaOptions } from './committee-da.ts';
import { DaCommitteeConfigError } from './committee-errors.ts';
import { type LocalCommittee, startLocalCommittee } from './local-committee.ts';

const TIMEOUT = 1000;
/** above the members' default minimum retention (8 days, issue 19 (4)) */
const RETENTION = 9 * 86_400;
let c: LocalCommittee;
let other: LocalCommittee;
let events: CommitteeDaEvent[];
const fallback = new L1CalldataDa();

function client(o: Partial<CommitteeDaOptions> = {}): CommitteeDa {
  return new CommitteeDa({
    members: c.members,
    keyset: c.keyset,
    timeoutMs: TIMEOUT,
    retentionSeconds: RETENTION,
    fallback,
    onEvent: (e) => events.push(e),
    backoffMs: { base: 0, max: 0 },
    randomStart: false,
    ...o,
  });
}

let n = 0;
/** a fresh batch each call (members are shared across tests) */
const batch = (size = 1000) => {
  n++;
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + n) & 0xff);
};
const storeEvent = () =>
  events.filter((e) => e.type === 'store').at(-1) as Extract<CommitteeDaEvent, { type: 'store' }>;
const reasons = () => Object.fromEntries(storeEvent().failures.map((f) => [f.member, f.reason]));

async function certify(da: CommitteeDa, data: Uint8Array) {
  const s = await da.store(data);
  expect(s.usedFallback).toBe(false);
  expect(s.pointer.kind).toBe('certificate');
  expect(s.dataHash).toBe(keccak256(data));
  return s.pointer as Extract<DaPointer, { kind: 'certificate' }>;
}

beforeAll(async () => {
  c = await startLocalCommittee(5, { assumedHonest: 2 });
  other = await startLocalCommittee(5, { assumedHonest: 2, seed: 'another committee' });
  events = [];
  await client({ timeoutMs: 10_000 }).store(batch()); // warm up (noble's first pairing is slow)
});
afterAll(async () => {
  await c?.close();
  await other?.close();
});
beforeEach(() => {
  events = [];
});

/** every member up, without faults */
async function healthy(): Promise<void> {
  for (let i = 0; i < 5; i++) await c.restart(i);
}

describe('CommitteeDa store: what certifies and what falls back (n = 5, K = 4)', () => {
  it('all honest: a certificate that passes checkCertificate; retrieve gives the bytes back', async () => {
    await healthy();
    expect(requiredSigners(c.keyset)).toBe(4);
    const da = client();
    const data = batch();
    const p = await certify(da, data);
    const cert = decodeCertificate(p.certificate);
    expect(checkCertificate(c.keyset, cert)).toBeUndefined();
    expect(cert.dataHash).toBe(keccak256(data));
    expect(p.keysetHash).toBe(da.keysetHash);
    expect(p.expiry).toBe(cert.expiry);
    const e = storeEvent();
    expect(e.certified).toBe(true);
    expect(e.signers.length).toBeGreaterThanOrEqual(4);
    expect(cert.nonSigners.length).toBe(5 - e.signers.length);
    expect(await da.retrieve(p)).toEqual(data);
    // pointer round trip: 0x03 ‖ certificate
    const enc = da.encodePointer(p);
    expect(enc[0]).toBe(0x03);
    expect(enc.subarray(1)).toEqual(p.certificate);
    expect(da.decodePointer(enc)).toEqual(p);
    expect(da.checkPointer(da.decodePointer(enc))).toBeUndefined();
  });

  it('one member down: still certifies without it', async () => {
    await healthy();
    await c.stop(2);
    const da = client();
    const p = await certify(da, batch());
    expect(storeEvent().signers).toEqual([0, 1, 3, 4]);
    expect(reasons()[2]).toMatch(/unreachable/);
    expect(checkCertificate(c.keyset, decodeCertificate(p.certificate))).toBeUndefined();
  });

  it('two members down: falls back to L1 at once (K is out of reach), and the fallback pointer reads back', async () => {
    await healthy();
    await c.stop(0);
    await c.stop(4);
    const da = client();
    const data = batch();
    const s = await da.store(data);
    expect(s.usedFallback).toBe(true);
    // at once: no member was waited for until the timeout
    expect(Object.values(reasons()).filter((r) => r === 'timeout')).toEqual([]);
    expect(s.pointer).toEqual({ kind: 'calldata', data });
    expect(storeEvent()).toMatchObject({ certified: false, signers: [] });
    expect(await da.retrieve(s.pointer)).toEqual(data);
    expect(da.encodePointer(s.pointer)[0]).toBe(0x00);
    expect(da.decodePointer(da.encodePointer(s.pointer))).toEqual(s.pointer);
    // no sticky fallback: the members come back, the next batch is certified
    await c.restart(0);
    await c.restart(4);
    await certify(da, batch());
    expect(storeEvent().failures).toEqual([]);
  });

  it('one slow member: certifies without waiting for it', async () => {
    await healthy();
    await c.restart(1, { delayMs: 5000 });
    const da = client();
    await certify(da, batch());
    expect(storeEvent().signers).toEqual([0, 2, 3, 4]);
    // not waited for: certified with K signatures before the slow member's timeout could fire
    expect(reasons()[1]).not.toBe('timeout');
  });

  it('one slow member and one down: falls back after the timeout', async () => {
    await healthy();
    await c.restart(1, { delayMs: 5000 });
    await c.stop(3);
    const da = client();
    const t0 = performance.now();
    const s = await da.store(batch());
    const ms = performance.now() - t0;
    expect(s.usedFallback).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT - 5); // it waited for the timeout (a lower bound: load cannot break it)
    expect(reasons()).toMatchObject({ 1: 'timeout', 3: expect.stringMatching(/unreachable/) });
  });

  it('one bad signature: ignored and reported, never aggregated; two: falls back', async () => {
    await healthy();
    await c.restart(3, 'bad-signature');
    await c.restart(4, { delayMs: 250 }); // so the bad signature is among the first K answers
    const da = client({ timeoutMs: 3000 }); // room for 4 single checks on a cold, shared CPU
    const p = await certify(da, batch());
    expect(storeEvent().signers).toEqual([0, 1, 2, 4]);
    expect(reasons()[3]).toMatch(/bad signature/);
    expect(checkCertificate(c.keyset, decodeCertificate(p.certificate))).toBeUndefined();
    expect(decodeCertificate(p.certificate).nonSigners.map((k) => bytesToHex(k))).toEqual([
      bytesToHex(c.keys[3].publicKey),
    ]);
    await c.restart(0, 'bad-signature');
    const s = await da.store(batch());
    expect(s.usedFallback).toBe(true);
    expect(reasons()).toMatchObject({
      0: expect.stringMatching(/bad signature/),
      3: expect.stringMatching(/bad/),
    });
  });

  it('members that sign without storing: certified; readers skip them and still get the data', async () => {
    await healthy();
    await c.restart(0, 'withhold');
    await c.restart(1, 'withhold');
    const da = client();
    const data = batch();
    const held = c.servers[0]!.stored + c.servers[1]!.stored;
    const p = await certify(da, data);
    // K = 4 of 5 signed, so at least one withholder did, and readers ask signers first, in order
    expect(storeEvent().signers[0]).toBeLessThanOrEqual(1);
    expect(c.servers[0]!.stored + c.servers[1]!.stored).toBe(held);
    expect(await da.retrieve(p)).toEqual(data);
    const failed = events.filter((e) => e.type === 'member-failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const f of failed)
      expect(f).toMatchObject({ op: 'retrieve', member: expect.any(Number), reason: 'HTTP 404' });
    expect(failed.every((f) => f.type === 'member-failed' && f.member <= 1)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'retrieve', member: expect.any(Number) });
    expect((events.at(-1) as { member: number }).member).toBeGreaterThan(1);
  });

  it('members serving corrupt bytes are skipped and reported', async () => {
    await healthy();
    await c.restart(0, 'corrupt');
    await c.restart(1, 'corrupt');
    const da = client();
    const data = batch();
    const p = await certify(da, data);
    expect(storeEvent().signers[0]).toBeLessThanOrEqual(1);
    expect(await da.retrieve(p)).toEqual(data);
    const failed = events.filter((e) => e.type === 'member-failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const f of failed)
      expect(f).toMatchObject({
        member: expect.any(Number),
        reason: expect.stringMatching(/keccak256 is not the certified/),
      });
    expect((events.at(-1) as { member: number }).member).toBeGreaterThan(1);
    // a random start gets the data too
    expect(await client({ randomStart: true }).retrieve(p)).toEqual(data);
  });

  it('DA_UNAVAILABLE when no member has the data (K withholders, the honest one down)', async () => {
    await healthy();
    for (const i of [0, 1, 2, 3]) await c.restart(i, 'withhold');
    const da = client();
    const p = await certify(da, batch());
    await c.stop(4);
    const e = await da.retrieve(p).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DaUnavailableError);
    expect((e as DaUnavailableError).code).toBe('DA_UNAVAILABLE');
    expect((e as Error).message).toMatch(/member 0 .*HTTP 404.*member 4 .*unreachable/);
  });

  it('members restarted on the same data directory still serve what they certified', async () => {
    await healthy();
    const da = client();
    const data = batch();
    const p = await certify(da, data);
    await new Promise((r) => setTimeout(r, 200)); // the last member may answer after the certificate
    for (let i = 0; i < 5; i++) await c.stop(i);
    await expect(da.retrieve(p)).rejects.toBeInstanceOf(DaUnavailableError);
    await healthy();
    expect(await da.retrieve(p)).toEqual(data);
  });

  it('a slow member on retrieve is timed out and the next one serves', async () => {
    await healthy();
    const da = client();
    const data = batch();
    const p = await certify(da, data);
    const first = storeEvent().signers[0]; // readers ask the signers first, in order
    await c.restart(first, { delayMs: 5000 });
    expect(await da.retrieve(p)).toEqual(data);
    expect(events.find((e) => e.type === 'member-failed')).toMatchObject({
      member: first,
      reason: 'timeout',
    });
  });

  it('a failed member backs off (skipped), then is asked again', async () => {
    await healthy();
    await c.stop(2);
    const da = client({ backoffMs: { base: 300, max: 1000 } });
    await certify(da, batch());
    expect(reasons()[2]).toMatch(/unreachable/);
    await c.restart(2);
    await certify(da, batch());
    expect(reasons()[2]).toMatch(/backing off/);
    await new Promise((r) => setTimeout(r, 350));
    const before = c.servers[2]!.stored;
    await certify(da, batch());
    expect(reasons()[2]).toBeUndefined();
    // it may answer after the certificate
    await expect.poll(() => c.servers[2]!.stored, { timeout: 10_000 }).toBe(before + 1);
  });
});

describe('CommitteeDa pointers and limits', () => {
  let p: Extract<DaPointer, { kind: 'certificate' }>;
  let da: CommitteeDa;
  beforeAll(async () => {
    await healthy();
    da = client();
    p = await certify(da, batch());
  });

  it('checkPointer refuses tampered certificates and mismatched pointers; retrieve throws DA_INVALID_POINTER', async () => {
    const flip = (at: number) => {
      const b = Uint8Array.from(p.certificate);
      b[at] ^= 1;
      return b;
    };
    const bad: [DaPointer, RegExp][] = [
      [{ ...p, certificate: flip(73 + 60) }, /does not verify|BadAggregateSignature|not a valid/i], // signature
      [
        { ...p, certificate: flip(40), dataHash: decodeCertificate(flip(40)).dataHash },
        /BadAggregateSignature/,
      ],
      [{ ...p, dataHash: keccak256('0x00') }, /another data hash/],
      [{ ...p, expiry: p.expiry + 1n }, /another expiry/],
      [{ ...p, keysetHash: keccak256('0x01') }, /another keyset/],
      [{ ...p, certificate: p.certificate.subarray(0, 100) }, /does not decode/],
      [{ ...p, certificate: '0x01' as never }, /without certificate bytes/],
      [{ ...p, dataHash: '0x12' as never }, /dataHash is not 32-byte hex/],
    ];
    for (const [q, why] of bad) {
      expect(da.checkPointer(q)).toMatch(why);
      const e = await da.retrieve(q).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DaInvalidPointerError);
    }
    // another committee's certificate is not this committee's
    const theirs = new CommitteeDa({
      members: other.members,
      keyset: other.keyset,
      timeoutMs: TIMEOUT,
      retentionSeconds: RETENTION,
      fallback,
    });
    const q = (await theirs.store(batch())).pointer;
    expect(theirs.checkPointer(q)).toBeUndefined();
    expect(da.checkPointer(q)).toMatch(/this committee's is/);
  });

  it("decodePointer: 0x03 is a certificate, other kinds are the fallback's", () => {
    expect(() => da.decodePointer(Uint8Array.of(0x03, 1, 2))).toThrow(DaInvalidPointerError);
    expect(() => da.decodePointer(Uint8Array.of(0x03))).toThrow(/cannot be empty/);
    expect(da.decodePointer(Uint8Array.of(0x00, 7))).toEqual({ kind: 'calldata', data: Uint8Array.of(7) });
    expect(() => da.decodePointer(Uint8Array.of(0x01))).toThrow(/deposit/);
    expect(() => da.decodePointer(new Uint8Array(0))).toThrow(DaInvalidPointerError);
    expect(da.checkPointer({ kind: 'blob', versionedHashes: [], dataLength: 0 } as never)).toMatch(
      /cannot resolve/,
    );
  });

  it('maxBatchBytes is the smaller of the members and the fallback; larger batches are refused', async () => {
    expect(da.maxBatchBytes).toBe(fallback.maxBatchBytes);
    const small = client({ fallback: new L1CalldataDa({ maxBatchBytes: 100 }) });
    expect(small.maxBatchBytes).toBe(100);
    expect(client({ memberMaxBytes: 50 }).maxBatchBytes).toBe(50);
    await expect(small.store(new Uint8Array(101))).rejects.toBeInstanceOf(DaBatchTooLargeError);
    // a batch at the limit of the members' size is certified
    const big = client({ memberMaxBytes: 100_000 });
    await certify(big, batch(100_000));
  });

  it('refuses a member list that does not match the keyset', () => {
    const base = { keyset: c.keyset, timeoutMs: 100, retentionSeconds: 60, fallback };
    const cases: [CommitteeDaOptions['members'], RegExp][] = [
      [[...c.members.slice(0, 4), other.members[0]], /is not in the keyset/],
      [[c.members[0], c.members[0], c.members[1], c.members[2]], /same public key/],
      [c.members.slice(0, 3), /3 members can never give the 4 signatures/],
    ];
    for (const [members, why] of cases) {
      const e = (() => {
        try {
          return new CommitteeDa({ ...base, members });
        } catch (x) {
          return x;
        }
      })();
      expect(e).toBeInstanceOf(DaCommitteeConfigError);
      expect((e as Error).message).toMatch(why);
    }
    expect(() => new CommitteeDa({ ...base, members: c.members, timeoutMs: 0 })).toThrow(
      DaCommitteeConfigError,
    );
    expect(() => new CommitteeDa({ ...base, members: c.members, retentionSeconds: 1.5 })).toThrow(
      DaCommitteeConfigError,
    );
  });

  it('issue 19 (4): members refuse a retention below their minimum; the client reports why and falls back', async () => {
    const short = client({ retentionSeconds: 3600 });
    const s = await short.store(batch());
    expect(s.usedFallback).toBe(true);
    const rs = Object.values(reasons());
    expect(rs.length).toBeGreaterThanOrEqual(2);
    for (const r of rs)
      expect(r).toMatch(
        /^HTTP 400 DA_SERVER_EXPIRY_TOO_SOON: expiry \d+ is sooner than this member's minimum retention of 691200 s .*da\.committee\.retentionSeconds/,
      );
  });

  it('a member refusing the expiry (retention too long) counts as a failure', async () => {
    const long = client({ retentionSeconds: 10 ** 9 });
    const s = await long.store(batch());
    expect(s.usedFallback).toBe(true);
    // the client falls back as soon as K is out of reach: which members' answers came first varies
    const rs = Object.values(reasons());
    expect(rs.length).toBeGreaterThanOrEqual(2);
    for (const r of rs) expect(r).toMatch(/HTTP 400 DA_SERVER_BAD_EXPIRY/);
  });
});
