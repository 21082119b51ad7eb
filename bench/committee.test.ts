import { describe, expect, it } from 'vitest';
import { benchBls, benchCommittee } from './committee.ts';

describe('committee bench', () => {
  it('measures sign/verify and certificate latency with a small committee', { timeout: 60_000 }, async () => {
    const bls = benchBls(2);
    expect(bls.signMs).toBeGreaterThan(0);
    expect(bls.verifyMs).toBeGreaterThan(0);
    const r = await benchCommittee({ members: 3, assumedHonest: 1, batches: 3, batchBytes: 10_000 });
    expect(r).toMatchObject({ members: 3, required: 3, batches: 3, fallbacks: 0, batchBytes: 10_000 });
    expect(r.certificateMs.p50).toBeGreaterThan(0);
    expect(r.certificateMs.p99).toBeGreaterThanOrEqual(r.certificateMs.p50);
    expect(r.retrieveMs.p50).toBeGreaterThan(0);
  });
});
