//! The state tree (docs/stf.md "State tree"), as the AS SDK's guest/sdk/state.ts and the C SDK's
//! state.c: a compact binary trie over keccak256(key); leaf = keccak256(MARKER ‖ keccak256(keyHash ‖
//! keccak256(value))), MARKER = 32 × 0xff; branch = keccak256(left ‖ right), path bits of keyHash
//! from the most significant bit of byte 0, 0 = left; empty = 32 zero bytes. Every node is a 64-byte
//! preimage, hashed with keccak256_pair and hinted.
//!
//! Writes are buffered in a log (key hash, value copy or deleted), read newest first, and applied at
//! the commit, the last write of each key only. A snapshot is the log length, a revert truncates it
//! (the count grows only once an entry is complete, so a unit stopped anywhere leaves a log a revert
//! restores). Lookups are linear in the pending writes: fine for small batches.
use crate::host;
use crate::keccak::keccak256;
use crate::mem::{alloc, alloc_copy, arena_mark, arena_release, heap_alloc};
use core::ptr::copy_nonoverlapping;

#[repr(align(32))]
struct Word([u8; 32]);
static ZERO: Word = Word([0; 32]);
static MARKER: Word = Word([0xff; 32]);

static mut ROOT: *mut u8 = core::ptr::null_mut();

unsafe fn s32<'a>(p: *const u8) -> &'a [u8] {
    core::slice::from_raw_parts(p, 32)
}
fn eq32(a: *const u8, b: *const u8) -> bool {
    unsafe { s32(a) == s32(b) }
}
fn is_zero32(a: *const u8) -> bool {
    eq32(a, ZERO.0.as_ptr())
}

#[derive(Clone, Copy)]
struct Entry {
    kh: [u8; 32],
    val: *const u8,
    len: i32, // -1: deleted
}

static mut LOG: *mut Entry = core::ptr::null_mut();
static mut LOG_COUNT: usize = 0;
static mut LOG_CAP: usize = 0;

pub(crate) fn load() {
    unsafe {
        ROOT = heap_alloc(32);
        host::get_global_bytes32(0, ROOT);
        LOG_COUNT = 0;
    }
}

/// keccak256(a ‖ b) with the host op (a 32-byte aligned result); the 64-byte node is hinted.
pub fn hash_pair(a: *const u8, b: *const u8) -> *mut u8 {
    let buf = alloc(64);
    let out = alloc(32);
    unsafe {
        copy_nonoverlapping(a, buf, 32);
        copy_nonoverlapping(b, buf.add(32), 32);
        host::keccak256_pair(buf, out);
        host::hint_preimage(buf, 64);
    }
    out
}

/// keccak256 of `data`, 32-byte aligned.
pub fn hash_bytes(data: &[u8]) -> *mut u8 {
    let out = alloc(32);
    keccak256(data, unsafe { core::slice::from_raw_parts_mut(out, 32) });
    out
}

fn read_node(h: *const u8) -> *mut u8 {
    let buf = alloc(64);
    unsafe {
        host::preimage_read(0, h, 0, buf);
        host::preimage_read(0, h, 32, buf.add(32));
    }
    buf
}

fn is_leaf(h: *const u8) -> bool {
    let buf = alloc(32);
    unsafe { host::preimage_read(0, h, 0, buf) };
    eq32(buf, MARKER.0.as_ptr())
}

fn make_leaf(kh: *const u8, vh: *const u8) -> *mut u8 {
    hash_pair(MARKER.0.as_ptr(), hash_pair(kh, vh))
}

fn bit_at(kh: *const u8, depth: usize) -> u32 {
    unsafe { ((*kh.add(depth >> 3) >> (7 - (depth & 7))) & 1) as u32 }
}

/// The keccak256 preimage of the 32-byte aligned hash `h`, read in 32-byte chunks.
pub fn read_preimage(h: *const u8, mut cap: usize) -> &'static [u8] {
    let mut buf = alloc(cap);
    let mut len = 0usize;
    loop {
        if len + 32 > cap {
            let bigger = alloc(cap * 2);
            unsafe { copy_nonoverlapping(buf, bigger, len) };
            buf = bigger;
            cap *= 2;
        }
        let n = unsafe { host::preimage_read(0, h, len as i32, buf.add(len)) };
        len += n as usize;
        if n < 32 {
            break;
        }
    }
    unsafe { core::slice::from_raw_parts(buf, len) }
}

