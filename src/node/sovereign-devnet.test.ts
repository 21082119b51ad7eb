/**
 * The sovereign devnet (docs/sovereign.md §8) on an embedded anvil: the inbox alone on L1, two full
 * nodes deriving from it, a light client following both over HTTP with L1's accumulators.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.ts';
import { REPO_ROOT } from '../l1/contracts.ts';
import { LIE_BLOCK, SOVEREIGN_BATCHES, SovereignDevnet, SovereignDevnetError } from './sovereign-devnet.ts';

const config = () => loadConfig(`${REPO_ROOT}/examples/sovereign.config.json`);

describe('sovereign devnet', () => {
  it('fraud: the lying full node is caught by the light client, which accepts the honest head', {
    timeout: 180_000,
  }, async () => {
    const lines: string[] = [];
    const r = await new SovereignDevnet({
      config: config(),
      scenario: 'fraud',
      untilConfirmed: true,
      timeoutMs: 120_000,
      log: (l) => lines.push(l),
    }).run();
    expect(r.result).toBe('honest-won');
    expect(r.l2_blocks).toBe(SOVEREIGN_BATCHES);
    expect(r.light_client.head).toBe(SOVEREIGN_BATCHES - 1);
    expect(r.light_client.proofs_checked).toBeGreaterThan(0);
    expect(r.peers.map((p) => [p.role, p.honest, p.reason, p.block])).toEqual([
      ['full-node-1', true, undefined, undefined],
      ['full-node-2', false, 'wrong-root', LIE_BLOCK],
    ]);
    // one contract on L1: the inbox
    expect(lines.filter((l) => /deployed at 0x/.test(l))).toHaveLength(1);
    expect(lines.some((l) => l.includes(`accepted block ${LIE_BLOCK} `) && l.includes('by proof'))).toBe(
      true,
    );
  });

  it('demo: confirmed once the light client accepted the head, every peer honest, no proof needed', {
    timeout: 180_000,
  }, async () => {
    const r = await new SovereignDevnet({
      config: config(),
      scenario: 'demo',
      untilConfirmed: true,
      timeoutMs: 120_000,
      log: () => {},
    }).run();
    expect(r.result).toBe('confirmed');
    expect(r.light_client).toMatchObject({ head: SOVEREIGN_BATCHES - 1, proofs_checked: 0 });
    expect(r.peers.every((p) => p.honest)).toBe(true);
  });

  it('refuses a config that is not sovereign', () => {
    const c = config();
    c.settlement = { module: 'ethereum', rpcUrl: 'embedded' };
    expect(
      () =>
        new SovereignDevnet({
          config: c,
          scenario: 'demo',
          untilConfirmed: true,
          timeoutMs: 1,
          log: () => {},
        }),
    ).toThrow(SovereignDevnetError);
  });
});
