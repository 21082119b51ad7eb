/**
 * The large-preimage flow of the preimage oracle on anvil (docs/blob.md §4.1): keccak-f on chain
 * agrees with keccak256 at every block boundary, the part at an offset that spans two parts is
 * stored, a loader resumes, and every check refuses its attack (a wrong part, parts out of order,
 * a squeeze before all parts, a wrong key, another account's proposal, misaligned or overlong parts).
 */
import { bytesToHex, type Hex, keccak256 } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { walletFor } from './inbox.ts';
import { PreimageOracleClient } from './preimage-oracle.ts';
import {
  KECCAK_RATE,
  LARGE_PREIMAGE_PART_BLOCKS,
  LARGE_PREIMAGE_PART_BYTES,
  largePreimageParts,
  largePreimageUuid,
  loadLargePreimage,
  PreimagePartSizeError,
  TX_GAS_CAP,
} from './preimage-oracle-large.ts';
import { expectRevert } from './test-utils.ts';

let l1: L1;
let oracle: PreimageOracleClient;
let other: PreimageOracleClient;

beforeAll(async () => {
  l1 = await startAnvil();
  const d = await deploy(l1, await getArtifact('PreimageOracle'));
  oracle = await PreimageOracleClient.at(l1, d.address);
  other = oracle.as({ publicClient: l1.publicClient, walletClient: walletFor(l1, l1.accounts[1].account) });
}, 120_000);

afterAll(async () => {
  await l1?.stop();
});

const reverts = (p: Promise<unknown>, name: string, args?: readonly unknown[]) =>
  expectRevert(p, 'PreimageOracle', name, args);
const bytes = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 29 + seed + (i >> 7)) & 0xff);
const hex = (b: Uint8Array): Hex => bytesToHex(b);
let nextUuid = 1n;

describe('large preimages hashed on chain in parts', () => {
  it('the squeeze matches keccak256 at every block boundary and keeps the chunk at the offset', async () => {
    for (const len of [1, 31, 135, 136, 137, 271, 272, 273, 3 * KECCAK_RATE + 100]) {
      const pre = bytes(len, len);
      const offset = len > 40 ? len - 40 : 0;
      const uuid = nextUuid++;
      const { parts, tail } = largePreimageParts(len, KECCAK_RATE);
      await oracle.openLargePreimage(uuid, offset, len);
      for (const [s, e] of parts) await oracle.absorbLargePreimage(uuid, s, pre.subarray(s, e));
      // the squeeze reverts LargePreimageHashMismatch unless the sponge computed keccak256(pre)
      await oracle.squeezeLargePreimage(uuid, pre.subarray(tail[0]), keccak256(pre));
      expect(await oracle.readPreimage(0, keccak256(pre), offset), `length ${len}`).toBe(
        hex(pre.subarray(offset, offset + 32)),
      );
      expect(await oracle.readPreimage(0, keccak256(pre), len)).toBe('0x');
      // the proposal is closed
      expect((await oracle.largePreimage(l1.walletClient.account.address, uuid)).open).toBe(false);
    }
  }, 60_000);

  it('loadLargePreimage: a chunk across a part boundary, progress logged, other offsets unknown', async () => {
    const pre = bytes(5000, 9);
    const h = keccak256(pre);
    const partBytes = 10 * KECCAK_RATE; // parts end at 1360, 2720, 4080, 4896; a 104-byte tail
    const offset = 1360 - 20;
    const lines: string[] = [];
    const tx = await loadLargePreimage(oracle, h, pre, offset, { partBytes, log: (l) => lines.push(l) });
    expect(tx.receipt.status).toBe('success');
    expect(await oracle.readPreimage(0, h, offset)).toBe(hex(pre.subarray(offset, offset + 32)));
    expect(await oracle.isPartKnown(0, h, offset + 1)).toBe(false);
    expect(lines.length).toBe(6); // opened, 4 parts, squeezed
    expect(lines[1]).toMatch(/part 1\/4 absorbed, 1360\/5000 bytes, \d+ gas/);
    expect(lines[5]).toMatch(/squeezed/);
  }, 60_000);

  it('a loader that stopped half-way resumes where the chain says', async () => {
    const pre = bytes(3000, 10);
    const h = keccak256(pre);
    const offset = 2990;
    const uuid = largePreimageUuid(h, offset, pre.length);
    await oracle.openLargePreimage(uuid, offset, pre.length);
    await oracle.absorbLargePreimage(uuid, 0, pre.subarray(0, 5 * KECCAK_RATE));
    const lines: string[] = [];
    await loadLargePreimage(oracle, h, pre, offset, {
      partBytes: 5 * KECCAK_RATE,
      log: (l) => lines.push(l),
    });
    expect(lines[0]).toMatch(/resuming at 680 bytes absorbed/);
    expect(lines.filter((l) => /absorbed,/.test(l)).length).toBe(4); // parts 2..5 of 5
    expect(await oracle.readPreimage(0, h, offset)).toBe(hex(pre.subarray(offset)));
  }, 60_000);

  it('ensurePart loads a preimage over 120,000 bytes through the parts flow', async () => {
    const pre = bytes(120_001 + KECCAK_RATE, 11);
    const h = keccak256(pre);
    const lines: string[] = [];
    const tx = await oracle.ensurePart(0, h, pre.length - 1, pre, { log: (l) => lines.push(l) });
    expect(tx).toMatch(/^0x/);
    expect(lines[0]).toMatch(/opened, 4 parts/);
    expect(await oracle.readPreimage(0, h, pre.length - 1)).toBe(hex(pre.subarray(pre.length - 1)));
    expect(await oracle.ensurePart(0, h, pre.length - 1, pre)).toBeUndefined();
  }, 120_000);
});