fn lookup(kh: *const u8) -> *const u8 {
    let mut h: *const u8 = unsafe { ROOT };
    for depth in 0..=256 {
        if is_zero32(h) {
            return core::ptr::null();
        }
        let n = read_node(h);
        let right = unsafe { n.add(32) };
        if eq32(n, MARKER.0.as_ptr()) {
            let inner = read_node(right);
            return if eq32(inner, kh) { unsafe { inner.add(32) } } else { core::ptr::null() };
        }
        h = if bit_at(kh, depth) == 1 { right } else { n };
    }
    core::ptr::null()
}

fn split(leaf_a: *const u8, kh_a: *const u8, leaf_b: *const u8, kh_b: *const u8, depth: usize) -> *mut u8 {
    let (ba, bb) = (bit_at(kh_a, depth), bit_at(kh_b, depth));
    if ba != bb {
        return if ba == 0 { hash_pair(leaf_a, leaf_b) } else { hash_pair(leaf_b, leaf_a) };
    }
    let c = split(leaf_a, kh_a, leaf_b, kh_b, depth + 1);
    if ba == 0 { hash_pair(c, ZERO.0.as_ptr()) } else { hash_pair(ZERO.0.as_ptr(), c) }
}

fn insert(h: *const u8, kh: *const u8, vh: *const u8, depth: usize) -> *const u8 {
    if is_zero32(h) {
        return make_leaf(kh, vh);
    }
    let n = read_node(h);
    let right = unsafe { n.add(32) };
    if eq32(n, MARKER.0.as_ptr()) {
        let inner = read_node(right);
        if eq32(inner, kh) {
            return if eq32(unsafe { inner.add(32) }, vh) { h } else { make_leaf(kh, vh) };
        }
        return split(h, inner, make_leaf(kh, vh), kh, depth);
    }
    if bit_at(kh, depth) == 0 {
        let c = insert(n, kh, vh, depth + 1);
        return if eq32(c, n) { h } else { hash_pair(c, right) };
    }
    let c = insert(right, kh, vh, depth + 1);
    if eq32(c, right) { h } else { hash_pair(n, c) }
}

/// (the new subtree, whether it is a leaf or empty that may move up)
fn remove(h: *const u8, kh: *const u8, depth: usize) -> (*const u8, bool) {
    if is_zero32(h) {
        return (h, false);
    }
    let n = read_node(h);
    let right = unsafe { n.add(32) };
    if eq32(n, MARKER.0.as_ptr()) {
        let inner = read_node(right);
        return if eq32(inner, kh) { (ZERO.0.as_ptr(), true) } else { (h, false) };
    }
    let bit = bit_at(kh, depth);
    let (child, sib) = if bit == 1 { (right as *const u8, n as *const u8) } else { (n as *const u8, right as *const u8) };
    let (c, to_leaf) = remove(child, kh, depth + 1);
    if eq32(c, child) {
        return (h, false);
    }
    if is_zero32(c) {
        if is_zero32(sib) {
            return (ZERO.0.as_ptr(), true);
        }
        if is_leaf(sib) {
            return (sib, true);
        }
    } else if to_leaf && is_zero32(sib) {
        return (c, true); // a leaf moves up
    }
    (if bit == 1 { hash_pair(sib, c) } else { hash_pair(c, sib) }, false)
}

fn value_of(e: &Entry) -> &'static [u8] {
    if e.len <= 0 {
        &[]
    } else {
        unsafe { core::slice::from_raw_parts(e.val, e.len as usize) }
    }
}

fn log_find(kh: *const u8) -> Option<Entry> {
    unsafe {
        let mut i = LOG_COUNT;
        while i > 0 {
            i -= 1;
            let e = *LOG.add(i);
            if eq32(e.kh.as_ptr(), kh) {
                return Some(e);
            }
        }
    }
    None
}

