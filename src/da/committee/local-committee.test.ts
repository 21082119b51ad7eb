import { bytesToHex, hexToBytes } from 'viem';
import { describe, expect, it } from 'vitest';
import { verifyProofOfPossession } from '../../crypto/bls.ts';
import { requiredSigners } from './certificate.ts';
import { localMemberKey, startLocalCommittee } from './local-committee.ts';

describe('startLocalCommittee', () => {
  it('starts n members with deterministic keys; stop and restart keep the URL', async () => {
    const c = await startLocalCommittee(3);
    try {
      expect(c.keyset.assumedHonest).toBe(1);
      expect(requiredSigners(c.keyset)).toBe(3);
      expect(c.keys[1].publicKey).toEqual(localMemberKey(1).publicKey);
      expect(localMemberKey(1, 'other').publicKey).not.toEqual(c.keys[1].publicKey);
      expect(new Set(c.members.map((m) => m.url)).size).toBe(3);
      for (const [i, m] of c.configMembers.entries()) {
        expect(m.publicKey).toBe(bytesToHex(c.keyset.publicKeys[i]));
        expect(verifyProofOfPossession(hexToBytes(m.publicKey), hexToBytes(m.proofOfPossession))).toBe(true);
        const h = (await (await fetch(`${m.url}/v1/health`)).json()) as { publicKey: string };
        expect(h.publicKey).toBe(m.publicKey);
      }
      await c.stop(2);
      expect(c.servers[2]).toBeUndefined();
      await expect(fetch(`${c.members[2].url}/v1/health`)).rejects.toThrow();
      const s = await c.restart(2, 'corrupt');
      expect(s.url).toBe(c.members[2].url);
      const h = (await (await fetch(`${s.url}/v1/health`)).json()) as { faults: string[] };
      expect(h.faults).toEqual(['corrupt']);
    } finally {
      await c.close();
    }
    await expect(startLocalCommittee(0)).rejects.toThrow(RangeError);
  });
});
