//! The modex Rust SDK (docs/build.md "C and Rust SDKs"): write an app (docs/app-abi.md) in Rust,
//! `#![no_std]`, compiled by `modex build` with Debian's `rustc` for `wasm32-unknown-unknown`
//! (no cargo, no crates from outside).
//!
//! An app declares a `static APP: modex_sdk::App` (its app id and handlers) and calls
//! `modex_sdk::export_app!(APP);`, which exports the six entry points of the app ABI
//! (docs/app-abi.md §1). The SDK decodes the inbox message (docs/stf.md), checks each signed
//! transaction (framing, app id, chain id, EIP-191 signature, nonce) before the app sees it, runs it
//! metered (docs/app-abi.md §5), writes the receipt and keeps the state tree. Integer types only:
//! the machine rejects floats.
#![no_std]
// inline assembly on wasm32 (stf.rs: the shadow-stack pointer after a stopped unit) is unstable in
// rustc 1.63; `modex build` compiles this crate with RUSTC_BOOTSTRAP=1 for this one feature
#![feature(asm_experimental_arch)]

pub mod host;
pub mod mem;
pub mod keccak;
pub mod state;
pub mod outbox;
pub mod stf;

pub use mem::{alloc, read_u32be, read_u64be, write_u32be, write_u64be};
pub use keccak::keccak256;
pub use state::{state_delete, state_get, state_set, make_key};
pub use outbox::outbox_append;
pub use stf::{chain_id, query_answer, query_answer_u64, App, Tx};

/// Receipt codes 0–15 (docs/app-abi.md §5); an app names its own from 16 on (`App::receipt_names`).
pub mod status {
    pub const OK: u8 = 0;
    pub const MALFORMED: u8 = 1;
    pub const WRONG_APP: u8 = 2;
    pub const WRONG_CHAIN: u8 = 3;
    pub const BAD_SIGNATURE: u8 = 4;
    pub const BAD_NONCE: u8 = 5;
    pub const UNKNOWN_OP: u8 = 6;
    pub const INSUFFICIENT_BALANCE: u8 = 7;
    pub const OVERFLOW: u8 = 8;
    pub const UNKNOWN_KIND: u8 = 9;
    pub const UNDECODABLE: u8 = 10;
    pub const UNSUPPORTED: u8 = 11;
    pub const OUT_OF_STEPS: u8 = 12;
    pub const TRAPPED: u8 = 13;
    pub const FIRST_APP_CODE: u8 = 16;
}

/// A panic traps (`unreachable`): inside a transaction, the SDK's metered call turns it into the
/// receipt TRAPPED and drops the transaction's writes.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Exports the app ABI's entry points for the `App` static `$app`.
#[macro_export]
macro_rules! export_app {
    ($app:path) => {
        #[export_name = "main"]
        pub extern "C" fn __modex_main() {
            $crate::stf::main(&$app)
        }
        #[export_name = "modex_abi_version"]
        pub extern "C" fn __modex_abi_version() -> i32 {
            1
        }
        #[export_name = "modex_genesis"]
        pub extern "C" fn __modex_genesis() {
            $crate::stf::genesis(&$app)
        }
        #[export_name = "modex_admit"]
        pub extern "C" fn __modex_admit() {
            $crate::stf::admit(&$app)
        }
        #[export_name = "modex_query"]
        pub extern "C" fn __modex_query() {
            $crate::stf::query(&$app)
        }
        #[export_name = "modex_receipt_names"]
        pub extern "C" fn __modex_receipt_names() {
            $crate::stf::receipt_names(&$app)
        }
    };
}
