/*
 * The modex C SDK (docs/build.md "C and Rust SDKs"): write an app (docs/app-abi.md) in C.
 *
 * An app defines one `const modex_app MODEX_APP` (its app id and handlers); the SDK (modex.c,
 * linked by `modex build`) provides the six entry points of the app ABI (docs/app-abi.md §1):
 * main, modex_abi_version, modex_genesis, modex_admit, modex_query, modex_receipt_names. It decodes
 * the inbox message (docs/stf.md), checks each signed transaction (framing, app id, chain id,
 * EIP-191 signature, nonce) before the app sees it, runs it metered (docs/app-abi.md §5: a trap or
 * an exhausted budget drops its writes), writes the receipt and keeps the state tree.
 *
 * Compiled with `clang --target=wasm32 -nostdlib -O2`: no libc. Integer types only (the machine
 * rejects floats). Memory from modex_alloc is never freed within a transaction.
 */
#ifndef MODEX_H
#define MODEX_H

#include <stddef.h>
#include <stdint.h>

/* Receipt codes 0–15 (docs/app-abi.md §5); an app names its own from 16 on (receipt_names). */
enum {
  MODEX_OK = 0,
  MODEX_MALFORMED = 1,
  MODEX_WRONG_APP = 2,
  MODEX_WRONG_CHAIN = 3,
  MODEX_BAD_SIGNATURE = 4,
  MODEX_BAD_NONCE = 5,
  MODEX_UNKNOWN_OP = 6,
  MODEX_INSUFFICIENT_BALANCE = 7,
  MODEX_OVERFLOW = 8,
  MODEX_UNKNOWN_KIND = 9,
  MODEX_UNDECODABLE = 10,
  MODEX_UNSUPPORTED = 11,
  MODEX_OUT_OF_STEPS = 12,
  MODEX_TRAPPED = 13,
  MODEX_FIRST_APP_CODE = 16,
};

/* A signed transaction (docs/stf.md "Signed transactions"):
 * body = app u8 ‖ op u8 ‖ chainId u64 ‖ nonce u64 ‖ args; tx = body ‖ r (32) ‖ s (32) ‖ v (1). */
typedef struct {
  uint32_t app;
  uint32_t op;
  uint64_t chain_id;
  uint64_t nonce;
  const uint8_t *args;
  int32_t args_len;
  const uint8_t *body;
  int32_t body_len;
  const uint8_t *sig; /* r at sig, s at sig + 32, v at sig + 64 */
} modex_tx;

/* A byte range of guest memory. */
typedef struct {
  const uint8_t *ptr;
  int32_t len;
} modex_bytes;

/* What an app declares (docs/app-abi.md §9). Every handler but on_tx may be NULL. */
typedef struct {
  /* byte 0 of the app's transactions */
  uint32_t app_id;
  /* a transaction whose framing, app id, chain id, signature and nonce are valid; signer: 20 bytes.
   * Returns its receipt status: OK increments the nonce, anything else drops its writes. */
  uint8_t (*on_tx)(const modex_tx *tx, const uint8_t *signer);
  /* an L1 deposit: to (20 bytes), amount (u256 BE, 32 bytes); NULL: MODEX_UNSUPPORTED */
  uint8_t (*on_deposit)(const uint8_t *to, const uint8_t *amount);
  /* a query of kind 0x10–0xff, args after the kind byte; answer with modex_query_answer*; NULL:
   * MODEX_UNKNOWN_OP */
  uint8_t (*on_query)(uint32_t kind, const uint8_t *args, int32_t args_len);
  /* genesis, after the SDK wrote the chain id at key 0x05; NULL: nothing */
  void (*on_genesis)(uint64_t chain_id);
  /* names of the app's codes from 16 on, comma-separated (ASCII); NULL or "": none */
  const char *receipt_names;
} modex_app;

/* Defined by the app. */
extern const modex_app MODEX_APP;

/* ---- host functions (docs/machine.md §6; src/vm/wasm/host-abi.ts) ---- */
#define MODEX_IMPORT(name) __attribute__((import_module("modex"), import_name(#name)))
MODEX_IMPORT(inbox_read) int32_t modex_inbox_read(int32_t offset, void *ptr);
MODEX_IMPORT(preimage_read) int32_t modex_preimage_read(int32_t kind, const void *hash, int32_t offset, void *ptr);
MODEX_IMPORT(get_global_bytes32) void modex_get_global_bytes32(int32_t index, void *ptr);
MODEX_IMPORT(set_global_bytes32) void modex_set_global_bytes32(int32_t index, const void *ptr);
MODEX_IMPORT(get_global_u64) uint64_t modex_get_global_u64(int32_t index);
MODEX_IMPORT(set_global_u64) void modex_set_global_u64(int32_t index, uint64_t value);
MODEX_IMPORT(halt) void modex_halt(void);
MODEX_IMPORT(keccak256_pair) void modex_keccak256_pair(const void *in, void *out);
MODEX_IMPORT(ecrecover) int32_t modex_ecrecover(const void *hash, const void *sig, int32_t v, void *out);
MODEX_IMPORT(hint_preimage) void modex_hint_preimage(const void *ptr, int32_t len);
MODEX_IMPORT(metered_call) int32_t modex_metered_call(int32_t table_index, int32_t arg, int64_t budget);

/* ---- memory ---- */
/* n bytes, 32-byte aligned (host pointers must be), released after the current transaction */
void *modex_alloc(int32_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* big-endian integers */
uint32_t modex_read_u32be(const uint8_t *p);
uint64_t modex_read_u64be(const uint8_t *p);
void modex_write_u32be(uint8_t *p, uint32_t v);
void modex_write_u64be(uint8_t *p, uint64_t v);

/* keccak256 of ptr..+len into out (32 bytes) */
void modex_keccak256(const void *ptr, int32_t len, uint8_t *out);

/* ---- state (docs/stf.md "State tree"): buffered writes, applied when the run commits ---- */
/* the value under key (a copy), or {0, -1} when absent (an empty value has len 0) */
modex_bytes modex_state_get(const void *key, int32_t key_len);
void modex_state_set(const void *key, int32_t key_len, const void *val, int32_t val_len);
void modex_state_delete(const void *key, int32_t key_len);
/* prefix ‖ addr (20) ‖ extra: a state key (apps use prefixes 0x10 and above) */
modex_bytes modex_make_key(uint8_t prefix, const uint8_t *addr, const void *extra, int32_t extra_len);

/* ---- queries: the answer of the current query (copied) ---- */
void modex_query_answer(const void *ptr, int32_t len);
void modex_query_answer_u64(uint64_t v);

/* ---- withdrawals (docs/app-abi.md §6): appends one, returns its index ---- */
uint64_t modex_outbox_append(const uint8_t *from, const uint8_t *to, const uint8_t *amount);

/* the chain id (state key 0x05) */
uint64_t modex_chain_id(void);

#endif
