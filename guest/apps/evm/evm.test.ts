/**
 * The EVM core (guest/apps/evm: interp.ts, world.ts, apply.ts, main.ts; docs/evm.md): `evm_run_tx`
 * on Ethereum state-test fixtures (pre-state into the modex tree, post-state root and logs hash
 * against the fixture's), on hand-made transactions (each refusal code it owns, state unchanged),
 * native against the interpreter, and the wasm as a modex app (`main` over a batch of raw
 * Ethereum transactions, `modex_admit`).
 */
import { join } from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { type Hex, hexToBytes, serializeTransaction, type TransactionSerializableLegacy } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadApp } from '../../../src/apps/sdk/app-runtime.ts';
import { PreimageStore } from '../../../src/apps/sdk/preimage-store.ts';
import { compileGuest } from '../../../src/apps/sdk/run-app.ts';
import { loadFixtureFile, type PreAccount, type StateTestEnv } from '../../../src/apps/evm/fixture.ts';
import { type EthLog, logsHash, stateRoot } from '../../../src/apps/evm/mpt.ts';
import { readWorld, writePreState } from '../../../src/apps/evm/world.ts';
import { Status } from '../../../src/vm/wasm/machine.ts';
import { conformancePath, hasConformance } from '../../../test/conformance.ts';
import { lower } from '../../../src/vm/wasm/lower.ts';
import { runNative, validateStf } from '../../../src/vm/wasm/native.ts';
import { newMachine } from '../../../src/vm/wasm/program.ts';
import type { ValidatedModule } from '../../../src/vm/wasm/module.ts';
import type { GlobalState } from '../../../src/vm/wasm/machine.ts';

const SUITE = join('ethereum-tests', 'GeneralStateTests');
const TESTS = conformancePath(SUITE);

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const be = (v: bigint, n: number): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
};

/** env v1 (docs/evm.md §2), the state-test BLOCKHASH flag set */
function envBytes(e: StateTestEnv, chainId = 1n, blobBaseFee = 1n): Uint8Array {
  const o = new Uint8Array(185);
  o[0] = 1;
  o[1] = 1;
  o.set(e.coinbase, 2);
  o.set(be(e.number, 8), 22);
  o.set(be(e.timestamp, 8), 30);
  o.set(be(e.gasLimit, 8), 38);
  o.set(be(chainId, 8), 46);
  o.set(be(e.baseFee, 32), 54);
  o.set(e.random, 86);
  o.set(be(blobBaseFee, 32), 118);
  o.set(be(e.excessBlobGas, 8), 150);
  return o;
}

interface RunResult {
  verdict: bigint;
  root: Uint8Array;
  status?: number;
  gasUsed?: bigint;
  logs?: EthLog[];
  steps: number;
}

function parseRecord(rec: Uint8Array): { status: number; gasUsed: bigint; logs: EthLog[] } {
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const n = dv.getUint32(9);
  let p = 13;
  const logs: EthLog[] = [];
  for (let i = 0; i < n; i++) {
    const address = rec.slice(p, p + 20);
    const tc = rec[p + 20];
    p += 21;
    const topics: Uint8Array[] = [];
    for (let j = 0; j < tc; j++, p += 32) topics.push(rec.slice(p, p + 32));
    const len = dv.getUint32(p);
    p += 4;
    logs.push({ address, topics, data: rec.slice(p, p + len) });
    p += len;
  }
  expect(p).toBe(rec.length);
  return { status: rec[0], gasUsed: dv.getBigUint64(1), logs };
}

let wasm: Uint8Array;
let mod: ValidatedModule;

// compiling the guest takes 10–60 s on a loaded machine (cached by source hash afterwards)
beforeAll(() => {
  wasm = compileGuest(join('apps', 'evm', 'main.ts'));
  mod = validateStf(wasm);
}, 300_000);

