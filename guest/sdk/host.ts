// The modex host functions (docs/machine.md §6, docs/stf.md "Host functions added in machine v1.1").
@external("modex", "inbox_read")
export declare function inbox_read(offset: i32, ptr: usize): i32;
@external("modex", "preimage_read")
export declare function preimage_read(kind: i32, hashPtr: usize, offset: i32, ptr: usize): i32;
@external("modex", "get_global_bytes32")
export declare function get_global_bytes32(index: i32, ptr: usize): void;
@external("modex", "set_global_bytes32")
export declare function set_global_bytes32(index: i32, ptr: usize): void;
@external("modex", "get_global_u64")
export declare function get_global_u64(index: i32): u64;
@external("modex", "set_global_u64")
export declare function set_global_u64(index: i32, value: u64): void;
@external("modex", "halt")
export declare function halt(): void;
@external("modex", "keccak256_pair")
export declare function keccak256_pair(inPtr: usize, outPtr: usize): void;
@external("modex", "ecrecover")
export declare function ecrecover(hashPtr: usize, sigPtr: usize, v: i32, outPtr: usize): i32;
@external("modex", "hint_preimage")
export declare function hint_preimage(ptr: usize, len: i32): void;
@external("modex", "metered_call")
export declare function metered_call(tableIndex: i32, arg: i32, budget: i64): i32;
