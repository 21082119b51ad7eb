//! The modex host functions (docs/machine.md §6; src/vm/wasm/host-abi.ts). Pointers to 32-byte
//! hashes and signatures must be 32-byte aligned (`mem::alloc` is).
#[link(wasm_import_module = "modex")]
extern "C" {
    pub fn inbox_read(offset: i32, ptr: *mut u8) -> i32;
    pub fn preimage_read(kind: i32, hash: *const u8, offset: i32, ptr: *mut u8) -> i32;
    pub fn get_global_bytes32(index: i32, ptr: *mut u8);
    pub fn set_global_bytes32(index: i32, ptr: *const u8);
    pub fn get_global_u64(index: i32) -> u64;
    pub fn set_global_u64(index: i32, value: u64);
    pub fn halt();
    pub fn keccak256_pair(input: *const u8, out: *mut u8);
    pub fn ecrecover(hash: *const u8, sig: *const u8, v: i32, out: *mut u8) -> i32;
    pub fn hint_preimage(ptr: *const u8, len: i32);
    pub fn metered_call(table_index: i32, arg: i32, budget: i64) -> i32;
}
