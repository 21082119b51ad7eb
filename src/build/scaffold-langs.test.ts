/**
 * `modex new --lang c|rust`, `modex build`, `modex test` through the CLI: each scaffold builds with
 * Debian's toolchain (clang + lld, rustc + libstd-rust-dev-wasm32; `.ci/run` installs them), passes
 * its vectors natively and interpreted, and `modex config check` accepts it. Then the SDKs' metered
 * units: a transaction that traps deep in its stack gets TRAPPED, its writes are dropped, and the
 * next one runs on a restored stack pointer; withdrawals set the send root (a trapped one's is
 * dropped) and are recorded, deletes delete; deposits, genesis, app queries, receipt names and
 * admission reach the app's handlers. And a missing toolchain is a clear error.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadApp } from '../apps/sdk/app-runtime.ts';
import { outboxRoot, withdrawalLeaf } from '../apps/sdk/outbox.ts';
import { runCli } from '../cli/run-cli.test-helper.ts';
import { ModexError } from '../core/errors.ts';
import { buildApp } from './build.ts';
import type { Lang } from './lang.ts';
import { batch, SCAFFOLD_CHAIN_ID, scaffoldApp, signCounterTx, signer, u64 } from './scaffold.ts';
import { findClang, findRustc } from './toolchain.ts';
import { runVectors } from './vectors.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'modex-lang-'));
const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

const ENTRY: Record<Exclude<Lang, 'as'>, string> = { c: 'main.c', rust: 'main.rs' };

describe.each(['c', 'rust'] as const)('modex new --lang %s + build + test (CLI) (slow)', (lang) => {
  it('scaffolds, builds (app ABI v1), passes its vectors natively and interpreted; config check accepts it', async () => {
    const parent = tmp();
    const dir = join(parent, `counter-${lang}`);
    const n = await runCli(['new', `counter-${lang}`, '--lang', lang, '--dir', parent]).done;
    expect(n.code, n.stderr).toBe(0);
    expect(n.stdout).toContain(`created`);
    expect(n.stdout).toContain(ENTRY[lang]);
    const cfg = JSON.parse(readFileSync(join(dir, 'modex.app.json'), 'utf8'));
    expect(cfg).toEqual({
      name: `counter-${lang}`,
      lang,
      entry: ENTRY[lang],
      testVectors: 'test-vectors.json',
    });
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).not.toContain('main.ts');
    // C and Rust chains post blobs: their SDKs do not inflate brotli batches (docs/build.md)
    expect(JSON.parse(readFileSync(join(dir, 'modex.config.json'), 'utf8')).da).toEqual({
      module: 'l1-blob',
    });

    const b = await runCli(['build', dir]).done;
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain(lang === 'c' ? 'clang' : 'rustc');
    expect(b.stdout).toContain('app ABI      v1 (usable as vm.stf)');
    const root = b.stdout.match(/module root {2}(0x[0-9a-f]{64})/)?.[1];
    expect(root).toBeDefined();

    const c = await runCli(['config', 'check', join(dir, 'modex.config.json')]).done;
    expect(c.code, c.stderr).toBe(0);

    const t = await runCli(['test', dir]).done;
    expect(t.code, t.stdout + t.stderr).toBe(0);
    expect(t.stdout).toContain(`module root ${root}`); // cached: the same module
    expect(t.stdout).toMatch(/3 vector\(s\) passed, native and interpreter agree/);

    // a wrong expectation fails
    const file = join(dir, 'test-vectors.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.vectors[0].expect.queries[0].result = hex(u64(8n));
    writeFileSync(file, JSON.stringify(doc));
    const f = await runCli(['test', dir]).done;
    expect(f.code).toBe(1);
    expect(f.stdout).toMatch(/FAIL increments: 5, then 2/);
    expect(f.stdout).toContain('answer 0x0000000000000007, expected 0x0000000000000008');
  });
});

// op 2: writes, then traps 40 frames of 1 KiB deep; op 3: uses 40 frames of 1 KiB, then writes.
// Without the SDK restoring the stack pointer after the trap, op 3 would run out of the 64 KiB C
// stack (C) or, with the 40 frames of 24 KiB, out of the 1 MiB Rust stack (Rust) and trap too.
const C_TRAP_APP = `#include "modex.h"
static uint8_t deep(int n, int trap) {
  volatile uint8_t buf[1024]; /* a byte at an index the compiler cannot know: the frame keeps 1 KiB */
  int i = (n * 977) & 1023;
  buf[i] = (uint8_t)n;
  if (n == 0) {
    if (trap) __builtin_trap();
    return buf[i];
  }
  return (uint8_t)(deep(n - 1, trap) + buf[i]);
}
static uint8_t on_tx(const modex_tx *tx, const uint8_t *signer) {
  modex_bytes k = modex_make_key(0x10, signer, 0, 0);
  uint8_t v[8] = {0, 0, 0, 0, 0, 0, 0, (uint8_t)tx->op};
  modex_state_set(k.ptr, k.len, v, 8);
  if (tx->op == 2 || tx->op == 3) deep(40, tx->op == 2);
  return MODEX_OK;
}
const modex_app MODEX_APP = {.app_id = 0x10, .on_tx = on_tx};
`;
const RUST_TRAP_APP = `#![no_std]
use modex_sdk::{make_key, state_set, status::OK, App, Tx};
fn deep(n: u32, trap: bool) -> u8 {
    let mut buf = core::mem::MaybeUninit::<[u8; 24576]>::uninit();
    // a byte at an index the compiler cannot know: the frame keeps 24 KiB
    let p = unsafe { (buf.as_mut_ptr() as *mut u8).add((n as usize * 977) % 24576) };
    unsafe { core::ptr::write_volatile(p, n as u8) };
    if n == 0 {
        if trap {
            panic!();
        }
        return unsafe { core::ptr::read_volatile(p) };
    }
    deep(n - 1, trap).wrapping_add(unsafe { core::ptr::read_volatile(p) })
}
fn on_tx(tx: &Tx, signer: &[u8]) -> u8 {
    state_set(make_key(0x10, signer, &[]), &[0, 0, 0, 0, 0, 0, 0, tx.op as u8]);
    if tx.op == 2 || tx.op == 3 {
        deep(40, tx.op == 2);
    }
    OK
}
static APP: App = App { app_id: 0x10, on_tx, on_deposit: None, on_query: None, on_genesis: None, receipt_names: "" };
modex_sdk::export_app!(APP);
`;

describe.each(['c', 'rust'] as const)('the %s SDK: a trapping transaction (slow)', (lang) => {
  it('gets TRAPPED (13), its writes and nonce are dropped, and the next transaction runs', async () => {
    const dir = scaffoldApp('trap', tmp(), lang).dir;
    writeFileSync(join(dir, ENTRY[lang]), lang === 'c' ? C_TRAP_APP : RUST_TRAP_APP);
    const alice = signer(0x11);
    const tx = (op: number, nonce: bigint) => signCounterTx(alice, { op, nonce, args: new Uint8Array(0) });
    const slot = hex(Uint8Array.of(0x01, 0x10, ...alice.address)); // query 0x01: the raw value at 0x10 ‖ alice
    const vectors = {
      vectors: [
        {
          name: 'op 1, op 2 (traps deep), op 3 (deep, no trap)',
          initial: { chainId: SCAFFOLD_CHAIN_ID },
          inbox: [hex(batch([tx(1, 0n), tx(2, 1n), tx(3, 1n)]))],
          expect: {
            queries: [
              { data: hex(Uint8Array.of(0x01, 0x00, ...u64(0n))), result: '0x0000000003000d00' },
              { data: slot, result: hex(u64(3n)) },
              { data: hex(Uint8Array.of(0x00, ...alice.address)), result: hex(u64(2n)) },
            ],
          },
        },
      ],
    };
    const file = join(dir, 'test-vectors.json');
    writeFileSync(file, JSON.stringify(vectors));
    const b = await buildApp(dir);
    const [r] = runVectors(b.bytes, b.program, file);
    expect(r.problem).toBeUndefined();
    expect(r.ok).toBe(true);
  });
});

// op 5: withdraws (to (20) ‖ amount u256) and sets 0x10 ‖ signer; op 6: withdraws, then traps
// (dropped); op 7: deletes 0x10 ‖ signer.
const C_OUTBOX_APP = `#include "modex.h"
static uint8_t on_tx(const modex_tx *tx, const uint8_t *signer) {
  modex_bytes k = modex_make_key(0x10, signer, 0, 0);
  if (tx->op == 7) {
    modex_state_delete(k.ptr, k.len);
    return MODEX_OK;
  }
  if (tx->args_len != 52) return MODEX_MALFORMED;
  modex_outbox_append(signer, tx->args, tx->args + 20);
  modex_state_set(k.ptr, k.len, "x", 1);
  if (tx->op == 6) __builtin_trap();
  return MODEX_OK;
}
const modex_app MODEX_APP = {.app_id = 0x10, .on_tx = on_tx};
`;
const RUST_OUTBOX_APP = `#![no_std]
use modex_sdk::{make_key, outbox_append, state_delete, state_set, status::{MALFORMED, OK}, App, Tx};
fn on_tx(tx: &Tx, signer: &[u8]) -> u8 {
    let k = make_key(0x10, signer, &[]);
    if tx.op == 7 {
        state_delete(k);
        return OK;
    }
    if tx.args.len() != 52 {
        return MALFORMED;
    }
    outbox_append(signer, &tx.args[..20], &tx.args[20..]);
    state_set(k, b"x");
    if tx.op == 6 {
        panic!();
    }
    OK
}
static APP: App = App { app_id: 0x10, on_tx, on_deposit: None, on_query: None, on_genesis: None, receipt_names: "" };
modex_sdk::export_app!(APP);
`;

describe.each(['c', 'rust'] as const)('the %s SDK: withdrawals and deletes (slow)', (lang) => {
  it('sets the send root of the appended withdrawals (not of a trapped one), records them, deletes', async () => {
    const dir = scaffoldApp('outbox', tmp(), lang).dir;
    writeFileSync(join(dir, ENTRY[lang]), lang === 'c' ? C_OUTBOX_APP : RUST_OUTBOX_APP);
    const [alice, bob] = [signer(0x11), signer(0x22)];
    const to = new Uint8Array(20).fill(0xee);
    const u256 = (v: bigint): Uint8Array =>
      Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
    const w = (who: typeof alice, op: number, nonce: bigint, amount: bigint) =>
      signCounterTx(who, { op, nonce, args: Uint8Array.from([...to, ...u256(amount)]) });
    const addrOf = (who: typeof alice) => hex(who.address) as `0x${string}`;
    const leaves = [
      { index: 0n, from: addrOf(alice), to: hex(to) as `0x${string}`, amount: 10n },
      { index: 1n, from: addrOf(bob), to: hex(to) as `0x${string}`, amount: 20n },
      { index: 2n, from: addrOf(alice), to: hex(to) as `0x${string}`, amount: 1n << 200n },
    ];
    const record = (i: bigint) => hex(Uint8Array.of(0x01, 0x06, ...u64(i)));
    const vectors = {
      vectors: [
        {
          name: 'three withdrawals over two messages, one trapped; a delete',
          initial: { chainId: SCAFFOLD_CHAIN_ID },
          inbox: [
            hex(batch([w(alice, 5, 0n, 10n), w(bob, 6, 0n, 99n), w(bob, 5, 0n, 20n)])),
            hex(
              batch([
                w(alice, 5, 1n, 1n << 200n),
                signCounterTx(bob, { op: 7, nonce: 1n, args: new Uint8Array(0) }),
              ]),
            ),
          ],
          expect: {
            sendRoot: hex(outboxRoot(leaves.map(withdrawalLeaf))),
            queries: [
              { data: hex(Uint8Array.of(0x01, 0x00, ...u64(0n))), result: '0x0000000003000d00' },
              {
                data: record(2n),
                result: hex(Uint8Array.from([...alice.address, ...to, ...u256(1n << 200n)])),
              },
              { data: record(3n), result: '0x' },
              { data: hex(Uint8Array.of(0x01, 0x10, ...alice.address)), result: hex(Buffer.from('x')) },
              { data: hex(Uint8Array.of(0x01, 0x10, ...bob.address)), result: '0x' },
            ],
          },
        },
      ],
    };
    const file = join(dir, 'test-vectors.json');
    writeFileSync(file, JSON.stringify(vectors));
    const b = await buildApp(dir);
    const [r] = runVectors(b.bytes, b.program, file);
    expect(r.problem).toBeUndefined();
    expect(r.ok).toBe(true);
  });
});

// deposits: 0x10 ‖ to = the amount's low 8 bytes, code 16 (too_big) when its top byte is set;
// genesis writes 0x10 ‖ 0…0 = "g"; query 0x11 answers the chain id; receipt names too_big, late.
const C_HANDLERS_APP = `#include "modex.h"
static uint8_t on_tx(const modex_tx *tx, const uint8_t *signer) {
  (void)tx;
  (void)signer;
  return MODEX_OK;
}
static uint8_t on_deposit(const uint8_t *to, const uint8_t *amount) {
  if (amount[0] != 0) return MODEX_FIRST_APP_CODE;
  modex_bytes k = modex_make_key(0x10, to, 0, 0);
  modex_state_set(k.ptr, k.len, amount + 24, 8);
  return MODEX_OK;
}
static uint8_t on_query(uint32_t kind, const uint8_t *args, int32_t len) {
  (void)args;
  if (kind != 0x11 || len != 0) return MODEX_UNKNOWN_OP;
  modex_query_answer_u64(modex_chain_id());
  return MODEX_OK;
}
static void on_genesis(uint64_t chain_id) {
  (void)chain_id;
  static const uint8_t zero[20] = {0};
  modex_bytes k = modex_make_key(0x10, zero, 0, 0);
  modex_state_set(k.ptr, k.len, "g", 1);
}
const modex_app MODEX_APP = {.app_id = 0x10, .on_tx = on_tx, .on_deposit = on_deposit, .on_query = on_query,
                             .on_genesis = on_genesis, .receipt_names = "too_big,late"};
