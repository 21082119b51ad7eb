/** A chain proven by validity proofs is deployed with its verifier (`deployValidityChain`), and runs its own roles (docs/validity.md §6). */
import { describe, expect, it } from 'vitest';
import { withDefaults } from '../config/defaults.ts';
import { deployForConfig, disputeParamsOf, NO_CONFIRMATION_BY_TIME, provenByValidity } from './roles.ts';
import { checkValidityRole, validityModeOf } from './validity-chain.ts';

describe('deploying a validity chain', () => {
  it('deployForConfig refuses it without the verifier (deployValidityChain passes it), before touching L1', async () => {
    for (const proof of [
      { module: 'validity' as const },
      { module: 'fraud' as const, disputes: 'validity' as const },
    ]) {
      const config = withDefaults({ vm: { app: 'ztoken' }, proof });
      expect(provenByValidity(config)).toBe(true);
      await expect(deployForConfig(undefined as never, config)).rejects.toThrow(
        /NODE_VALIDITY_VERIFIER_MISSING|deploy it with `deployValidityChain`/,
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

  it('which roles a chain runs: no validator on a zk-rollup, no prover without validity proofs, the config as deployed', () => {
    const zk = withDefaults({ vm: { app: 'ztoken' }, proof: { module: 'validity' } });
    const hybrid = withDefaults({ vm: { app: 'ztoken' }, proof: { module: 'fraud', disputes: 'validity' } });
    const fraud = withDefaults({});
    expect([zk, hybrid, fraud].map(validityModeOf)).toEqual(['zk-rollup', 'hybrid', undefined]);
    const dep = (mode?: 'zk-rollup' | 'hybrid') => (mode ? { validity: { mode } } : {}) as never;
    const code = (f: () => void) => {
      try {
        f();
        return 'ok';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    const roles = ['sequencer', 'validator', 'prover'] as const;
    expect(roles.map((r) => code(() => checkValidityRole(r, zk, dep('zk-rollup'))))).toEqual([
      'ok',
      'NODE_NO_VALIDATORS',
      'ok',
    ]);
    expect(roles.map((r) => code(() => checkValidityRole(r, hybrid, dep('hybrid'))))).toEqual([
      'ok',
      'ok',
      'ok',
    ]);
    expect(roles.map((r) => code(() => checkValidityRole(r, fraud, dep())))).toEqual([
      'ok',
      'ok',
      'NODE_PROVER_NOT_VALIDITY',
    ]);
    expect(code(() => checkValidityRole('sequencer', fraud, dep('zk-rollup')))).toBe(
      'NODE_VALIDITY_CONFIG_MISMATCH',
    );
    expect(code(() => checkValidityRole('prover', zk, dep('hybrid')))).toBe('NODE_VALIDITY_CONFIG_MISMATCH');
  });
});