/** evm_run_tx natively on `root` (whose nodes are in `store`); hints go into the store */
function runTx(store: PreimageStore, root: Uint8Array, message: Uint8Array): RunResult {
  const gs: GlobalState = { bytes32: [root.slice(), new Uint8Array(32)], u64: [0n, 0n] };
  const r = runNative(
    { bytes: wasm, module: mod },
    { inbox: message, preimages: (k, h) => store.get(h, k), globalState: gs, onPreimageHint: store.hint },
    { entry: 'evm_run_tx' },
  );
  if (r.status !== 'finished') throw new Error(`evm_run_tx ${r.status}: ${r.error?.message}`);
  const out: RunResult = { verdict: r.globalState.u64[1], root: r.globalState.bytes32[0], steps: r.steps };
  if (out.verdict === 0n) {
    const rec = store.get(r.globalState.bytes32[1]);
    if (!rec) throw new Error('result record not hinted');
    Object.assign(out, parseRecord(rec));
  }
  return out;
}

describe('evm_run_tx on state-test fixtures (docs/evm.md §2)', () => {
  // one file per feature: arithmetic, SSTORE refunds, CREATE2 collisions, SELFDESTRUCT (EIP-6780),
  // calls with value and depth, logs, an invalid transaction, many calls in a row
  const files = [
    'stExample/add11.json',
    'stExample/invalidTr.json',
    'stExample/accessListExample.json',
    'stSStoreTest/sstore_0to0.json',
    'stSStoreTest/SstoreCallToSelfSubRefundBelowZero.json',
    'stCallCodes/callcallcallcode_001.json',
    'stLogTests/log2_logMemsizeZero.json',
    'stCreateTest/CREATE_ContractSSTOREDuringInit.json',
    'stRevertTest/RevertOpcodeInCallsOnNonEmptyReturnData.json',
    'VMTests/vmArithmeticTest/signextend.json',
    'stStaticCall/static_Call50000.json', // 50,000 calls: frames reused per depth
  ];
  for (const f of files) {
    it.runIf(hasConformance(SUITE))(f, () => {
      let cases = 0;
      for (const t of loadFixtureFile(join(TESTS, f))) {
        for (const c of t.cases) {
          const store = new PreimageStore();
          const root = writePreState(store, t.pre);
          const r = runTx(store, root, new Uint8Array([...envBytes(t.env), ...c.txbytes]));
          cases++;
          if (c.expectException) {
            expect(r.verdict, `${t.name}[${c.index}] must be refused`).not.toBe(0n);
            expect(hex(r.root)).toBe(hex(root));
            continue;
          }
          expect(r.verdict, `${t.name}[${c.index}] refused`).toBe(0n);
          expect(hex(stateRoot(readWorld(store, r.root))), `${t.name}[${c.index}] state root`).toBe(hex(c.hash));
          expect(hex(logsHash(r.logs ?? [])), `${t.name}[${c.index}] logs`).toBe(hex(c.logs));
        }
      }
      expect(cases).toBeGreaterThan(0);
    });
  }
});

// hand-made: a contract that stores CALLDATALOAD(0) at slot 1 and logs it; senders signed by viem
const key = `0x${'42'.repeat(32)}` as Hex;
const sender = privateKeyToAccount(key);
const SENDER = hexToBytes(sender.address).slice();
const CONTRACT = new Uint8Array(20).fill(0xcc);
// PUSH1 0 CALLDATALOAD DUP1 PUSH1 1 SSTORE PUSH1 0 MSTORE PUSH1 32 PUSH1 0 LOG0 STOP
const CODE = hexToBytes('0x6000358060015560005260206000a000');
const COINBASE = new Uint8Array(20).fill(0xc0);
const ENV: StateTestEnv = {
  coinbase: COINBASE,
  number: 1n,
  timestamp: 1000n,
  gasLimit: 30_000_000n,
  baseFee: 7n,
  random: new Uint8Array(32),
  excessBlobGas: 0n,
};

function handPre(balance = 10n ** 18n, nonce = 0n): Map<string, PreAccount> {
  return new Map([
    [hex(SENDER), { balance, nonce, code: new Uint8Array(), storage: new Map() }],
    [hex(CONTRACT), { balance: 0n, nonce: 1n, code: CODE, storage: new Map() }],
  ]);
}