`;
const RUST_HANDLERS_APP = `#![no_std]
use modex_sdk::status::{FIRST_APP_CODE, OK, UNKNOWN_OP};
use modex_sdk::{chain_id, make_key, query_answer_u64, state_set, App, Tx};
fn on_tx(_tx: &Tx, _signer: &[u8]) -> u8 {
    OK
}
fn on_deposit(to: &[u8], amount: &[u8]) -> u8 {
    if amount[0] != 0 {
        return FIRST_APP_CODE;
    }
    state_set(make_key(0x10, to, &[]), &amount[24..]);
    OK
}
fn on_query(kind: u32, args: &[u8]) -> u8 {
    if kind != 0x11 || !args.is_empty() {
        return UNKNOWN_OP;
    }
    query_answer_u64(chain_id());
    OK
}
fn on_genesis(_chain_id: u64) {
    state_set(make_key(0x10, &[0; 20], &[]), b"g");
}
static APP: App = App {
    app_id: 0x10,
    on_tx,
    on_deposit: Some(on_deposit),
    on_query: Some(on_query),
    on_genesis: Some(on_genesis),
    receipt_names: "too_big,late",
};
modex_sdk::export_app!(APP);
`;

describe.each(['c', 'rust'] as const)(
  'the %s SDK: deposits, genesis, queries, receipt names, admission (slow)',
  (lang) => {
    it("runs the app's handlers; a node reads its receipt names and admits its transactions", async () => {
      const dir = scaffoldApp('handlers', tmp(), lang).dir;
      writeFileSync(join(dir, ENTRY[lang]), lang === 'c' ? C_HANDLERS_APP : RUST_HANDLERS_APP);
      const to = new Uint8Array(20).fill(0xaa);
      const deposit = (amount: Uint8Array) => hex(Uint8Array.from([0x01, ...to, ...amount]));
      const big = new Uint8Array(32);
      big[0] = 1;
      const vectors = {
        vectors: [
          {
            name: 'deposits, genesis, an app query',
            initial: { chainId: SCAFFOLD_CHAIN_ID },
            inbox: [deposit(Uint8Array.from([...new Uint8Array(24), ...u64(5n)])), deposit(big)],
            expect: {
              queries: [
                { data: hex(Uint8Array.of(0x01, 0x10, ...to)), result: hex(u64(5n)) },
                { data: hex(Uint8Array.of(0x01, 0x00, ...u64(0n))), result: '0x0000000000' },
                { data: hex(Uint8Array.of(0x01, 0x00, ...u64(1n))), result: '0x1000000000' },
                {
                  data: hex(Uint8Array.of(0x01, 0x10, ...new Uint8Array(20))),
                  result: hex(Buffer.from('g')),
                },
                { data: '0x11', result: hex(u64(BigInt(SCAFFOLD_CHAIN_ID))) },
                { data: '0x12', status: 6 },
                { data: '0x03', status: 6 },
              ],
            },
          },
        ],
      };
      const file = join(dir, 'test-vectors.json');
      writeFileSync(file, JSON.stringify(vectors));
      const b = await buildApp(dir);
      const [r] = runVectors(b.bytes, b.program, file);
      expect(r.problem).toBeUndefined();
      expect(r.ok).toBe(true);

      const node = loadApp(b.bytes, 'handlers');
      expect(node.receiptNames.slice(12, 18)).toEqual(['out_of_steps', 'trapped', '', '', 'too_big', 'late']);
      const root = node.genesis(BigInt(SCAFFOLD_CHAIN_ID)).bytes32[0];
      const alice = signer(0x11);
      const ok = node.admit(signCounterTx(alice, { nonce: 3n, args: new Uint8Array(0) }), root);
      expect(ok).toMatchObject({ ok: true, sender: hex(alice.address), nonce: 3n });
      const wrong = node.admit(
        signCounterTx(alice, { nonce: 0n, chainId: 1n, args: new Uint8Array(0) }),
        root,
      );
      expect(wrong).toMatchObject({ ok: false, code: 3, reason: 'wrong_chain' });
      const short = node.admit(new Uint8Array(40), root);
      expect(short).toMatchObject({ ok: false, code: 1, reason: 'malformed' });
    });
  },
);

describe('a missing toolchain', () => {
  it('C: BUILD_TOOLCHAIN_MISSING says to apt-get install clang lld', () => {
    const e = (() => {
      try {
        findClang({ PATH: '/nonexistent' });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ModexError);
    expect((e as ModexError).code).toBe('BUILD_TOOLCHAIN_MISSING');
    expect((e as ModexError).message).toContain('clang is not on PATH');
    expect((e as ModexError).message).toContain('apt-get install clang lld');
  });

  it('Rust: BUILD_TOOLCHAIN_MISSING says to apt-get install rustc libstd-rust-dev-wasm32 lld', () => {
    expect(() => findRustc({ RUSTC: '/nonexistent/rustc', PATH: '' })).toThrow(
      /\/nonexistent\/rustc does not run\. Install it \(Debian\/Ubuntu, as root\): apt-get install rustc libstd-rust-dev-wasm32 lld/,
    );
  });

  it("Debian's /usr/bin/rustc is preferred to a rustc earlier on PATH", () => {
    expect(findRustc({ PATH: `/root/.cargo/bin:${process.env.PATH}` }).rustc).toBe('/usr/bin/rustc');
  });

  it('modex build of a C app without clang fails with the install line (CLI)', async () => {
    const dir = scaffoldApp('noclang', tmp(), 'c').dir;
    process.env.CLANG = '/nonexistent/clang'; // the child inherits it
    const run = runCli(['build', dir]);
    delete process.env.CLANG;
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[BUILD_TOOLCHAIN_MISSING\]: building a C app needs clang and wasm-ld/);
    expect(r.stderr).toContain('apt-get install clang lld');
  });
});
