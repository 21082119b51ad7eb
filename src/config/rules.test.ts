import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.ts';
import { validateConfig } from './load.ts';
import { summarizeConfig } from './summary.ts';

function problems(raw: unknown): Record<string, string> {
  try {
    validateConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return Object.fromEntries((e as ConfigError).issues.map((i) => [i.path, i.message]));
  }
  throw new Error('expected the config to be rejected');
}

const A = '0x1111111111111111111111111111111111111111';
const B = '0x2222222222222222222222222222222222222222';
const PK1 = `0x${'11'.repeat(256)}`;
const PK2 = `0x${'22'.repeat(256)}`;
const POP = `0x${'33'.repeat(128)}`;
const committee = (assumedHonest: number, fallback = 'l1-calldata') => ({
  module: 'committee',
  committee: {
    members: [
      { url: 'http://127.0.0.1:9001', publicKey: PK1, proofOfPossession: POP },
      { url: 'http://127.0.0.1:9002', publicKey: PK2, proofOfPossession: POP },
    ],
    assumedHonest,
    fallback,
  },
});

describe('module status', () => {
  it('refuses planned modules with "not implemented yet", naming the field', () => {
    const p = problems({ vm: { module: 'evm', app: undefined, stf: 'evm.wasm' } });
    expect(p['vm.module']).toBe('"evm" is not implemented yet (planned); implemented: "wasm"');
    expect(
      problems({ sequencing: { module: 'committee-rotation', committee: { members: [A, B] } } }),
    ).toEqual({
      'sequencing.module': '"committee-rotation" is not implemented yet (planned); implemented: "single"',
    });
  });
});

