//! The run loop and the app ABI entry points (docs/stf.md, docs/app-abi.md §1–§5), as the AS SDK's
//! guest/sdk/stf.ts, abi.ts, tx.ts, sig.ts, meter.ts, batch.ts and blob.ts. Batch kinds: 0x00
//! (inline), 0x02 (blobs), 0x03 (certified); 0x04 (brotli) is not inflated by this SDK and gets
//! UNDECODABLE (docs/build.md "C and Rust SDKs").
use crate::host;
use crate::mem::{alloc, alloc_copy, arena_mark, arena_release, read_u32be, read_u64be, write_u32be, write_u64be};
use crate::state::{self, hash_bytes, read_preimage, state_get, state_set};
use crate::status::*;
use crate::{keccak::keccak256, outbox};
use core::arch::asm;

const HEADER_LEN: usize = 18;
const SIG_LEN: usize = 65;
const TX_STEP_BUDGET: i64 = 10_000_000;
const CHAIN_ID_KEY: [u8; 1] = [0x05];

/// A signed transaction (docs/stf.md "Signed transactions"):
/// body = app u8 ‖ op u8 ‖ chainId u64 ‖ nonce u64 ‖ args; tx = body ‖ r (32) ‖ s (32) ‖ v (1).
pub struct Tx {
    pub app: u32,
    pub op: u32,
    pub chain_id: u64,
    pub nonce: u64,
    pub args: &'static [u8],
    pub body: &'static [u8],
    /// r ‖ s ‖ v
    pub sig: &'static [u8],
}

/// What an app declares (docs/app-abi.md §9). `on_tx` gets a transaction whose framing, app id,
/// chain id, signature and nonce are valid, and the signer (20 bytes); its status is the receipt
/// (OK increments the nonce, anything else drops its writes). `on_deposit(to, amount)`: an L1
/// deposit (None: UNSUPPORTED). `on_query(kind, args)`: kinds 0x10–0xff, answer with
/// `query_answer*` (None: UNKNOWN_OP). `on_genesis(chain_id)`: after the SDK wrote key 0x05.
/// `receipt_names`: names of the app's codes from 16 on, comma-separated.
pub struct App {
    pub app_id: u32,
    pub on_tx: fn(&Tx, &[u8]) -> u8,
    pub on_deposit: Option<fn(&[u8], &[u8]) -> u8>,
    pub on_query: Option<fn(u32, &[u8]) -> u8>,
    pub on_genesis: Option<fn(u64)>,
    pub receipt_names: &'static str,
}

static mut APP: Option<&'static App> = None;
fn app() -> &'static App {
    unsafe { APP.unwrap_or_else(|| core::arch::wasm32::unreachable()) }
}

fn slice(p: *const u8, len: usize) -> &'static [u8] {
    if len == 0 { &[] } else { unsafe { core::slice::from_raw_parts(p, len) } }
}

fn read_message() -> &'static [u8] {
    let mut cap = 1024usize;
    let mut buf = alloc(cap);
    let mut len = 0usize;
    loop {
        if len + 32 > cap {
            let bigger = alloc(cap * 2);
            unsafe { core::ptr::copy_nonoverlapping(buf, bigger, len) };
            buf = bigger;
            cap *= 2;
        }
        let n = unsafe { host::inbox_read(len as i32, buf.add(len)) };
        len += n as usize;
        if n < 32 {
            break;
        }
    }
    slice(buf, len)
}

static mut CHAIN_ID: Option<u64> = None;

/// The chain id (state key 0x05, absent: 0), read once per run.
pub fn chain_id() -> u64 {
    unsafe {
        if let Some(id) = CHAIN_ID {
            return id;
        }
        let id = match state_get(&CHAIN_ID_KEY) {
            Some(v) if v.len() == 8 => read_u64be(v),
            _ => 0,
        };
        CHAIN_ID = Some(id);
        id
    }
}

fn start_run(a: &'static App) {
    unsafe {
        APP = Some(a);
        CHAIN_ID = None;
        ANSWER = &[];
    }
    state::load();
}

/// hash of key 0x01 ‖ address: the address's next nonce
fn nonce_key_hash(addr: &[u8]) -> *mut u8 {
    let mut k = [0u8; 21];
    k[0] = 0x01;
    k[1..].copy_from_slice(&addr[..20]);
    hash_bytes(&k)
}
fn nonce_at(kh: *const u8) -> u64 {
    match state::get_at(kh) {
        Some(v) if v.len() == 8 => read_u64be(v),
        _ => 0,
    }
}