fn log_put(kh: *const u8, val: &[u8], len: i32) {
    unsafe {
        let mut copy: *const u8 = core::ptr::null();
        if len > 0 {
            let c = heap_alloc(val.len());
            copy_nonoverlapping(val.as_ptr(), c, val.len());
            copy = c;
        }
        if LOG_COUNT == LOG_CAP {
            let cap = if LOG_CAP == 0 { 64 } else { LOG_CAP * 2 };
            let bigger = heap_alloc(cap * core::mem::size_of::<Entry>()) as *mut Entry;
            if LOG_COUNT > 0 {
                core::ptr::copy_nonoverlapping(LOG, bigger, LOG_COUNT);
            }
            LOG = bigger; // then the capacity: a stop in between leaves a valid log
            LOG_CAP = cap;
        }
        let mut e = Entry { kh: [0; 32], val: copy, len };
        copy_nonoverlapping(kh, e.kh.as_mut_ptr(), 32);
        *LOG.add(LOG_COUNT) = e;
        LOG_COUNT += 1; // last: the entry is complete
    }
}

pub(crate) fn get_at(kh: *const u8) -> Option<&'static [u8]> {
    if let Some(e) = log_find(kh) {
        if e.len < 0 {
            return None;
        }
        return Some(alloc_copy(value_of(&e)));
    }
    let vh = lookup(kh);
    if vh.is_null() {
        return None;
    }
    let aligned = alloc(32);
    unsafe { copy_nonoverlapping(vh, aligned, 32) };
    Some(read_preimage(aligned, 64))
}

pub(crate) fn set_at(kh: *const u8, val: &[u8]) {
    log_put(kh, val, val.len() as i32);
}

/// The value under `key`, or None (an empty value is `Some(&[])`). The slice lives until the end
/// of the transaction.
pub fn state_get(key: &[u8]) -> Option<&'static [u8]> {
    get_at(hash_bytes(key))
}

/// state[key] = value (buffered; dropped if the transaction fails).
pub fn state_set(key: &[u8], val: &[u8]) {
    set_at(hash_bytes(key), val);
}

/// Deletes state[key] (buffered like a write).
pub fn state_delete(key: &[u8]) {
    log_put(hash_bytes(key), &[], -1);
}

/// prefix ‖ addr (20) ‖ extra: a state key (apps use prefixes 0x10 and above).
pub fn make_key(prefix: u8, addr: &[u8], extra: &[u8]) -> &'static [u8] {
    let len = 21 + extra.len();
    let k = unsafe { core::slice::from_raw_parts_mut(alloc(len), len) };
    k[0] = prefix;
    k[1..21].copy_from_slice(&addr[..20]);
    k[21..].copy_from_slice(extra);
    k
}

pub(crate) fn snapshot() -> usize {
    unsafe { LOG_COUNT }
}

pub(crate) fn revert(mark: usize) {
    unsafe {
        if mark < LOG_COUNT {
            LOG_COUNT = mark;
        }
    }
}

/// Applies the log (the newest write of each key) to the tree and sets bytes32[0].
pub(crate) fn commit() {
    unsafe {
        for i in 0..LOG_COUNT {
            let e = *LOG.add(i);
            let mut newer = false;
            for j in i + 1..LOG_COUNT {
                if eq32((*LOG.add(j)).kh.as_ptr(), e.kh.as_ptr()) {
                    newer = true;
                    break;
                }
            }
            if newer {
                continue;
            }
            let mark = arena_mark();
            let r = if e.len < 0 {
                remove(ROOT, e.kh.as_ptr(), 0).0
            } else {
                let val = value_of(&e);
                let vh = hash_bytes(val);
                host::hint_preimage(val.as_ptr(), e.len);
                insert(ROOT, e.kh.as_ptr(), vh, 0)
            };
            core::ptr::copy(r, ROOT, 32);
            arena_release(mark);
        }
        LOG_COUNT = 0;
        host::set_global_bytes32(0, ROOT);
    }
}