describe('combinations', () => {
  it('proof none requires sovereign settlement', () => {
    expect(problems({ proof: { module: 'none' } })['proof.module']).toMatch(
      /^"none" requires settlement.module "sovereign"/,
    );
  });

  it('fraud proofs need ethereum or modex settlement', () => {
    expect(problems({ settlement: { module: 'sovereign' } })['proof.module']).toMatch(
      /"fraud" proofs need contracts to verify them: use settlement.module "ethereum" or "modex"/,
    );
  });

  it('accepts a sovereign chain (proof none, its inbox on L1) and refuses blobs and a missing L1 for it', () => {
    const sovereign = { proof: { module: 'none' }, settlement: { module: 'sovereign', rpcUrl: 'embedded' } };
    expect(validateConfig(sovereign).settlement.module).toBe('sovereign');
    expect(problems({ ...sovereign, settlement: { module: 'sovereign' } })['settlement.rpcUrl']).toBe(
      'required for settlement "sovereign": "embedded" (start anvil) or a JSON-RPC URL',
    );
    expect(problems({ ...sovereign, da: { module: 'l1-blob' } })['da.module']).toMatch(
      /"l1-blob" needs EIP-4844 blobs, which only settlement "ethereum" has/,
    );
    expect(problems({ ...sovereign, da: committee(1) })['da.module']).toMatch(
      /^"committee" certificates are checked by a keyset contract beside the inbox/,
    );
  });

  it('fraud proofs need a challenge period and a bond', () => {
    const p = problems({ proof: { challengePeriodSeconds: 0, bond: '0' } });
    expect(p['proof.challengePeriodSeconds']).toContain('at least 1 second');
    expect(p['proof.bond']).toContain('non-zero bond');
  });

  it('accepts a valid committee DA and rejects assumedHonest above the member count', () => {
    expect(validateConfig({ da: committee(2) }).da.committee?.timeoutMs).toBe(5000);
    expect(problems({ da: committee(3) })['da.committee.assumedHonest']).toBe(
      'got 3; cannot exceed the number of members (2); a certificate needs members - assumedHonest + 1 signatures',
    );
  });

  it('issue 19 (4): certificates must outlive the challenge period + 1 day; the retention asked covers posting too', () => {
    // defaults: minLifetime = challenge period + 1 day, retention 14 days
    const d = validateConfig({ da: committee(1) }).da.committee;
    expect(d).toMatchObject({ retentionSeconds: 14 * 86_400, minLifetimeSeconds: 7 * 86_400 + 86_400 });
    expect(
      validateConfig({ proof: { challengePeriodSeconds: 60 }, da: committee(1) }).da.committee
        ?.minLifetimeSeconds,
    ).toBe(86_460);
    // the attack's configuration: certificates that may expire right after the challenge period (or before)
    const short = committee(1) as ReturnType<typeof committee> & { committee: Record<string, unknown> };
    short.committee.minLifetimeSeconds = 7 * 86_400 + 86_399;
    short.committee.retentionSeconds = 7 * 86_400;
    const p = problems({ da: short });
    expect(p['da.committee.minLifetimeSeconds']).toBe(
      'got 691199; must be at least proof.challengePeriodSeconds (604800) + a margin of 86400 s (1 day) = 691200: ' +
        'members may delete a batch when its certificate expires, and a validator that was offline must still be able to fetch it and dispute',
    );
    expect(p['da.committee.retentionSeconds']).toMatch(
      /^got 604800; must be at least da\.committee\.minLifetimeSeconds \(691200, itself at least proof\.challengePeriodSeconds \+ 1 day\) \+ 3600 s for signing and posting = 694800/,
    );
    // a long challenge period needs a longer retention than the default
    expect(problems({ proof: { challengePeriodSeconds: 20 * 86_400 }, da: committee(1) })).toEqual({
      'da.committee.retentionSeconds': expect.stringMatching(/^got 1209600; must be at least .* = 1818000/),
    });
    // exactly the bounds are accepted
    const edge = committee(1) as ReturnType<typeof committee> & { committee: Record<string, unknown> };
    edge.committee.minLifetimeSeconds = 691_200;
    edge.committee.retentionSeconds = 694_800;
    expect(validateConfig({ da: edge }).da.committee).toMatchObject({
      minLifetimeSeconds: 691_200,
      retentionSeconds: 694_800,
    });
  });

  it('committee DA needs members, each with its own key', () => {
    expect(problems({ da: { module: 'committee' } })['da.committee.members']).toContain('got no members');
    const dup = committee(1);
    dup.committee.members[1].publicKey = PK1.toUpperCase().replace('0X', '0x');
    expect(problems({ da: dup })['da.committee.members[1].publicKey']).toContain(
      'duplicate of members[0].publicKey',
    );
  });

  it('l1-blob (primary or fallback) needs ethereum settlement', () => {
    const p = problems({
      proof: { module: 'validity' },
      settlement: { module: 'modex', parent: { rpcUrl: 'http://127.0.0.1:8547', chainId: 5 } },
      da: committee(1, 'l1-blob'),
    });
    expect(p['da.committee.fallback']).toMatch(/only settlement "ethereum" has \(got "modex"\)/);
  });

  it('validity proofs (zk-rollup or hybrid disputes) need an app with a circuit and calldata DA', () => {
    const zk = problems({ proof: { module: 'validity' }, vm: { app: 'token' } });
    expect(zk['vm.app']).toMatch(
      /needs an app that ships a validity circuit \(built-in: "ztoken"\); "token" has none/,
    );
    const hybrid = problems({ proof: { module: 'fraud', disputes: 'validity' }, da: { module: 'l1-blob' } });
    expect(hybrid['vm.app']).toMatch(/proof.disputes "validity" needs an app that ships a validity circuit/);
    expect(hybrid['da.module']).toMatch(/use "l1-calldata" \(got "l1-blob"/);
    expect(problems({ proof: { module: 'attested', disputes: 'validity' } })['proof.disputes']).toMatch(
      /with "attested" use "bisection"/,
    );
    expect(
      problems({ proof: { module: 'fraud', validity: { proveWindowSeconds: 5 } } })['proof.validity'],
    ).toMatch(/only used by proof.module "validity" or proof.disputes "validity"/);
  });

  it('modex settlement needs a parent chain and a different chain id', () => {
    expect(problems({ settlement: { module: 'modex' } })['settlement.parent']).toContain(
      'required for settlement "modex"',
    );
    const p = problems({
      chain: { chainId: 7 },
      settlement: { module: 'modex', parent: { rpcUrl: 'http://x:1', chainId: 7 } },
    });
    expect(p['chain.chainId']).toContain('cannot settle on itself');
  });

  it('refuses the embedded anvil chain id for the L2', () => {
    expect(problems({ chain: { chainId: 31337 } })['chain.chainId']).toContain('replay');
  });

  it('refuses section fields that do not belong to the chosen module', () => {
    const p = problems({ da: { module: 'l1-calldata', committee: committee(1).committee } });
    expect(p['da.committee']).toContain('only used by da.module "committee"');
    expect(problems({ vm: { app: 'token', stf: 'x.wasm' } })['vm.stf']).toContain('not both');
  });

  it('sequencing.tickSeconds: a positive integer, for the EVM (or a custom STF), with ethereum or sovereign settlement', () => {
    const evm = { vm: { app: 'evm' } };
    const c = validateConfig({ ...evm, sequencing: { tickSeconds: 12 } });
    expect(c.sequencing.tickSeconds).toBe(12);
    expect(summarizeConfig(c)).toMatch(/L1 time every 12s/);
    expect(validateConfig(evm).sequencing.tickSeconds).toBeUndefined();
    expect(summarizeConfig(validateConfig(evm))).not.toMatch(/L1 time/);
    // the sovereign inbox is the same contract, with tick()
    const sovereign = {
      ...evm,
      proof: { module: 'none' },
      settlement: { module: 'sovereign', rpcUrl: 'embedded' },
      sequencing: { tickSeconds: 1 },
    };
    expect(validateConfig(sovereign).sequencing.tickSeconds).toBe(1);
    for (const bad of [0, -12, 1.5, '12', 86_401]) {
      expect(problems({ ...evm, sequencing: { tickSeconds: bad } })['sequencing.tickSeconds']).toMatch(
        /expected an integer from 1 to 86400 seconds/,
      );
    }
    expect(problems({ vm: { app: 'token' }, sequencing: { tickSeconds: 12 } })).toEqual({
      'sequencing.tickSeconds': expect.stringMatching(/^the built-in app "token" ignores L1-time ticks/),
    });
  });

  it('batch size must fit the DA transport (including a committee fallback)', () => {
    expect(problems({ sequencing: { batch: { maxBytes: 200_000 } } })['sequencing.batch.maxBytes']).toBe(
      'got 200000; "l1-calldata" carries at most 120000 bytes per batch',
    );
    expect(
      validateConfig({ da: { module: 'l1-blob' }, sequencing: { batch: { maxBytes: 500_000 } } }).da.module,
    ).toBe('l1-blob');
    expect(
      problems({ da: committee(1), sequencing: { batch: { maxBytes: 200_000 } } })[
        'sequencing.batch.maxBytes'
      ],
    ).toContain('fallback must be able to carry any batch');
  });
});

describe('proof.attested (docs/attested.md §1.1)', () => {
  it('fills the devnet defaults for proof.module "attested", and only for it', () => {
    expect(
      validateConfig({ proof: { module: 'attested', challengePeriodSeconds: 60 } }).proof.attested,
    ).toEqual({
      activeSize: 20,
      assumedHonest: 2,
      epochBlocks: 4,
      stake: '1000000000000000000',
      entryDelayEpochs: 2,
      exitDelayEpochs: 2,
      withdrawalDelayEpochs: 4,
      slashRewardPercent: 50,
      localValidators: 100,
    });
    // the default withdrawal delay keeps an exiting validator's stake for two challenge periods (7 days each)
    expect(validateConfig({ proof: { module: 'attested' } }).proof.attested?.withdrawalDelayEpochs).toBe(
      Math.floor((2 * 7 * 86_400) / (4 * 12)) + 1 - 2,
    );
    const c = validateConfig({ proof: { module: 'attested', attested: { activeSize: 5, stake: 7 } } });
    expect(c.proof.attested).toMatchObject({ activeSize: 5, assumedHonest: 2, stake: '7' });
    expect(summarizeConfig(c)).toContain(
      'attested proofs (committees of 5, 2 assumed honest, epochs of 4 L1 blocks, stake 7 wei; fallback: challenge 7d, bond 1 ETH)',
    );
    expect(validateConfig({}).proof.attested).toBeUndefined();
    expect(problems({ proof: { attested: { activeSize: 5 } } })['proof.attested']).toBe(
      'only used by proof.module "attested"; remove it for "fraud"',
    );
  });

  it('names every out-of-range parameter with its path', () => {
    const p = problems({
      proof: {
        module: 'attested',
        attested: {
          activeSize: 256,
          assumedHonest: 0,
          epochBlocks: 0,
          stake: '-1',
          entryDelayEpochs: 1,
          exitDelayEpochs: 1,
          withdrawalDelayEpochs: -1,
          slashRewardPercent: 101,
          localValidators: 2000,
          quorum: 3,
        },
      },
    });
    expect(p['proof.attested.activeSize']).toBe('got 256; expected an integer from 1 to 255 members');
    expect(p['proof.attested.assumedHonest']).toBe('got 0; expected an integer from 1 to 255 members');
    expect(p['proof.attested.epochBlocks']).toContain('expected an integer from 1');
    expect(p['proof.attested.stake']).toContain('expected an amount in wei');
    expect(p['proof.attested.entryDelayEpochs']).toBe('got 1; expected an integer from 2 to 1000000 epochs');
    expect(p['proof.attested.exitDelayEpochs']).toBe('got 1; expected an integer from 2 to 1000000 epochs');
    expect(p['proof.attested.withdrawalDelayEpochs']).toContain('from 0');
    expect(p['proof.attested.slashRewardPercent']).toBe('got 101; expected an integer from 0 to 100 percent');
    expect(p['proof.attested.localValidators']).toContain('from 0 to 1024');
    expect(p['proof.attested.quorum']).toContain('unknown field; allowed here: activeSize, assumedHonest');
  });

  it('checks the parameters together: honest ≤ active, a stake, enough local validators to seal', () => {
    const p = problems({
      proof: {
        module: 'attested',
        attested: { activeSize: 3, assumedHonest: 4, stake: '0', localValidators: 1 },
      },
    });
    expect(p['proof.attested.assumedHonest']).toBe(
      'got 4; cannot exceed proof.attested.activeSize (3): a quorum is activeSize − assumedHonest + 1 signatures',
    );
    expect(p['proof.attested.stake']).toContain('non-zero stake');
    expect(p['proof.attested.localValidators']).toContain('at least proof.attested.assumedHonest (4)');
    // docs/attested.md §6: a wrong-root signer must not get its stake back before the dispute is over
    const early = problems({
      proof: { module: 'attested', challengePeriodSeconds: 3600, attested: { withdrawalDelayEpochs: 10 } },
    });
    expect(early['proof.attested.withdrawalDelayEpochs']).toBe(
      'got 10; a validator that exits gets its stake back after (exitDelayEpochs 2 + withdrawalDelayEpochs) × epochBlocks 4 × 12 s = 576 s, ' +
        'which must exceed 2 × proof.challengePeriodSeconds = 7200 s, or a member who signed a wrong root leaves before the dispute can slash it ' +
        '(docs/attested.md §6); use at least 149',
    );
    expect(
      validateConfig({
        proof: { module: 'attested', challengePeriodSeconds: 3600, attested: { withdrawalDelayEpochs: 149 } },
      }).proof.attested?.withdrawalDelayEpochs,
    ).toBe(149);
    // no local validators: the devnet's chain is a rollup (every assertion takes the fallback)
    expect(
      validateConfig({ proof: { module: 'attested', attested: { localValidators: 0 } } }).proof.attested
        ?.localValidators,
    ).toBe(0);
  });
});
