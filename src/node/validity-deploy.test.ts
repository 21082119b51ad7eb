/** A chain proven by validity proofs is deployed by the validity devnet only (docs/validity.md §6). */
import { describe, expect, it } from 'vitest';
import { withDefaults } from '../config/defaults.ts';
import { deployForConfig, disputeParamsOf, NO_CONFIRMATION_BY_TIME, provenByValidity } from './roles.ts';

describe('deploying a validity chain', () => {
  it('deployForConfig refuses it without the verifier (modex deploy cannot deploy one yet), before touching L1', async () => {
    for (const proof of [
      { module: 'validity' as const },
      { module: 'fraud' as const, disputes: 'validity' as const },
    ]) {
      const config = withDefaults({ vm: { app: 'ztoken' }, proof });
      expect(provenByValidity(config)).toBe(true);
      await expect(deployForConfig(undefined as never, config)).rejects.toThrow(
        /only `modex devnet --config <file>` deploys/,
      );
    }
    expect(provenByValidity(withDefaults({}))).toBe(false);
  });

  it('zk-rollup mode never confirms by time: the longest challenge period the Rollup holds', () => {
    expect(disputeParamsOf(withDefaults({ proof: { module: 'validity' } })).challengePeriod).toBe(
      NO_CONFIRMATION_BY_TIME,
    );
    expect(disputeParamsOf(withDefaults({ proof: { challengePeriodSeconds: 60 } })).challengePeriod).toBe(
      60n,
    );
  });
});
