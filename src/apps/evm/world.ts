/**
 * The EVM guest's world state in the modex state tree (docs/evm.md §1) from the TypeScript side:
 * a state test's pre-state written into a tree, and a post-state tree read back as Ethereum
 * accounts by walking its leaves (the values carry their keys).
 *   0x10 ‖ address (20)             → address ‖ nonce u64 ‖ balance u256 ‖ codeHash ‖ storageCount u64
 *   0x11 ‖ address (20) ‖ slot (32) → address ‖ slot ‖ value (32)
 * Code is the keccak256 preimage of codeHash in the preimage store.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { ModexError } from '../../core/errors.ts';
import type { PreimageStore } from '../sdk/preimage-store.ts';
import { StateTree } from '../sdk/state-tree.ts';
import type { PreAccount } from './fixture.ts';
import type { EthAccount } from './mpt.ts';

export const ACCOUNT_PREFIX = 0x10;
export const SLOT_PREFIX = 0x11;
export const ACCOUNT_BYTES = 100;
export const SLOT_BYTES = 84;

/** A post-state tree that does not have the EVM guest's layout. */
export class WorldLayoutError extends ModexError {
  constructor(message: string) {
    super('EVM_WORLD_LAYOUT', message);
  }
}

const hexBytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function be(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

const beInt = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt(`0x${hex(b)}`));

export const accountKey = (addr: Uint8Array): Uint8Array => Uint8Array.of(ACCOUNT_PREFIX, ...addr);
export const slotKey = (addr: Uint8Array, slot: Uint8Array): Uint8Array =>
  Uint8Array.of(SLOT_PREFIX, ...addr, ...slot);

/** The account record (docs/evm.md §1). */
export function accountRecord(
  addr: Uint8Array,
  a: { nonce: bigint; balance: bigint; codeHash: Uint8Array; storageCount: number },
): Uint8Array {
  const r = new Uint8Array(ACCOUNT_BYTES);
  r.set(addr, 0);
  r.set(be(a.nonce, 8), 20);
  r.set(be(a.balance, 32), 28);
  r.set(a.codeHash, 60);
  r.set(be(BigInt(a.storageCount), 8), 92);
  return r;
}

/**
 * Writes `pre` into a new state tree over `store` (code added as preimages) and returns the root.
 * Zero storage values are left out (absent = zero).
 */
export function writePreState(store: PreimageStore, pre: Map<string, PreAccount>): Uint8Array {
  const tree = new StateTree(store);
  for (const [addrHex, a] of pre) {
    const addr = hexBytes(addrHex);
    if (a.nonce >= 1n << 64n)
      throw new WorldLayoutError(`account ${addrHex}: nonce ${a.nonce} does not fit u64`);
    let count = 0;
    for (const [slotHex, value] of a.storage) {
      if (value === 0n) continue;
      count++;
      const slot = hexBytes(slotHex);
      tree.set(slotKey(addr, slot), Uint8Array.of(...addr, ...slot, ...be(value, 32)));
    }
    const codeHash = store.add(a.code);
    tree.set(accountKey(addr), accountRecord(addr, { ...a, codeHash, storageCount: count }));
  }
  return tree.root;
}

/**
 * Reads every account and slot of the tree at `root` into Ethereum accounts (address hex → account).
 * Checks each leaf's key hash against the key its value names, each account's storageCount, and that
 * every slot belongs to an existing account; a leaf of another shape is a {@link WorldLayoutError}.
 */
export function readWorld(store: PreimageStore, root: Uint8Array): Map<string, EthAccount> {
  const accounts = new Map<string, EthAccount & { storageCount: number }>();
  const slots: { addr: string; slot: string; value: bigint }[] = [];
  for (const { keyHash, value } of new StateTree(store, root).leaves()) {
    const kh = hex(keyHash);
    if (value.length === ACCOUNT_BYTES && hex(keccak_256(accountKey(value.subarray(0, 20)))) === kh) {
      const addr = hex(value.subarray(0, 20));
      accounts.set(addr, {
        nonce: beInt(value.subarray(20, 28)),
        balance: beInt(value.subarray(28, 60)),
        codeHash: value.slice(60, 92),
        storageCount: Number(beInt(value.subarray(92, 100))),
        storage: new Map(),
      });
    } else if (
      value.length === SLOT_BYTES &&
      hex(keccak_256(slotKey(value.subarray(0, 20), value.subarray(20, 52)))) === kh
    ) {
      const v = beInt(value.subarray(52, 84));
      const at = `${hex(value.subarray(0, 20))} slot ${hex(value.subarray(20, 52))}`;
      if (v === 0n) throw new WorldLayoutError(`storage ${at} holds zero (a zero slot must be deleted)`);
      slots.push({ addr: hex(value.subarray(0, 20)), slot: hex(value.subarray(20, 52)), value: v });
    } else {
      throw new WorldLayoutError(
        `a leaf (key hash ${kh}, ${value.length} bytes) is neither an account (0x10 ‖ address, 100 bytes) nor a slot (0x11 ‖ address ‖ slot, 84 bytes)`,
      );
    }
  }
  for (const s of slots) {
    const a = accounts.get(s.addr);
    if (!a) throw new WorldLayoutError(`storage of ${s.addr} slot ${s.slot}, but no account ${s.addr}`);
    a.storage.set(s.slot, s.value);
  }
  for (const [addr, a] of accounts)
    if (a.storage.size !== a.storageCount)
      throw new WorldLayoutError(
        `account ${addr}: storageCount ${a.storageCount}, but ${a.storage.size} slots`,
      );
  return accounts;
}

/** The Ethereum accounts of a pre-state as given (for the trie root of the pre-state). */
export function preAccounts(pre: Map<string, PreAccount>): Map<string, EthAccount> {
  const out = new Map<string, EthAccount>();
  for (const [addr, a] of pre)
    out.set(addr, {
      nonce: a.nonce,
      balance: a.balance,
      codeHash: keccak_256(a.code),
      storage: new Map([...a.storage].filter(([, v]) => v !== 0n)),
    });
  return out;
}
