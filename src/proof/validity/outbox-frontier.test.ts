/**
 * The outbox frontier (outbox-frontier.ts, the mirror of contracts/validity/OutboxFrontier.sol)
 * against the SDK's full-tree outbox (src/apps/sdk/outbox.ts): after every append the frontier's
 * root is the tree's root; encoding round-trips; an empty frontier's root is zero.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { outboxRoot } from '../../apps/sdk/outbox.ts';
import {
  decodeFrontier,
  emptyFrontier,
  encodeFrontier,
  frontierAppend,
  frontierRoot,
} from './outbox-frontier.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('outbox frontier', () => {
  it('its root is the depth-32 tree’s root after each of 70 appends; empty is zero', () => {
    let f = emptyFrontier();
    expect(hex(frontierRoot(f))).toBe('00'.repeat(32));
    const leaves: Uint8Array[] = [];
    for (let i = 0; i < 70; i++) {
      const leaf = keccak_256(Uint8Array.of(i));
      leaves.push(leaf);
      f = frontierAppend(f, leaf);
      expect(f.count).toBe(BigInt(i + 1));
      expect(hex(frontierRoot(f))).toBe(hex(outboxRoot(leaves)));
      const g = decodeFrontier(encodeFrontier(f));
      expect(hex(frontierRoot(g))).toBe(hex(frontierRoot(f)));
    }
    // a changed branch entry that the count uses changes the root
    const bad = { count: f.count, branch: f.branch.map((b) => b.slice()) };
    bad.branch[1][0] ^= 1; // 70 = 0b1000110: bit 1 set
    expect(hex(frontierRoot(bad))).not.toBe(hex(frontierRoot(f)));
    expect(decodeFrontier(undefined).count).toBe(0n);
    expect(decodeFrontier(new Uint8Array(5)).count).toBe(0n);
  });
});
