//! Memory and big-endian integers: a bump heap that is never freed, and a 256 KiB arena that the
//! run loop releases after each transaction (as the AS SDK's guest/sdk/bytes.ts).
use core::arch::wasm32::{memory_grow, memory_size};

extern "C" {
    static __heap_base: u8;
}

static mut HEAP_TOP: usize = 0;
const ARENA_SIZE: usize = 1 << 18;
static mut ARENA_START: usize = 0;
static mut ARENA_TOP: usize = 0;

/// `n` bytes, 32-byte aligned, never freed (grows the memory as needed).
pub fn heap_alloc(n: usize) -> *mut u8 {
    unsafe {
        if HEAP_TOP == 0 {
            HEAP_TOP = &__heap_base as *const u8 as usize;
        }
        let p = (HEAP_TOP + 31) & !31;
        let end = p + ((n + 31) & !31);
        let have = memory_size(0) << 16;
        if end > have && memory_grow(0, (end - have + 65535) >> 16) == usize::MAX {
            core::arch::wasm32::unreachable();
        }
        HEAP_TOP = end;
        p as *mut u8
    }
}

/// `n` bytes, 32-byte aligned (host pointers must be), released after the current transaction.
pub fn alloc(n: usize) -> *mut u8 {
    unsafe {
        if ARENA_START == 0 {
            ARENA_START = heap_alloc(ARENA_SIZE) as usize;
            ARENA_TOP = ARENA_START;
        }
        let size = (n + 31) & !31;
        if ARENA_TOP + size <= ARENA_START + ARENA_SIZE {
            let p = ARENA_TOP;
            ARENA_TOP += size;
            return p as *mut u8;
        }
    }
    heap_alloc(n)
}

/// `bytes` copied to the arena: a 32-byte aligned slice.
pub fn alloc_copy(bytes: &[u8]) -> &'static mut [u8] {
    let p = alloc(bytes.len());
    unsafe {
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        core::slice::from_raw_parts_mut(p, bytes.len())
    }
}

pub fn arena_mark() -> usize {
    unsafe { ARENA_TOP }
}
pub fn arena_release(mark: usize) {
    if mark != 0 {
        unsafe { ARENA_TOP = mark }
    }
}

pub fn read_u32be(p: &[u8]) -> u32 {
    ((p[0] as u32) << 24) | ((p[1] as u32) << 16) | ((p[2] as u32) << 8) | p[3] as u32
}
pub fn read_u64be(p: &[u8]) -> u64 {
    ((read_u32be(&p[..4]) as u64) << 32) | read_u32be(&p[4..8]) as u64
}
pub fn write_u32be(p: &mut [u8], v: u32) {
    p[0] = (v >> 24) as u8;
    p[1] = (v >> 16) as u8;
    p[2] = (v >> 8) as u8;
    p[3] = v as u8;
}
pub fn write_u64be(p: &mut [u8], v: u64) {
    write_u32be(&mut p[..4], (v >> 32) as u32);
    write_u32be(&mut p[4..8], v as u32);
}
