/*
 * The run loop and the app ABI entry points (docs/stf.md, docs/app-abi.md §1–§5), as the AS SDK's
 * guest/sdk/stf.ts, abi.ts, tx.ts, sig.ts, meter.ts, batch.ts and blob.ts. Batch kinds: 0x00
 * (inline), 0x02 (blobs), 0x03 (certified); 0x04 (brotli) is not inflated by this SDK and gets
 * UNDECODABLE (docs/build.md "C and Rust SDKs").
 */
#include "internal.h"

#define HEADER_LEN 18
#define SIG_LEN 65
#define TX_STEP_BUDGET 10000000LL
static const uint8_t CHAIN_ID_KEY[1] = {0x05};

/* ---- the inbox message ---- */
modex_bytes modex_read_message(void) {
  int32_t cap = 1024, len = 0;
  uint8_t *buf = modex_alloc(cap);
  for (;;) {
    if (len + 32 > cap) {
      uint8_t *bigger = modex_alloc(cap * 2);
      memcpy(bigger, buf, (size_t)len);
      buf = bigger;
      cap *= 2;
    }
    int32_t n = modex_inbox_read(len, buf + len);
    len += n;
    if (n < 32) break;
  }
  return (modex_bytes){buf, len};
}

/* ---- the chain id (key 0x05), read once per run ---- */
static int chain_id_cached = 0;
static uint64_t chain_id_value = 0;

void modex_reset_chain_id(void) { chain_id_cached = 0; }

uint64_t modex_chain_id(void) {
  if (!chain_id_cached) {
    modex_bytes v = modex_state_get(CHAIN_ID_KEY, 1);
    chain_id_value = v.len == 8 ? modex_read_u64be(v.ptr) : 0;
    chain_id_cached = 1;
  }
  return chain_id_value;
}

/* ---- nonces: key 0x01 ‖ address, u64 ---- */
static uint8_t *nonce_key_hash(const uint8_t *addr) {
  uint8_t k[21];
  k[0] = 0x01;
  memcpy(k + 1, addr, 20);
  return modex_hash_bytes(k, 21);
}
static uint64_t nonce_at(const uint8_t *kh) {
  modex_bytes v = modex_state_get_at(kh);
  return v.len == 8 ? modex_read_u64be(v.ptr) : 0;
}

modex_bytes modex_make_key(uint8_t prefix, const uint8_t *addr, const void *extra, int32_t extra_len) {
  int32_t len = 21 + extra_len;
  uint8_t *k = modex_alloc(len);
  k[0] = prefix;
  memcpy(k + 1, addr, 20);
  if (extra_len > 0) memcpy(k + 21, extra, (size_t)extra_len);
  return (modex_bytes){k, len};
}

/* ---- signatures: EIP-191 personal message of the 32-byte digest ---- */
static const uint8_t PREFIX[28] = {0x19, 'E', 't', 'h', 'e', 'r', 'e', 'u', 'm', ' ', 'S', 'i', 'g', 'n',
                                   'e',  'd', ' ', 'M', 'e', 's', 's', 'a', 'g', 'e', ':', '\n', '3', '2'};
