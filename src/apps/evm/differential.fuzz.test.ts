/**
 * Differential fuzzer (issue 16 item 5, docs/fuzzing.md target `evm-differential`): random bytecode
 * (test/evm/random-evm.ts) in three contracts, called by a signed EIP-1559 transaction with random
 * calldata, value and gas, run on the modex EVM guest (natively) and on @ethereumjs/vm (Cancun) from
 * the same pre-state. Both must agree on whether the transaction is valid, its success, gas used,
 * logs and Ethereum's post-state root (accounts, balances, nonces, code, storage).
 */
import { createBlock } from '@ethereumjs/block';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { createTxFromRLP } from '@ethereumjs/tx';
import { createAccount, createAddressFromString } from '@ethereumjs/util';
import { createVM, runTx } from '@ethereumjs/vm';
import { type Hex, hexToBytes, keccak256, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { randomProgram } from '../../../test/evm/random-evm.ts';
import { fuzz, fuzzTimeout } from '../../../test/fuzz/fuzz.ts';
import { PreimageStore } from '../sdk/preimage-store.ts';
import { encodeEnv } from './env.ts';
import type { PreAccount, StateTestEnv } from './fixture.ts';
import { EvmGuest, ethStateRoot, logsHash } from './guest.ts';
import { writePreState } from './world.ts';

const KEY = keccak256(new TextEncoder().encode('modex evm differential sender'));
const SENDER = privateKeyToAccount(KEY);
const CONTRACTS = [
  '00000000000000000000000000000000000c0de1',
  '00000000000000000000000000000000000c0de2',
  '00000000000000000000000000000000000c0de3',
];
const COINBASE = '00000000000000000000000000000000000000c0';
const ENV: StateTestEnv = {
  coinbase: hexToBytes(`0x${COINBASE}`),
  number: 7n,
  timestamp: 1_700_000_000n,
  gasLimit: 30_000_000n,
  baseFee: 10n,
  random: hexToBytes(keccak256(new TextEncoder().encode('randao'))),
  excessBlobGas: 0n,
};

interface Case {
  pre: Map<string, PreAccount>;
  raw: Hex;
}

async function randomCase(rng: Parameters<Parameters<typeof fuzz>[2]>[0]): Promise<Case> {
  const pre = new Map<string, PreAccount>();
  pre.set(SENDER.address.slice(2).toLowerCase(), {
    nonce: 0n,
    balance: 10n ** 18n,
    code: new Uint8Array(0),
    storage: new Map(),
  });
  for (const c of CONTRACTS) {
    const storage = new Map<string, bigint>();
    for (let s = 0; s < rng.int(3); s++)
      storage.set(toHex(BigInt(rng.int(4)), { size: 32 }).slice(2), BigInt(1 + rng.int(1000)));
    pre.set(c, {
      nonce: BigInt(rng.int(2)),
      balance: BigInt(rng.int(3)) * 1000n,
      code: randomProgram(rng, { contracts: CONTRACTS }, 5 + rng.int(40)),
      storage,
    });
  }
  const raw = await SENDER.signTransaction({
    type: 'eip1559',
    chainId: 1,
    nonce: 0,
    to: `0x${CONTRACTS[0]}`,
    value: BigInt(rng.int(3)),
    data: toHex(rng.bytes(rng.int(70))),
    gas: BigInt(rng.pick([21_000, 30_000, 100_000, 300_000, 1_000_000, 1_000_000, 3_000_000])),
    maxFeePerGas: 20n,
    maxPriorityFeePerGas: BigInt(rng.int(12)),
  });
  return { pre, raw };
}

const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });

async function onEthereumjs(c: Case) {
  const vm = await createVM({ common });
  for (const [addr, a] of c.pre) {
    const address = createAddressFromString(`0x${addr}`);
    await vm.stateManager.putAccount(address, createAccount({ nonce: a.nonce, balance: a.balance }));
    if (a.code.length > 0) await vm.stateManager.putCode(address, a.code);
    for (const [slot, v] of a.storage)
      await vm.stateManager.putStorage(address, hexToBytes(`0x${slot}`), hexToBytes(toHex(v)));
  }
  const block = createBlock(
    {
      header: {
        number: ENV.number,
        gasLimit: ENV.gasLimit,
        baseFeePerGas: ENV.baseFee,
        timestamp: ENV.timestamp,
        coinbase: `0x${COINBASE}`,
        mixHash: ENV.random,
        excessBlobGas: 0n,
      },
    },
    { common },
  );
  try {
    const r = await runTx(vm, { tx: createTxFromRLP(hexToBytes(c.raw), { common }), block });
    return {
      applied: true as const,
      success: r.execResult.exceptionError === undefined,
      error: r.execResult.exceptionError?.error,
      gasUsed: r.totalGasSpent,
      logs: toHex(
        logsHash(r.execResult.logs?.map(([address, topics, data]) => ({ address, topics, data })) ?? []),
      ),
      root: toHex(await vm.stateManager.getStateRoot()),
    };
  } catch (e) {
    return { applied: false as const, reason: (e as Error).message.slice(0, 120) };
  }
}

describe('evm differential fuzzer (slow)', () => {
  const guest = new EvmGuest();
  it(
    'the EVM guest and @ethereumjs/vm agree on random programs: validity, success, gas, logs, post-state root',
    async () => {
      const stats = await fuzz('evm-differential', 150, async (rng, _i, show) => {
        const c = await randomCase(rng);
        show(JSON.stringify({ raw: c.raw, code: [...c.pre].map(([a, p]) => [a, toHex(p.code)]) }));
        const store = new PreimageStore();
        const root = writePreState(store, c.pre);
        const mine = guest.runTx(store, root, encodeEnv(ENV), hexToBytes(c.raw));
        const ref = await onEthereumjs(c);
        if (!mine.applied || !ref.applied) {
          expect({ applied: mine.applied }).toEqual({ applied: ref.applied });
          return 'refused';
        }
        const actual = {
          success: mine.success,
          gasUsed: mine.gasUsed,
          logs: toHex(logsHash(mine.logs)),
          root: toHex(ethStateRoot(store, mine.root)),
        };
        expect(actual).toEqual({
          success: ref.success,
          gasUsed: ref.gasUsed,
          logs: ref.logs,
          root: ref.root,
        });
        return mine.success ? 'success' : `failure: ${ref.error?.replace(/ at .*/, '')}`;
      });
      expect(stats.outcomes.get('success') ?? 0).toBeGreaterThan(0);
      expect([...stats.outcomes.keys()].some((k) => k.startsWith('failure'))).toBe(true);
    },
    fuzzTimeout(600_000),
  );
});