// "\x19Ethereum Signed Message:\n32"
const PREFIX: &[u8; 28] = b"\x19Ethereum Signed Message:\n32";
// secp256k1 n / 2
const HALF_N: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57,
    0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/// The signer (20 bytes) of the EIP-191 personal message of keccak256(body), or None: v not 27/28,
/// a high s, or recovery failed.
fn tx_signer(tx: &Tx) -> Option<&'static [u8]> {
    let v = tx.sig[64] as i32;
    if v != 27 && v != 28 {
        return None;
    }
    if tx.sig[32..64] > HALF_N[..] {
        return None;
    }
    let mut msg = [0u8; 60];
    msg[..28].copy_from_slice(PREFIX);
    keccak256(tx.body, &mut msg[28..]);
    let signed = hash_bytes(&msg);
    let sig = alloc_copy(&tx.sig[..64]);
    let out = alloc(32);
    unsafe {
        if host::ecrecover(signed, sig.as_ptr(), v, out) != 1 {
            return None;
        }
    }
    let word = slice(out, 32);
    if word.iter().all(|b| *b == 0) {
        return None;
    }
    Some(&word[12..])
}

/// framing, app id, chain id, signature (docs/stf.md "Signed transactions")
fn check_tx(raw: &'static [u8]) -> Result<(Tx, &'static [u8]), u8> {
    if raw.len() < HEADER_LEN + SIG_LEN {
        return Err(MALFORMED);
    }
    let body_len = raw.len() - SIG_LEN;
    let tx = Tx {
        app: raw[0] as u32,
        op: raw[1] as u32,
        chain_id: read_u64be(&raw[2..10]),
        nonce: read_u64be(&raw[10..18]),
        args: &raw[HEADER_LEN..body_len],
        body: &raw[..body_len],
        sig: &raw[body_len..],
    };
    if tx.app != app().app_id {
        return Err(WRONG_APP);
    }
    if tx.chain_id != chain_id() {
        return Err(WRONG_CHAIN);
    }
    match tx_signer(&tx) {
        Some(signer) => Ok((tx, signer)),
        None => Err(BAD_SIGNATURE),
    }
}

// ---- metering (docs/app-abi.md §5): one unit under metered_call ----
static mut CUR: &[u8] = &[];
static mut CUR_UNIT: fn() -> u8 = process_tx;

extern "C" fn metered_entry(_arg: i32) -> i32 {
    unsafe { CUR_UNIT() as i32 }
}

fn process_tx() -> u8 {
    let (tx, signer) = match check_tx(unsafe { CUR }) {
        Ok(t) => t,
        Err(s) => return s,
    };
    let nk = nonce_key_hash(signer);
    if tx.nonce != nonce_at(nk) {
        return BAD_NONCE;
    }
    let status = (app().on_tx)(&tx, signer);
    if status == OK {
        let mut v = [0u8; 8];
        write_u64be(&mut v, tx.nonce + 1);
        state::set_at(nk, &v);
    }
    status
}

fn process_deposit() -> u8 {
    let d = unsafe { CUR };
    match app().on_deposit {
        Some(f) => f(&d[..20], &d[20..52]),
        None => UNSUPPORTED,
    }
}

/// The shadow-stack pointer (the global __stack_pointer): a unit stopped by a trap or its budget
/// leaves it where the unit's frames had moved it (the machine rolls back no global), so run_unit
/// puts it back.
fn get_sp() -> usize {
    let sp: usize;
    unsafe { asm!("global.get __stack_pointer", "local.set {}", out(local) sp) };
    sp
}
fn set_sp(sp: usize) {
    unsafe { asm!("local.get {}", "global.set __stack_pointer", in(local) sp) };
}

/// Runs `unit` metered on `input`; a status other than OK drops its writes.
fn run_unit(unit: fn() -> u8, input: &'static [u8]) -> u8 {
    unsafe {
        CUR = input;
        CUR_UNIT = unit;
    }
    let mark = state::snapshot();
    let sp = get_sp();
    let entry: extern "C" fn(i32) -> i32 = metered_entry;
    let r = unsafe { host::metered_call(entry as usize as i32, 0, TX_STEP_BUDGET) };
    set_sp(sp);
    let s = match r {
        -2 => OUT_OF_STEPS,
        r if r < 0 => TRAPPED,
        r => r as u8,
    };
    if s != OK {
        state::revert(mark);
    }
    s
}

