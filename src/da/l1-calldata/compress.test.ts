/**
 * compressBatch (src/da/l1-calldata/compress.ts): the 0x04 payload of a transaction list when it is smaller
 * than the list, inflating (node zlib) to exactly the list; undefined when compression does not pay
 * or the list is larger than the STF inflates. The STF side is src/apps/sdk/brotli.test.ts.
 */
import { createHash } from 'node:crypto';
import { brotliDecompressSync } from 'node:zlib';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { BROTLI_DICTIONARY_SHA256, brotliDictionary } from '../../apps/sdk/brotli-dictionary.ts';
import { transfer } from '../../apps/token/client.ts';
import { encodeTxList, MAX_INFLATED_TX_LIST as MAX_INFLATED } from '../../settlement/ethereum/message.ts';
import { brotli, compressBatch, DEFAULT_QUALITY, DEFAULT_WINDOW_BITS } from './compress.ts';

const USER = privateKeyToAccount(`0x${'11'.repeat(32)}`);

/** deterministic pseudo-random bytes (incompressible) */
function noise(n: number, seed = 1): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

describe('compressBatch', () => {
  it('returns a payload that inflates to the list, smaller than it', async () => {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) {
      const to = `0x${(0x10000 + i).toString(16).padStart(40, '0')}` as const;
      txs.push(await transfer(USER, to, 1000n + BigInt(i), { nonce: BigInt(i) }));
    }
    const list = encodeTxList(txs);
    const payload = compressBatch(list);
    expect(payload).toBeDefined();
    expect(payload!.length).toBeLessThan(list.length * 0.6);
    expect(new Uint8Array(brotliDecompressSync(payload!))).toEqual(list);
    // the parameters are the documented defaults
    expect(payload).toEqual(brotli(list, { quality: DEFAULT_QUALITY, windowBits: DEFAULT_WINDOW_BITS }));
    expect(compressBatch(list, { quality: 0 })!.length).toBeGreaterThan(payload!.length);
  });

  it('undefined when compression does not pay (incompressible, tiny) or the list exceeds MAX_INFLATED', () => {
    expect(compressBatch(noise(5000))).toBeUndefined();
    expect(compressBatch(encodeTxList([]))).toBeUndefined(); // 4 bytes: a stream is never shorter
    const big = new Uint8Array(MAX_INFLATED + 1);
    expect(brotli(big).length).toBeLessThan(100);
    expect(compressBatch(big)).toBeUndefined();
    expect(compressBatch(big.subarray(1))).toBeDefined();
  });

  it('compression ratio and time by quality on 500 transfers (≈ 69.5 KB, as bench da)', async () => {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < 500; i++) {
      const to = `0x${(0x10000 + i).toString(16).padStart(40, '0')}` as const;
      txs.push(await transfer(USER, to, 1000n + BigInt(i), { nonce: BigInt(i) }));
    }
    const list = encodeTxList(txs);
    const rows: string[] = [];
    const size: Record<number, number> = {};
    for (const quality of [0, 1, 4, 5, 9, 11]) {
      const t0 = performance.now();
      const s = brotli(list, { quality });
      const ms = performance.now() - t0;
      size[quality] = s.length;
      rows.push(
        `q${quality} ${s.length} B ${((100 * s.length) / list.length).toFixed(1)}% ${ms.toFixed(1)} ms`,
      );
    }
    console.log(`brotli, 500 transfers (${list.length} B): ${rows.join('; ')}`);
    // signed transfers compress to about half; quality 5 is within 1% of quality 11
    expect(size[DEFAULT_QUALITY]).toBeLessThan(list.length * 0.55);
    expect(size[DEFAULT_QUALITY]).toBeLessThan(size[11] * 1.01);
  });

  it('the dictionary every node serves as a preimage is RFC 7932 Appendix A', () => {
    const d = brotliDictionary();
    expect(d.length).toBe(122_784);
    expect(createHash('sha256').update(d).digest('hex')).toBe(BROTLI_DICTIONARY_SHA256);
  });
});
