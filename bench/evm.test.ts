import { describe, expect, it } from 'vitest';
import { benchEvm, formatEvmBench } from './evm.ts';

describe('modex bench evm (slow)', () => {
  it('runs ERC-20 transfers on the guest and on @ethereumjs/vm with the same gas, and counts interpreter steps', async () => {
    const r = await benchEvm({ holders: 3, transfers: 6, rounds: 1, interpreted: 1 });
    // benchEvm throws when the engines' gas differs or a transfer fails or is refused on either
    expect(r.gas_per_transfer).toBeGreaterThan(21_000);
    expect(r.erc20_tx_per_second).toBeGreaterThan(0);
    expect(r.ethereumjs_erc20_tx_per_second).toBeGreaterThan(0);
    expect(r.steps_per_transfer).toBeGreaterThan(1000);
    expect(formatEvmBench(r)).toMatch(/machine steps per transfer/);
  }, 300_000);
});
