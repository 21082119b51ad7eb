/**
 * The metrics hooks on what the roles report, without a chain: a validator's events and disputes
 * (moves and their gas by kind, disputes open, won and lost counted once, the assertion lag), and
 * a committee batch that fell back to L1 (the DA store time under the fallback's path). The real
 * roles are scraped over HTTP in metrics.test.ts and src/cli/commands/node.test.ts.
 */
import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../test/prometheus.ts';
import type { PostedBlock } from './batcher.ts';
import { NodeMetrics } from './metrics.ts';
import { observePosted, watchValidator } from './metrics-hooks.ts';
import type { DisputeOutcome, Validator, ValidatorEvent } from './validator.ts';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;

describe('watchValidator', () => {
  it('counts assertions, moves and their gas by kind, disputes by outcome once, and the lag', async () => {
    const m = new NodeMetrics();
    const v = {
      events: [] as ValidatorEvent[],
      disputes: new Map<Hex, DisputeOutcome>(),
      assertedPosition: undefined as number | undefined,
      confirmedPosition: undefined as number | undefined,
    };
    const derived = { length: 0 };
    watchValidator(m, v as unknown as Validator, derived, 'validator-1');
    const scrape = async () => parseExposition(await m.metrics());
    const r = { role: 'validator-1' };

    let x = await scrape();
    expect(x.value('modex_head_block', r)).toBe(-1);
    expect(x.value('modex_disputes_open', r)).toBe(0);

    derived.length = 12;
    v.assertedPosition = 10;
    v.confirmedPosition = 4;
    v.events.push(
      { kind: 'assertion', id: id(1), blocks: 10, lie: false, gas: 300_000n },
      { kind: 'disagree', id: id(2), asserter: `0x${'22'.repeat(20)}` },
      { kind: 'move', move: 'layer-zero-edge level 0 [0, +2^5)', gas: 200_000n },
      { kind: 'move', move: 'dissect level 0 [0, +2^5)', gas: 100_000n },
      { kind: 'move', move: 'dissect level 1 [0, +2^4)', gas: 90_000n },
    );
    v.disputes.set(id(1), 'open');
    x = await scrape();
    expect(x.value('modex_head_block', r)).toBe(11);
    expect(x.value('modex_assertions_total', { ...r, event: 'posted' })).toBe(1);
    expect(x.value('modex_l1_gas_total', { ...r, kind: 'assertion' })).toBe(300_000);
    expect(x.value('modex_l1_gas_total', { ...r, kind: 'dissect' })).toBe(190_000);
    expect(x.value('modex_l1_transactions_total', { ...r, kind: 'dissect' })).toBe(2);
    expect(x.value('modex_dispute_moves_total', { ...r, kind: 'layer-zero-edge' })).toBe(1);
    expect(x.value('modex_dispute_moves_total', { ...r, kind: 'dissect' })).toBe(2);
    expect(x.value('modex_disputes_open', r)).toBe(1);
    expect(x.value('modex_assertion_lag_blocks', { ...r, assertion: 'asserted' })).toBe(2);
    expect(x.value('modex_assertion_lag_blocks', { ...r, assertion: 'confirmed' })).toBe(8);

    // the dispute is won (confirmed at the end of the challenge), the liar's stake taken
    v.events.push(
      { kind: 'move', move: 'one-step-proof level 2', gas: 1_000_000n },
      { kind: 'move', move: 'confirm-assertion', gas: 80_000n },
      { kind: 'confirmed', id: id(1), byChallenge: true },
      { kind: 'slashed', staker: `0x${'22'.repeat(20)}`, assertion: id(2), gas: 60_000n },
    );
    v.disputes.set(id(1), 'won');
    v.disputes.set(id(3), 'lost');
    v.confirmedPosition = 10;
    for (let i = 0; i < 2; i++) {
      // scraped twice: nothing counted again
      x = await scrape();
      expect(x.value('modex_disputes_total', { ...r, outcome: 'won' })).toBe(1);
      expect(x.value('modex_disputes_total', { ...r, outcome: 'lost' })).toBe(1);
      expect(x.value('modex_disputes_open', r)).toBe(0);
      expect(x.value('modex_assertions_total', { ...r, event: 'confirmed' })).toBe(1);
      expect(x.value('modex_l1_gas_total', { ...r, kind: 'one-step-proof' })).toBe(1_000_000);
      expect(x.value('modex_l1_gas_total', { ...r, kind: 'confirm-assertion' })).toBe(80_000);
      expect(x.value('modex_l1_gas_total', { ...r, kind: 'slash' })).toBe(60_000);
      expect(x.value('modex_assertion_lag_blocks', { ...r, assertion: 'confirmed' })).toBe(2);
    }
  });
});

describe('observePosted', () => {
  const block = { position: 3n, message: new Uint8Array(101), delayedRead: 0n };
  const tx = { txHash: id(9), blockNumber: 1n, gasUsed: 70_000n } as PostedBlock['tx'];

  it('a committee batch that fell back: counted under the fallback path, its DA time and a fallback', async () => {
    const m = new NodeMetrics();
    const posted = (
      pointer: 'certificate' | 'calldata',
      usedFallback: boolean,
      storeMs: number,
    ): PostedBlock => ({
      block,
      sequenceNumber: 0n,
      position: 3n,
      alreadyPosted: false,
      tx,
      da: { pointer, usedFallback, bytes: 300, storeMs },
    });
    observePosted(m, posted('certificate', false, 40));
    observePosted(m, posted('calldata', true, 2000));
    // found on L1 already (after a restart): not counted
    observePosted(m, { ...posted('certificate', false, 1), alreadyPosted: true, tx: undefined });
    const x = parseExposition(await m.metrics());
    const b = { role: 'batcher' };
    expect(x.value('modex_batches_posted_total', { ...b, da: 'certificate', fallback: 'false' })).toBe(1);
    expect(x.value('modex_batches_posted_total', { ...b, da: 'calldata', fallback: 'true' })).toBe(1);
    expect(x.value('modex_da_fallbacks_total', b)).toBe(1);
    expect(x.value('modex_da_store_seconds_sum', { ...b, da: 'certificate', fallback: 'false' })).toBeCloseTo(
      0.04,
    );
    expect(x.value('modex_da_store_seconds_sum', { ...b, da: 'calldata', fallback: 'true' })).toBeCloseTo(2);
    expect(x.value('modex_batch_bytes_sum', { ...b, form: 'raw' })).toBe(200);
    expect(x.value('modex_batch_bytes_sum', { ...b, form: 'posted' })).toBe(600);
    expect(x.value('modex_l1_gas_total', { ...b, kind: 'batch' })).toBe(140_000);
  });
});