/// Runs the list `count u32 ‖ (len u32 ‖ tx)*`: the statuses, or None if it does not decode.
fn run_batch(q: &'static [u8]) -> Option<&'static [u8]> {
    let len = q.len();
    if len < 4 {
        return None;
    }
    let n = read_u32be(q) as usize;
    if n as u64 * 4 > (len - 4) as u64 {
        return None;
    }
    let mut off = 4usize;
    for _ in 0..n {
        if len - off < 4 {
            return None;
        }
        let tx_len = read_u32be(&q[off..]) as usize;
        if tx_len > len - off - 4 {
            return None;
        }
        off += 4 + tx_len;
    }
    if off != len {
        return None;
    }
    let st = unsafe { core::slice::from_raw_parts_mut(alloc(n), n) };
    off = 4;
    for s in st.iter_mut() {
        let tx_len = read_u32be(&q[off..]) as usize;
        let mark = arena_mark();
        *s = run_unit(process_tx, &q[off + 4..off + 4 + tx_len]);
        arena_release(mark);
        off += 4 + tx_len;
    }
    Some(st)
}

/// blob stream v1 (docs/blob.md): element g of the k blobs; None if short or its top byte is set
fn read_element(hashes: *const u8, g: usize, dst: *mut u8) -> bool {
    unsafe { host::preimage_read(1, hashes.add((g >> 12) << 5), ((g & 4095) << 5) as i32, dst) == 32 && *dst == 0 }
}

fn read_blob_data(hashes: *const u8, k: usize) -> Option<&'static [u8]> {
    let el = alloc(32);
    if !read_element(hashes, 0, el) {
        return None;
    }
    let data_len = read_u32be(slice(unsafe { el.add(1) }, 4)) as usize;
    if data_len as u64 + 4 > k as u64 * 126_976 {
        return None;
    }
    let count = (4 + data_len + 30) / 31; // elements holding the length and the data
    let stream = alloc(count * 31);
    unsafe { core::ptr::copy_nonoverlapping(el.add(1), stream, 31) };
    for g in 1..(k << 12) {
        if !read_element(hashes, g, el) {
            return None;
        }
        if g < count {
            unsafe { core::ptr::copy_nonoverlapping(el.add(1), stream.add(31 * g), 31) };
        }
    }
    Some(slice(unsafe { stream.add(4) }, data_len))
}