async function signed(tx: Partial<TransactionSerializableLegacy>): Promise<Uint8Array> {
  const full: TransactionSerializableLegacy = {
    type: 'legacy',
    chainId: 1,
    nonce: 0,
    gas: 100_000n,
    gasPrice: 10n,
    to: `0x${hex(CONTRACT)}`,
    value: 0n,
    data: `0x${'00'.repeat(31)}2a`,
    ...tx,
  };
  return hexToBytes(await sender.signTransaction(full));
}

describe('evm_run_tx on hand-made transactions', () => {
  it('applies a call: slot, log, gas, fees to sender and coinbase', async () => {
    const store = new PreimageStore();
    const pre = handPre();
    const root = writePreState(store, pre);
    const r = runTx(store, root, new Uint8Array([...envBytes(ENV), ...(await signed({}))]));
    expect(r.verdict).toBe(0n);
    expect(r.status).toBe(1);
    expect(r.logs).toHaveLength(1);
    // 21000 + 31·4 + 16 (data) + 4 × 3 + 22100 (cold SSTORE 0 → 42) + 3 + 3+3 (MSTORE, one word)
    // + 3 + 3 + 375+8·32 (LOG0)
    const gas = 21000n + 31n * 4n + 16n + 12n + 22100n + 3n + 6n + 6n + 631n;
    expect(r.gasUsed).toBe(gas);
    const w = readWorld(store, r.root);
    expect(w.get(hex(CONTRACT))?.storage.get(`${'00'.repeat(31)}01`)).toBe(42n);
    expect(w.get(hex(SENDER))?.balance).toBe(10n ** 18n - gas * 10n);
    expect(w.get(hex(SENDER))?.nonce).toBe(1n);
    expect(w.get(hex(COINBASE))?.balance).toBe(gas * 3n); // tip = gasPrice 10 − baseFee 7
    expect(r.logs).toHaveLength(1);
    expect(hex(r.logs?.[0].data ?? new Uint8Array())).toBe(`${'00'.repeat(31)}2a`);
  });

  it('refuses with the codes of docs/evm.md §3, the state unchanged', async () => {
    const cases: [string, Map<string, PreAccount>, Partial<TransactionSerializableLegacy>, bigint][] = [
      ['nonce_too_low', handPre(10n ** 18n, 1n), {}, 19n],
      ['nonce_too_high', handPre(), { nonce: 1 }, 20n],
      ['intrinsic_gas_too_low', handPre(), { gas: 21_000n }, 22n],
      ['gas_limit_above_block', handPre(), { gas: 30_000_001n }, 23n],
      ['insufficient_funds', handPre(100_000n * 10n - 1n), {}, 24n],
      ['fee_cap_below_base_fee', handPre(), { gasPrice: 6n }, 25n],
      ['initcode_too_large', handPre(), { to: undefined, data: `0x${'00'.repeat(49_153)}`, gas: 29_000_000n }, 27n],
    ];
    for (const [name, pre, tx, code] of cases) {
      const store = new PreimageStore();
      const root = writePreState(store, pre);
      const r = runTx(store, root, new Uint8Array([...envBytes(ENV), ...(await signed(tx))]));
      expect(r.verdict, name).toBe(code);
      expect(hex(r.root), name).toBe(hex(root));
    }
    // sender_not_eoa (EIP-3607): the sender has code
    const pre = handPre();
    const s = pre.get(hex(SENDER));
    if (s) s.code = Uint8Array.of(0x00);
    const store = new PreimageStore();
    const root = writePreState(store, pre);
    expect(runTx(store, root, new Uint8Array([...envBytes(ENV), ...(await signed({}))])).verdict).toBe(28n);
  });

  it('a create: the address from sender and nonce, the code deposited; a revert keeps only the fee', async () => {
    // initcode: return the 1-byte code 0x00 (PUSH1 0 PUSH1 0 MSTORE8 PUSH1 1 PUSH1 0 RETURN)
    const init = '0x600060005360016000f3';
    const store = new PreimageStore();
    const root = writePreState(store, handPre());
    const r = runTx(store, root, new Uint8Array([...envBytes(ENV), ...(await signed({ to: undefined, data: init }))]));
    expect(r.verdict).toBe(0n);
    expect(r.status).toBe(1);
    const created = keccak_256(hexToBytes('0xd694' + hex(SENDER) + '80' as Hex)).slice(12);
    const w = readWorld(store, r.root);
    expect(hex(w.get(hex(created))?.codeHash ?? new Uint8Array())).toBe(hex(keccak_256(Uint8Array.of(0))));
    expect(w.get(hex(created))?.nonce).toBe(1n);
    // REVERT(0, 0) as initcode: status 0, no account created, the sender's nonce still used
    const store2 = new PreimageStore();
    const root2 = writePreState(store2, handPre());
    const r2 = runTx(store2, root2, new Uint8Array([...envBytes(ENV), ...(await signed({ to: undefined, data: '0x60006000fd' }))]));
    expect(r2.status).toBe(0);
    const w2 = readWorld(store2, r2.root);
    expect(w2.has(hex(created))).toBe(false);
    expect(w2.get(hex(SENDER))?.nonce).toBe(1n);
  });

  it('native and interpreted runs agree (state root, result, hints)', async () => {
    const store = new PreimageStore();
    const root = writePreState(store, handPre());
    const msg = new Uint8Array([...envBytes(ENV), ...(await signed({}))]);
    const nat = runTx(store, root, msg);
    const gs: GlobalState = { bytes32: [root.slice(), new Uint8Array(32)], u64: [0n, 0n] };
    const m = newMachine(lower(mod, { entry: 'evm_run_tx' }), gs, {
      inboxMessage: (p) => (p === 0n ? msg : undefined),
      preimage: (k, h) => store.get(h, k),
    });
    m.run();
    expect(m.status).toBe(Status.Finished);
    expect(hex(m.globalState.bytes32[0])).toBe(hex(nat.root));
    expect(m.globalState.u64[1]).toBe(0n);
    expect(m.steps).toBe(nat.steps);
  });
});

