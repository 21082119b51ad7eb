//! The outbox (docs/stf.md "Outbox", docs/app-abi.md §6), as guest/sdk/outbox.ts: withdrawal leaves
//! in an append-only Merkle tree of depth 32; its frontier at state key 0x04 (count u64 ‖ 32 × 32),
//! each withdrawal at key 0x06 ‖ index u64 (from ‖ to ‖ amount); the send root bytes32[1] is set
//! when the run commits.
use crate::host;
use crate::mem::{alloc, read_u64be, write_u64be};
use crate::state::{hash_bytes, hash_pair, state_get, state_set};
use core::ptr::copy_nonoverlapping;

const DEPTH: usize = 32;
const FRONTIER_LEN: usize = 8 + 32 * DEPTH;
const OUTBOX_KEY: [u8; 1] = [0x04];
static mut APPENDED: bool = false;

/// Appends a withdrawal (from 20 bytes, to 20 bytes, amount u256 BE 32 bytes); returns its index.
pub fn outbox_append(from: &[u8], to: &[u8], amount: &[u8]) -> u64 {
    let f = unsafe { core::slice::from_raw_parts_mut(alloc(FRONTIER_LEN), FRONTIER_LEN) };
    f.fill(0);
    if let Some(stored) = state_get(&OUTBOX_KEY) {
        if stored.len() == FRONTIER_LEN {
            f.copy_from_slice(stored);
        }
    }
    let index = read_u64be(f);
    let mut leaf = [0u8; 80];
    write_u64be(&mut leaf, index);
    leaf[8..28].copy_from_slice(&from[..20]);
    leaf[28..48].copy_from_slice(&to[..20]);
    leaf[48..80].copy_from_slice(&amount[..32]);
    let mut node = hash_bytes(&leaf);
    let mut size = index + 1;
    write_u64be(f, size);
    for h in 0..DEPTH {
        let at = 8 + 32 * h;
        if size & 1 == 1 {
            unsafe { copy_nonoverlapping(node, f[at..].as_mut_ptr(), 32) };
            break;
        }
        let b = alloc(32);
        unsafe { copy_nonoverlapping(f[at..].as_ptr(), b, 32) };
        node = hash_pair(b, node);
        size >>= 1;
    }
    state_set(&OUTBOX_KEY, f);
    let mut k = [0u8; 9];
    k[0] = 0x06;
    write_u64be(&mut k[1..], index);
    let mut v = [0u8; 72];
    v[..20].copy_from_slice(&from[..20]);
    v[20..40].copy_from_slice(&to[..20]);
    v[40..].copy_from_slice(&amount[..32]);
    state_set(&k, &v);
    unsafe { APPENDED = true };
    index
}

pub(crate) fn commit() {
    unsafe {
        if !APPENDED {
            return;
        }
        APPENDED = false;
    }
    let stored = match state_get(&OUTBOX_KEY) {
        Some(s) if s.len() == FRONTIER_LEN => s,
        _ => return,
    };
    let count = read_u64be(stored);
    if count == 0 {
        return;
    }
    let z = alloc(32 * (DEPTH + 1)); // zero hashes
    unsafe {
        core::ptr::write_bytes(z, 0, 32);
        for i in 0..DEPTH {
            copy_nonoverlapping(hash_pair(z.add(32 * i), z.add(32 * i)), z.add(32 * (i + 1)), 32);
        }
        let mut r = alloc(32);
        core::ptr::write_bytes(r, 0, 32);
        let mut size = count;
        for h in 0..DEPTH {
            if size & 1 == 1 {
                let b = alloc(32);
                copy_nonoverlapping(stored[8 + 32 * h..].as_ptr(), b, 32);
                r = hash_pair(b, r);
            } else {
                r = hash_pair(r, z.add(32 * h));
            }
            size >>= 1;
        }
        host::set_global_bytes32(1, r);
    }
}