/// The transaction list of a batch message (kinds 0x00, 0x02, 0x03), or None.
fn batch_payload(msg: &'static [u8]) -> Option<&'static [u8]> {
    match msg[0] {
        0x00 => Some(&msg[1..]),
        0x02 => {
            let k = (msg.len() - 1) >> 5;
            if k < 1 || 1 + (k << 5) != msg.len() {
                return None;
            }
            let hashes = alloc_copy(&msg[1..]); // host hash pointers: 32-byte aligned
            read_blob_data(hashes.as_ptr(), k)
        }
        0x03 if msg.len() == 33 => Some(read_preimage(alloc_copy(&msg[1..]).as_ptr(), 4096)),
        _ => None, // 0x04 brotli: not inflated by this SDK
    }
}

/// `main` (stf v1): one inbox message per run.
pub fn main(a: &'static App) {
    start_run(a);
    let pos = unsafe { host::get_global_u64(0) };
    let msg = read_message();
    let mut msg_status = OK;
    let mut statuses: &[u8] = &[];
    if msg.is_empty() {
        msg_status = UNDECODABLE;
    } else {
        match msg[0] {
            0x00 | 0x02 | 0x03 | 0x04 => match batch_payload(msg).and_then(run_batch) {
                Some(st) => statuses = st,
                None => msg_status = UNDECODABLE,
            },
            0x01 => msg_status = if msg.len() == 53 { run_unit(process_deposit, &msg[1..]) } else { UNDECODABLE },
            _ => msg_status = UNKNOWN_KIND,
        }
    }
    // the receipt at key 0x00 ‖ position: msgStatus u8 ‖ count u32 ‖ status u8 × count
    let mut key = [0u8; 9];
    write_u64be(&mut key[1..], pos);
    let rlen = 5 + statuses.len();
    let r = unsafe { core::slice::from_raw_parts_mut(alloc(rlen), rlen) };
    r[0] = msg_status;
    write_u32be(&mut r[1..], statuses.len() as u32);
    r[5..].copy_from_slice(statuses);
    state_set(&key, r);
    outbox::commit();
    state::commit();
    unsafe {
        host::set_global_u64(0, pos + 1);
        host::set_global_u64(1, 0);
    }
}

/// `modex_genesis` (§2): message = chainId u64; writes key 0x05, runs the app's genesis handler.
pub fn genesis(a: &'static App) {
    start_run(a);
    let msg = read_message();
    if msg.len() != 8 {
        core::arch::wasm32::unreachable();
    }
    state_set(&CHAIN_ID_KEY, msg);
    unsafe { CHAIN_ID = None };
    if let Some(f) = a.on_genesis {
        f(read_u64be(msg));
    }
    state::commit();
}

/// `modex_admit` (§3): u64[1] = verdict; when 0, bytes32[1] = sender (left-padded), u64[0] = nonce.
pub fn admit(a: &'static App) {
    start_run(a);
    let verdict = match check_tx(read_message()) {
        Err(s) => s,
        Ok((tx, signer)) => {
            if tx.nonce < nonce_at(nonce_key_hash(signer)) {
                BAD_NONCE
            } else {
                let word = alloc(32);
                unsafe {
                    core::ptr::write_bytes(word, 0, 12);
                    core::ptr::copy_nonoverlapping(signer.as_ptr(), word.add(12), 20);
                    host::set_global_bytes32(1, word);
                    host::set_global_u64(0, tx.nonce);
                }
                OK
            }
        }
    };
    unsafe { host::set_global_u64(1, verdict as u64) };
}

static mut ANSWER: &[u8] = &[];

/// Sets the answer of the current query (copied).
pub fn query_answer(bytes: &[u8]) {
    unsafe { ANSWER = alloc_copy(bytes) };
}

/// A u64 answer, big-endian.
pub fn query_answer_u64(v: u64) {
    let mut b = [0u8; 8];
    write_u64be(&mut b, v);
    query_answer(&b);
}

/// keccak256 of the bytes into bytes32[1], the bytes hinted as its preimage
fn hint_answer(bytes: &[u8]) {
    let h = hash_bytes(bytes);
    unsafe {
        host::hint_preimage(bytes.as_ptr(), bytes.len() as i32);
        host::set_global_bytes32(1, h);
    }
}

/// `modex_query` (§4): kind u8 ‖ args; u64[1] = status, bytes32[1] = keccak256 of the answer.
pub fn query(a: &'static App) {
    start_run(a);
    let msg = read_message();
    let status = if msg.is_empty() {
        MALFORMED
    } else {
        let (kind, args) = (msg[0] as u32, &msg[1..]);
        match kind {
            0x00 if args.len() == 20 => {
                query_answer_u64(nonce_at(nonce_key_hash(args)));
                OK
            }
            0x01 => {
                if let Some(v) = state_get(args) {
                    query_answer(v);
                }
                OK
            }
            0x02 if args.is_empty() => {
                query_answer_u64(chain_id());
                OK
            }
            0x00 | 0x02 => MALFORMED,
            0x10..=0xff => match a.on_query {
                Some(f) => f(kind, args),
                None => UNKNOWN_OP,
            },
            _ => UNKNOWN_OP,
        }
    };
    let answer: &[u8] = if status == OK { unsafe { ANSWER } } else { &[] };
    hint_answer(answer);
    unsafe { host::set_global_u64(1, status as u64) };
}

const SDK_NAMES: &str = "ok,malformed,wrong_app,wrong_chain,bad_signature,bad_nonce,unknown_op,\
insufficient_balance,overflow,unknown_kind,undecodable,unsupported,out_of_steps,trapped,,";

/// `modex_receipt_names` (§5): "<SDK's 16>,<app's>" hinted; bytes32[1] = its keccak256.
pub fn receipt_names(a: &'static App) {
    start_run(a);
    let (s, n) = (SDK_NAMES.as_bytes(), a.receipt_names.as_bytes());
    let len = s.len() + if n.is_empty() { 0 } else { 1 + n.len() };
    let p = unsafe { core::slice::from_raw_parts_mut(alloc(len), len) };
    p[..s.len()].copy_from_slice(s);
    if !n.is_empty() {
        p[s.len()] = b',';
        p[s.len() + 1..].copy_from_slice(n);
    }
    hint_answer(p);
}
