/**
 * The local validators' helpers without an L1: the refusal without a committee, and the signing
 * policies localAttestation gives (docs/attested.md §6: honest members sign only what they derived;
 * the fraud scenario's colluders sign the liar's assertions and never their honest rivals). The
 * registration itself runs on anvil in the devnet's and the report's tests.
 */
import type { Address, Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { withDefaults } from '../config/defaults.ts';
import type { L1 } from '../l1/anvil.ts';
import type { SettlementDeployment } from '../settlement/ethereum/deploy-settlement.ts';
import type { AssertionRecord } from '../settlement/ethereum/rollup.ts';
import type { EpochInfo } from '../settlement/ethereum/validator-committee.ts';
import { localAttestation, registerLocalValidators } from './local-validators.ts';

const l1 = { chainId: 31_337 } as unknown as L1;
const COMMITTEE = `0x${'c0'.repeat(20)}` as Hex;
const LIAR = `0x${'22'.repeat(20)}` as Address;
const HONEST = `0x${'11'.repeat(20)}` as Address;
const config = withDefaults({ proof: { module: 'attested' } });
const record = (asserter: Address) => ({ asserter }) as unknown as AssertionRecord;
const epoch: EpochInfo = { epoch: 3n, members: [7, 4, 9, 1], threshold: 3, seed: '0x00' };
const ask = (o: { by: Address; honest: boolean; validator: number; siblings?: Address[] }) => ({
  record: record(o.by),
  siblings: (o.siblings ?? []).map(record),
  honest: o.honest,
  validator: o.validator,
  position: epoch.members.indexOf(o.validator),
  epoch,
});

describe('local validators', () => {
  it('refuses a deployment without a validator committee, with an actionable message', async () => {
    const s = {} as SettlementDeployment;
    await expect(registerLocalValidators(l1, s, config, { owner: {} as never })).rejects.toMatchObject({
      code: 'LOCAL_VALIDATORS_NO_COMMITTEE',
      message: expect.stringContaining('deployForConfig deploys it'),
    });
  });

  it('honest pool: no policy (every member signs exactly the honest assertions), the pool on the committee', () => {
    const a = localAttestation(l1, COMMITTEE, [], { config });
    expect(a.policy).toBeUndefined();
    expect(a.pool.domain).toEqual({ chainId: 31_337n, committee: COMMITTEE });
  });

  it('fraud scenario: nobody signs before the lie; then all but the first h members collude', () => {
    const lines: string[] = [];
    const { policy } = localAttestation(l1, COMMITTEE, [], {
      config,
      colludeWith: LIAR,
      log: (l) => lines.push(l),
    });
    if (!policy) throw new Error('no policy');
    expect(lines[0]).toContain('but its first 2 members');
    // before the lie: not even an honest assertion is signed
    expect(policy(ask({ by: HONEST, honest: true, validator: 7 }))).toBe(false);
    // the lie: signed by members past the first h = 2 (9 and 1), not by 7 and 4
    expect(epoch.members.map((v) => policy(ask({ by: LIAR, honest: false, validator: v })))).toEqual([
      false,
      false,
      true,
      true,
    ]);
    // its honest rival: only the honest members sign it
    expect(
      epoch.members.map((v) => policy(ask({ by: HONEST, honest: true, validator: v, siblings: [LIAR] }))),
    ).toEqual([true, true, false, false]);
    // a dishonest assertion by someone else: nobody
    expect(policy(ask({ by: HONEST, honest: false, validator: 7 }))).toBe(false);
  });
});