static const uint8_t HALF_N[32] = {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
                                   0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

/* the signer (20 bytes) of tx, or 0: v not 27/28, a high s, or recovery failed */
static const uint8_t *tx_signer(const modex_tx *tx) {
  uint32_t v = tx->sig[64];
  if (v != 27 && v != 28) return 0;
  if (memcmp(tx->sig + 32, HALF_N, 32) > 0) return 0;
  uint8_t *msg = modex_alloc(60);
  memcpy(msg, PREFIX, 28);
  modex_keccak256(tx->body, tx->body_len, msg + 28);
  uint8_t *signed_hash = modex_hash_bytes(msg, 60);
  uint8_t *sig = modex_alloc(64);
  memcpy(sig, tx->sig, 64);
  uint8_t *out = modex_alloc(32);
  if (modex_ecrecover(signed_hash, sig, (int32_t)v, out) != 1) return 0;
  static const uint8_t zero[32] = {0};
  if (memcmp(out, zero, 32) == 0) return 0;
  return out + 12;
}

/* framing, app id, chain id, signature (docs/stf.md "Signed transactions") */
static uint8_t check_tx(const uint8_t *p, int32_t len, modex_tx *tx, const uint8_t **signer) {
  if (len < HEADER_LEN + SIG_LEN) return MODEX_MALFORMED;
  tx->body = p;
  tx->body_len = len - SIG_LEN;
  tx->app = p[0];
  tx->op = p[1];
  tx->chain_id = modex_read_u64be(p + 2);
  tx->nonce = modex_read_u64be(p + 10);
  tx->args = p + HEADER_LEN;
  tx->args_len = tx->body_len - HEADER_LEN;
  tx->sig = p + tx->body_len;
  if (tx->app != MODEX_APP.app_id) return MODEX_WRONG_APP;
  if (tx->chain_id != modex_chain_id()) return MODEX_WRONG_CHAIN;
  *signer = tx_signer(tx);
  return *signer ? MODEX_OK : MODEX_BAD_SIGNATURE;
}

/* ---- metering (docs/app-abi.md §5): one unit under metered_call ---- */
static const uint8_t *cur_ptr = 0;
static int32_t cur_len = 0;
static uint8_t (*cur_unit)(void) = 0;

static int32_t metered_entry(int32_t arg) {
  (void)arg;
  return cur_unit();
}

static uint8_t process_tx(void) {
  modex_tx tx;
  const uint8_t *signer = 0;
  uint8_t c = check_tx(cur_ptr, cur_len, &tx, &signer);
  if (c != MODEX_OK) return c;
  uint8_t *nk = nonce_key_hash(signer);
  if (tx.nonce != nonce_at(nk)) return MODEX_BAD_NONCE;
  uint8_t status = MODEX_APP.on_tx(&tx, signer);
  if (status == MODEX_OK) {
    uint8_t v[8];
    modex_write_u64be(v, tx.nonce + 1);
    modex_state_set_at(nk, v, 8);
  }
  return status;
}

static uint8_t process_deposit(void) {
  if (!MODEX_APP.on_deposit) return MODEX_UNSUPPORTED;
  return MODEX_APP.on_deposit(cur_ptr, cur_ptr + 20);
}

/* The shadow-stack pointer (the global __stack_pointer): a unit stopped by a trap or its budget
 * leaves it where the unit's frames had moved it (the machine rolls back no global), so run_unit
 * puts it back. */
static uintptr_t get_sp(void) {
  uintptr_t sp;
  __asm__ volatile(".globaltype __stack_pointer, i32\n\tglobal.get __stack_pointer\n\tlocal.set %0" : "=r"(sp));
  return sp;
}
static void set_sp(uintptr_t sp) {
  __asm__ volatile(".globaltype __stack_pointer, i32\n\tlocal.get %0\n\tglobal.set __stack_pointer" : : "r"(sp));
}

/* runs unit metered on p..+len; a status other than OK drops its writes */
static uint8_t run_unit(uint8_t (*unit)(void), const uint8_t *p, int32_t len) {
  cur_ptr = p;
  cur_len = len;
  cur_unit = unit;
  uint32_t mark = modex_state_snapshot();
  uintptr_t sp = get_sp();
  int32_t r = modex_metered_call((int32_t)(uintptr_t)&metered_entry, 0, TX_STEP_BUDGET);
  set_sp(sp);
  uint8_t s = r == -2 ? MODEX_OUT_OF_STEPS : r < 0 ? MODEX_TRAPPED : (uint8_t)r;
  if (s != MODEX_OK) modex_state_revert(mark);
  return s;
}

/* ---- batches: count u32 ‖ (len u32 ‖ tx)*; returns the count, -1 if it does not decode ---- */
static int64_t run_batch(const uint8_t *q, int32_t len, uint8_t **statuses) {
  if (len < 4) return -1;
  uint32_t n = modex_read_u32be(q);
  if ((uint64_t)n * 4 > (uint64_t)(len - 4)) return -1;
  int32_t off = 4;
  for (uint32_t i = 0; i < n; i++) {
    if (len - off < 4) return -1;
    uint32_t tx_len = modex_read_u32be(q + off);
    if ((uint64_t)tx_len > (uint64_t)(len - off - 4)) return -1;
    off += 4 + (int32_t)tx_len;
  }
  if (off != len) return -1;
  uint8_t *st = modex_alloc((int32_t)n);
  off = 4;
  for (uint32_t i = 0; i < n; i++) {
    int32_t tx_len = (int32_t)modex_read_u32be(q + off);
    uintptr_t mark = modex_arena_mark();
    st[i] = run_unit(process_tx, q + off + 4, tx_len);
    modex_arena_release(mark);
    off += 4 + tx_len;
  }
  *statuses = st;
  return n;
}

/* blob stream v1 (docs/blob.md): element g of the k blobs to dst; 0 if short or its top byte is set */
static int read_element(const uint8_t *hashes, int32_t g, uint8_t *dst) {
  int32_t n = modex_preimage_read(1, hashes + ((g >> 12) << 5), (g & 4095) << 5, dst);
  return n == 32 && dst[0] == 0;
}

static modex_bytes read_blob_data(const uint8_t *hashes, int32_t k) {
  const modex_bytes none = {0, -1};
  uint8_t *el = modex_alloc(32);
  if (!read_element(hashes, 0, el)) return none;
  uint32_t data_len = modex_read_u32be(el + 1);
  if ((uint64_t)data_len + 4 > (uint64_t)k * 126976) return none;
  int32_t count = (4 + (int32_t)data_len + 30) / 31; /* elements holding the length and the data */
  uint8_t *stream = modex_alloc(count * 31);
  memcpy(stream, el + 1, 31);
  for (int32_t g = 1; g < (k << 12); g++) {
    if (!read_element(hashes, g, el)) return none;
    if (g < count) memcpy(stream + 31 * g, el + 1, 31);
  }
  return (modex_bytes){stream + 4, (int32_t)data_len};
}

/* the transaction list of a batch message (kinds 0x00, 0x02, 0x03), or len -1 */
static modex_bytes batch_payload(const uint8_t *msg, int32_t len) {
  const modex_bytes none = {0, -1};
  if (msg[0] == 0x00) return (modex_bytes){msg + 1, len - 1};
  if (msg[0] == 0x02) {
    int32_t k = (len - 1) >> 5;
    if (k < 1 || 1 + (k << 5) != len) return none;
    uint8_t *hashes = modex_alloc(k << 5); /* host hash pointers: 32-byte aligned */
    memcpy(hashes, msg + 1, (size_t)(k << 5));
    return read_blob_data(hashes, k);
  }
  if (msg[0] == 0x03 && len == 33) {
    uint8_t *hash = modex_alloc(32);
    memcpy(hash, msg + 1, 32);
    return modex_read_preimage(hash, 4096);
  }
  return none; /* 0x04 brotli: not inflated by this SDK */
}

/* ---- entry points (docs/app-abi.md §1) ---- */
#define EXPORT(name) __attribute__((export_name(#name)))

/* stf v1: one inbox message per run */
EXPORT(main) void modex_main(void) {
  modex_state_load();
  modex_reset_chain_id();
  uint64_t pos = modex_get_global_u64(0);
  modex_bytes msg = modex_read_message();
  uint8_t msg_status = MODEX_OK;
  uint32_t count = 0;
  uint8_t *statuses = 0;
  if (msg.len == 0) {
    msg_status = MODEX_UNDECODABLE;
  } else {
    uint8_t kind = msg.ptr[0];
    if (kind == 0x00 || kind == 0x02 || kind == 0x03 || kind == 0x04) {
      modex_bytes batch = batch_payload(msg.ptr, msg.len);
      int64_t n = batch.len < 0 ? -1 : run_batch(batch.ptr, batch.len, &statuses);
      if (n < 0)
        msg_status = MODEX_UNDECODABLE;
      else
        count = (uint32_t)n;
    } else if (kind == 0x01) {
      msg_status = msg.len == 53 ? run_unit(process_deposit, msg.ptr + 1, 52) : MODEX_UNDECODABLE;
    } else {
      msg_status = MODEX_UNKNOWN_KIND;
    }
  }
  /* the receipt at key 0x00 ‖ position: msgStatus u8 ‖ count u32 ‖ status u8 × count */
  uint8_t key[9];
  key[0] = 0x00;
  modex_write_u64be(key + 1, pos);
  int32_t rlen = 5 + (int32_t)count;
  uint8_t *r = modex_alloc(rlen);
  r[0] = msg_status;
  modex_write_u32be(r + 1, count);
  if (count > 0) memcpy(r + 5, statuses, count);
  modex_state_set(key, 9, r, rlen);
  modex_outbox_commit();
  modex_state_commit();
  modex_set_global_u64(0, pos + 1);
  modex_set_global_u64(1, 0);
}

EXPORT(modex_abi_version) int32_t modex_abi_version(void) { return 1; }

/* genesis (§2): message = chainId u64; writes key 0x05, runs the app's genesis handler, commits */
EXPORT(modex_genesis) void modex_genesis(void) {
  modex_state_load();
  modex_bytes msg = modex_read_message();
  if (msg.len != 8) __builtin_trap();
  uint64_t id = modex_read_u64be(msg.ptr);
  modex_state_set(CHAIN_ID_KEY, 1, msg.ptr, 8);
  modex_reset_chain_id();
  if (MODEX_APP.on_genesis) MODEX_APP.on_genesis(id);
  modex_state_commit();
}

/* admission (§3): u64[1] = verdict; when 0, bytes32[1] = sender (left-padded), u64[0] = nonce */
EXPORT(modex_admit) void modex_admit(void) {
  modex_state_load();
  modex_reset_chain_id();
  modex_bytes msg = modex_read_message();
  modex_tx tx;
  const uint8_t *signer = 0;
  uint8_t verdict = check_tx(msg.ptr, msg.len, &tx, &signer);
  if (verdict == MODEX_OK) {
    if (tx.nonce < nonce_at(nonce_key_hash(signer))) {
      verdict = MODEX_BAD_NONCE;
    } else {
      uint8_t *word = modex_alloc(32);
      memset(word, 0, 12);
      memcpy(word + 12, signer, 20);
      modex_set_global_bytes32(1, word);
      modex_set_global_u64(0, tx.nonce);
    }
  }
  modex_set_global_u64(1, verdict);
}

static const uint8_t *answer_ptr = 0;
static int32_t answer_len = 0;

void modex_query_answer(const void *ptr, int32_t len) {
  uint8_t *p = modex_alloc(len);
  memcpy(p, ptr, (size_t)len);
  answer_ptr = p;
  answer_len = len;
}

void modex_query_answer_u64(uint64_t v) {
  uint8_t b[8];
  modex_write_u64be(b, v);
  modex_query_answer(b, 8);
}

/* keccak256 of the bytes into bytes32[1], the bytes hinted as its preimage */
static void hint_answer(const uint8_t *p, int32_t len) {
  uint8_t *h = modex_hash_bytes(p, len);
  modex_hint_preimage(p, len);
  modex_set_global_bytes32(1, h);
}

/* query (§4): kind u8 ‖ args; u64[1] = status, bytes32[1] = keccak256 of the answer, hinted */
EXPORT(modex_query) void modex_query(void) {
  modex_state_load();
  modex_reset_chain_id();
  answer_ptr = 0;
  answer_len = 0;
  modex_bytes msg = modex_read_message();
  uint8_t status = MODEX_OK;
  if (msg.len == 0) {
    status = MODEX_MALFORMED;
  } else {
    uint32_t kind = msg.ptr[0];
    const uint8_t *args = msg.ptr + 1;
    int32_t n = msg.len - 1;
    if (kind == 0x00) {
      if (n != 20)
        status = MODEX_MALFORMED;
      else
        modex_query_answer_u64(nonce_at(nonce_key_hash(args)));
    } else if (kind == 0x01) {
      modex_bytes v = modex_state_get(args, n);
      if (v.len >= 0) modex_query_answer(v.ptr, v.len);
    } else if (kind == 0x02) {
      if (n != 0)
        status = MODEX_MALFORMED;
      else
        modex_query_answer_u64(modex_chain_id());
    } else if (kind >= 0x10 && MODEX_APP.on_query) {
      status = MODEX_APP.on_query(kind, args, n);
    } else {
      status = MODEX_UNKNOWN_OP;
    }
  }
  if (status != MODEX_OK) answer_len = 0;
  hint_answer(answer_ptr, answer_len);
  modex_set_global_u64(1, status);
}

static const char SDK_NAMES[] = "ok,malformed,wrong_app,wrong_chain,bad_signature,bad_nonce,unknown_op,"
                                "insufficient_balance,overflow,unknown_kind,undecodable,unsupported,"
                                "out_of_steps,trapped,,";

/* receipt names (§5): "<SDK's 16>,<app's>" hinted; bytes32[1] = its keccak256 */
EXPORT(modex_receipt_names) void modex_receipt_names(void) {
  const char *app = MODEX_APP.receipt_names ? MODEX_APP.receipt_names : "";
  int32_t a = (int32_t)sizeof(SDK_NAMES) - 1, b = 0;
  while (app[b]) b++;
  int32_t len = a + (b > 0 ? 1 + b : 0);
  uint8_t *p = modex_alloc(len);
  memcpy(p, SDK_NAMES, (size_t)a);
  if (b > 0) {
    p[a] = ',';
    memcpy(p + a + 1, app, (size_t)b);
  }
  hint_answer(p, len);
}