describe('large preimages: every check refuses its attack', () => {
  const pre = bytes(1000, 20); // 7 blocks and a 48-byte tail
  const h = keccak256(pre);
  const blocks = (a: number, b: number) => pre.subarray(a * KECCAK_RATE, b * KECCAK_RATE);
  const tail = pre.subarray(7 * KECCAK_RATE);

  it('a wrong part: the squeeze finds another hash and stores nothing', async () => {
    const uuid = nextUuid++;
    await oracle.openLargePreimage(uuid, 500, pre.length);
    const bad = blocks(0, 7).slice();
    bad[300] ^= 1;
    await oracle.absorbLargePreimage(uuid, 0, bad);
    const e = await reverts(oracle.squeezeLargePreimage(uuid, tail, h), 'LargePreimageHashMismatch');
    expect(e.args[0]).toBe(h);
    expect(e.args[1]).not.toBe(h);
    expect(await oracle.isPartKnown(0, h, 500)).toBe(false);
    // and the liar cannot store the wrong bytes under the hash they really have either: the part is
    // only stored under the hash the sponge computed, which is not h
    await oracle.squeezeLargePreimage(uuid, tail, e.args[1] as Hex);
    expect(await oracle.isPartKnown(0, h, 500)).toBe(false);
  });

  it('parts out of order: a start that is not the absorbed count, or swapped parts', async () => {
    const uuid = nextUuid++;
    await oracle.openLargePreimage(uuid, 0, pre.length);
    await reverts(
      oracle.absorbLargePreimage(uuid, KECCAK_RATE, blocks(1, 2)),
      'LargePreimagePartOutOfOrder',
      [0n, 136n],
    );
    await oracle.absorbLargePreimage(uuid, 0, blocks(0, 1));
    await reverts(oracle.absorbLargePreimage(uuid, 0, blocks(0, 1)), 'LargePreimagePartOutOfOrder', [
      136n,
      0n,
    ]);
    // the right starts, the contents swapped: the hash tells
    await oracle.absorbLargePreimage(uuid, KECCAK_RATE, blocks(2, 3));
    await oracle.absorbLargePreimage(uuid, 2 * KECCAK_RATE, blocks(1, 2));
    await oracle.absorbLargePreimage(uuid, 3 * KECCAK_RATE, blocks(3, 7));
    await reverts(oracle.squeezeLargePreimage(uuid, tail, h), 'LargePreimageHashMismatch');
    expect(await oracle.isPartKnown(0, h, 0)).toBe(false);
  });

  it('a squeeze before all parts, a tail past the length, or too long a tail', async () => {
    const uuid = nextUuid++;
    await oracle.openLargePreimage(uuid, 0, pre.length);
    await oracle.absorbLargePreimage(uuid, 0, blocks(0, 6));
    await reverts(oracle.squeezeLargePreimage(uuid, tail, h), 'LargePreimageIncomplete', [864n, 1000n]);
    await reverts(
      oracle.squeezeLargePreimage(uuid, pre.subarray(6 * KECCAK_RATE), h),
      'LargePreimagePartMisaligned',
      [184n],
    );
    await oracle.absorbLargePreimage(uuid, 6 * KECCAK_RATE, blocks(6, 7));
    await reverts(oracle.squeezeLargePreimage(uuid, tail.subarray(1), h), 'LargePreimageIncomplete', [
      999n,
      1000n,
    ]);
    await reverts(oracle.squeezeLargePreimage(uuid, bytes(49, 0), h), 'LargePreimageIncomplete', [
      1001n,
      1000n,
    ]);
    await oracle.squeezeLargePreimage(uuid, tail, h);
    expect(await oracle.readPreimage(0, h, 0)).toBe(hex(pre.subarray(0, 32)));
  });

  it('a wrong key: the right bytes are not stored under another hash', async () => {
    const uuid = nextUuid++;
    const wrong = keccak256(bytes(1000, 21));
    await oracle.openLargePreimage(uuid, 10, pre.length);
    await oracle.absorbLargePreimage(uuid, 0, blocks(0, 7));
    await reverts(oracle.squeezeLargePreimage(uuid, tail, wrong), 'LargePreimageHashMismatch', [wrong, h]);
    expect(await oracle.isPartKnown(0, wrong, 10)).toBe(false);
  });

  it('another account cannot absorb into or squeeze a proposal; a proposal is opened once', async () => {
    const uuid = nextUuid++;
    const me = l1.walletClient.account.address;
    const them = other.clients.walletClient.account.address;
    await oracle.openLargePreimage(uuid, 0, pre.length);
    await reverts(oracle.openLargePreimage(uuid, 0, pre.length), 'LargePreimageExists', [me, uuid]);
    await reverts(other.absorbLargePreimage(uuid, 0, blocks(0, 1)), 'UnknownLargePreimage', [them, uuid]);
    await reverts(other.squeezeLargePreimage(uuid, tail, h), 'UnknownLargePreimage', [them, uuid]);
    expect((await oracle.largePreimage(me, uuid)).absorbed).toBe(0n);
  });

  it('misaligned, empty or overlong parts; an offset outside the preimage', async () => {
    const uuid = nextUuid++;
    await reverts(oracle.openLargePreimage(uuid, 1000, 1000), 'PartOffsetOutOfRange', [1000n, 1000n]);
    await reverts(oracle.openLargePreimage(uuid, 0, 0), 'PartOffsetOutOfRange', [0n, 0n]);
    await oracle.openLargePreimage(uuid, 0, pre.length);
    await reverts(oracle.absorbLargePreimage(uuid, 0, pre.subarray(0, 200)), 'LargePreimagePartMisaligned', [
      200n,
    ]);
    await reverts(oracle.absorbLargePreimage(uuid, 0, new Uint8Array()), 'LargePreimagePartMisaligned', [0n]);
    await reverts(oracle.absorbLargePreimage(uuid, 0, bytes(8 * KECCAK_RATE, 1)), 'LargePreimageOverrun', [
      1088n,
      1000n,
    ]);
  });

  it('part sizes must be whole blocks', () => {
    expect(() => largePreimageParts(1000, 100)).toThrow(PreimagePartSizeError);
    expect(() => largePreimageParts(1000, 0)).toThrow(/multiple of 136/);
    expect(largePreimageParts(1000, 272)).toEqual({
      parts: [
        [0, 272],
        [272, 544],
        [544, 816],
        [816, 952],
      ],
      tail: [952, 1000],
    });
    expect(LARGE_PREIMAGE_PART_BYTES).toBe(LARGE_PREIMAGE_PART_BLOCKS * KECCAK_RATE);
  });

  it('a full default part stays under EIP-7825 cap (2^24 gas) and 128 KiB', async () => {
    const big = bytes(LARGE_PREIMAGE_PART_BYTES + 10, 30).map((b) => b | 1); // no zero bytes: the dearest calldata
    const uuid = nextUuid++;
    await oracle.openLargePreimage(uuid, 0, big.length);
    const tx = await oracle.absorbLargePreimage(uuid, 0, big.subarray(0, LARGE_PREIMAGE_PART_BYTES));
    const perBlock = Number(tx.gasUsed) / LARGE_PREIMAGE_PART_BLOCKS;
    console.log(
      `absorbLargePreimage of ${LARGE_PREIMAGE_PART_BLOCKS} blocks: ${tx.gasUsed} gas (${perBlock.toFixed(0)} per block)`,
    );
    expect(tx.gasUsed).toBeLessThan(BigInt(TX_GAS_CAP));
    expect(LARGE_PREIMAGE_PART_BYTES + 200).toBeLessThan(128 * 1024);
  }, 60_000);
});