describe('the EVM wasm as a modex app (docs/evm.md §4)', () => {
  it('loads with the app ABI, admits a raw Ethereum tx, main applies a batch', async () => {
    const app = loadApp(wasm, 'evm');
    expect(app.receiptNames[19]).toBe('nonce_too_low');
    const g = app.genesis(1n);
    const tx = await signed({ gasPrice: 0n, to: `0x${'00'.repeat(19)}01`, data: '0x' });
    const a = app.admit(tx, g.bytes32[0]);
    expect(a.ok).toBe(true);
    // the sender has no balance: a zero-price transaction pays nothing and is applied; the same
    // nonce again is refused (nonce_too_low)
    const list = (txs: Uint8Array[]): Uint8Array => {
      const parts = [be(BigInt(txs.length), 4), ...txs.flatMap((t) => [be(BigInt(t.length), 4), t])];
      return new Uint8Array([0, ...parts.flatMap((p) => [...p])]);
    };
    const run = app.run(g, list([tx, tx]), { interpret: false });
    const root = run.globalState.bytes32[0];
    expect(app.receipts(root, 0n)?.txs).toEqual([0, 19]);
    // queries: the EVM account's nonce, its record, a slot, the chain id; an unknown kind
    expect(app.nonceOf(root, sender.address)).toBe(1n);
    const rec = app.query(root, Uint8Array.of(0x10, ...SENDER));
    expect(rec.status).toBe(0);
    expect(hex(rec.result.subarray(0, 28))).toBe(`${hex(SENDER)}${'00'.repeat(7)}01`);
    const slotQ = app.query(root, Uint8Array.of(0x11, ...SENDER, ...new Uint8Array(32)));
    expect(hex(slotQ.result)).toBe('00'.repeat(32));
    expect(app.query(root, Uint8Array.of(0x02)).result).toEqual(be(1n, 8));
    expect(app.query(root, Uint8Array.of(0x14)).status).toBe(6);
    expect(app.query(root, Uint8Array.of(0x12)).status).toBe(1); // eth_call without its arguments
    expect(app.query(root, Uint8Array.of(0x10, 1, 2)).status).toBe(1);
    // a transaction for another chain is refused at admission
    const other = hexToBytes(await sender.signTransaction({ type: 'legacy', chainId: 5, nonce: 1, gas: 21_000n, gasPrice: 0n, to: `0x${hex(CONTRACT)}` }));
    const refused = app.admit(other, root);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toBe('wrong_chain_id');
  });
});
