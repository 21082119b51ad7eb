/*
 * The state tree (docs/stf.md "State tree"), as the AS SDK's guest/sdk/state.ts: a compact binary
 * trie over keccak256(key); leaf = keccak256(MARKER ‖ keccak256(keyHash ‖ keccak256(value))),
 * MARKER = 32 × 0xff; branch = keccak256(left ‖ right), path bits of keyHash from the most
 * significant bit of byte 0, 0 = left; empty = 32 zero bytes. Every node is a 64-byte preimage,
 * hashed with keccak256_pair and hinted.
 *
 * Writes are buffered in a log (key hash, value copy or deleted), read back newest first, and applied
 * to the tree at the commit, the last write of each key only. A snapshot is the log length; a revert
 * truncates the log (the count grows only after an entry is complete, so a unit stopped anywhere by
 * a trap or its step budget leaves a log that a revert restores). Simpler than state.ts's hash
 * index and journal, and linear in the writes per lookup: fine for small batches.
 */
#include "internal.h"

static const uint8_t ZERO[32] __attribute__((aligned(32))) = {0};
static const uint8_t MARKER[32] __attribute__((aligned(32))) = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint8_t *root = 0; /* 32 bytes, aligned, outside the arena */

static int eq32(const uint8_t *a, const uint8_t *b) {
  uint64_t x[4], y[4];
  memcpy(x, a, 32); /* four i64 loads each */
  memcpy(y, b, 32);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
}
static int is_zero32(const uint8_t *a) { return eq32(a, ZERO); }

/* one log entry: key hash, value (copy on the heap), value length (-1: deleted) */
typedef struct {
  uint8_t kh[32];
  const uint8_t *val;
  int32_t len;
} entry;

static entry *log_entries = 0;
static uint32_t log_count = 0;
static uint32_t log_cap = 0;

void modex_state_load(void) {
  root = modex_heap_alloc(32);
  modex_get_global_bytes32(0, root);
  log_count = 0;
}

uint8_t *modex_hash_pair(const uint8_t *a, const uint8_t *b) {
  uint8_t *buf = modex_alloc(64);
  memcpy(buf, a, 32);
  memcpy(buf + 32, b, 32);
  uint8_t *out = modex_alloc(32);
  modex_keccak256_pair(buf, out);
  modex_hint_preimage(buf, 64);
  return out;
}

uint8_t *modex_hash_bytes(const void *ptr, int32_t len) {
  uint8_t *out = modex_alloc(32);
  modex_keccak256(ptr, len, out);
  return out;
}

/* the 64-byte node behind hash h */
static uint8_t *read_node(const uint8_t *h) {
  uint8_t *buf = modex_alloc(64);
  modex_preimage_read(0, h, 0, buf);
  modex_preimage_read(0, h, 32, buf + 32);
  return buf;
}

static int is_leaf(const uint8_t *h) {
  uint8_t *buf = modex_alloc(32);
  modex_preimage_read(0, h, 0, buf);
  return eq32(buf, MARKER);
}

static uint8_t *make_leaf(const uint8_t *kh, const uint8_t *vh) {
  return modex_hash_pair(MARKER, modex_hash_pair(kh, vh));
}

static unsigned bit_at(const uint8_t *kh, int depth) { return (kh[depth >> 3] >> (7 - (depth & 7))) & 1; }

modex_bytes modex_read_preimage(const uint8_t *hash, int32_t cap) {
  uint8_t *buf = modex_alloc(cap);
  int32_t len = 0;
  for (;;) {
    if (len + 32 > cap) {
      uint8_t *bigger = modex_alloc(cap * 2);
      memcpy(bigger, buf, (size_t)len);
      buf = bigger;
      cap *= 2;
    }
    int32_t n = modex_preimage_read(0, hash, len, buf + len);
    len += n;
    if (n < 32) break;
  }
  return (modex_bytes){buf, len};
}

/* the value hash of key hash kh in the tree, or 0 */
static const uint8_t *lookup(const uint8_t *kh) {
  const uint8_t *h = root;
  for (int depth = 0; depth <= 256; depth++) {
    if (is_zero32(h)) return 0;
    uint8_t *n = read_node(h);
    if (eq32(n, MARKER)) {
      uint8_t *inner = read_node(n + 32);
      return eq32(inner, kh) ? inner + 32 : 0;
    }
    h = bit_at(kh, depth) ? n + 32 : n;
  }
  return 0;
}

static uint8_t *split(const uint8_t *leaf_a, const uint8_t *kh_a, const uint8_t *leaf_b, const uint8_t *kh_b,
                      int depth) {
  unsigned ba = bit_at(kh_a, depth), bb = bit_at(kh_b, depth);
  if (ba != bb) return ba == 0 ? modex_hash_pair(leaf_a, leaf_b) : modex_hash_pair(leaf_b, leaf_a);
  uint8_t *c = split(leaf_a, kh_a, leaf_b, kh_b, depth + 1);
  return ba == 0 ? modex_hash_pair(c, ZERO) : modex_hash_pair(ZERO, c);
}

static const uint8_t *insert(const uint8_t *h, const uint8_t *kh, const uint8_t *vh, int depth) {
  if (is_zero32(h)) return make_leaf(kh, vh);
  uint8_t *n = read_node(h);
  if (eq32(n, MARKER)) {
    uint8_t *inner = read_node(n + 32);
    if (eq32(inner, kh)) return eq32(inner + 32, vh) ? h : make_leaf(kh, vh);
    return split(h, inner, make_leaf(kh, vh), kh, depth);
  }
  if (bit_at(kh, depth) == 0) {
    const uint8_t *c = insert(n, kh, vh, depth + 1);
    return eq32(c, n) ? h : modex_hash_pair(c, n + 32);
  }
  const uint8_t *c = insert(n + 32, kh, vh, depth + 1);
  return eq32(c, n + 32) ? h : modex_hash_pair(n, c);
}

static int removed_to_leaf = 0; /* remove's result is a leaf (or empty) that may move up */

static const uint8_t *remove_key(const uint8_t *h, const uint8_t *kh, int depth) {
  removed_to_leaf = 0;
  if (is_zero32(h)) return h;
  uint8_t *n = read_node(h);
  if (eq32(n, MARKER)) {
    uint8_t *inner = read_node(n + 32);
    if (!eq32(inner, kh)) return h;
    removed_to_leaf = 1;
    return ZERO;
  }
  unsigned bit = bit_at(kh, depth);
  const uint8_t *child = bit ? n + 32 : n;
  const uint8_t *sib = bit ? n : n + 32;
  const uint8_t *c = remove_key(child, kh, depth + 1);
  if (eq32(c, child)) {
    removed_to_leaf = 0;
    return h;
  }
  if (is_zero32(c)) {
    if (is_zero32(sib)) {
      removed_to_leaf = 1;
      return ZERO;
    }
    if (is_leaf(sib)) {
      removed_to_leaf = 1;
      return sib;
    }
  } else if (removed_to_leaf && is_zero32(sib)) {
    return c; /* a leaf moves up */
  }
  removed_to_leaf = 0;
  return bit ? modex_hash_pair(sib, c) : modex_hash_pair(c, sib);
}

/* the newest log entry of kh, or 0 */
static const entry *log_find(const uint8_t *kh) {
  for (uint32_t i = log_count; i > 0; i--)
    if (eq32(log_entries[i - 1].kh, kh)) return &log_entries[i - 1];
  return 0;
}

static void log_put(const uint8_t *kh, const void *val, int32_t len) {
  const uint8_t *copy = 0;
  if (len > 0) {
    uint8_t *c = modex_heap_alloc(len);
    memcpy(c, val, (size_t)len);
    copy = c;
  }
  if (log_count == log_cap) {
    uint32_t cap = log_cap == 0 ? 64 : log_cap * 2;
    entry *bigger = modex_heap_alloc((int32_t)(cap * sizeof(entry)));
    if (log_count > 0) memcpy(bigger, log_entries, log_count * sizeof(entry));
    log_entries = bigger; /* then the capacity: a stop in between leaves a valid log */
    log_cap = cap;
  }
  entry *e = &log_entries[log_count];
  memcpy(e->kh, kh, 32);
  e->val = copy;
  e->len = len;
  log_count++; /* last: the entry is complete */
}

modex_bytes modex_state_get_at(const uint8_t *kh) {
  const entry *e = log_find(kh);
  if (e) {
    if (e->len < 0) return (modex_bytes){0, -1};
    uint8_t *copy = modex_alloc(e->len);
    memcpy(copy, e->val, (size_t)e->len);
    return (modex_bytes){copy, e->len};
  }
  const uint8_t *vh = lookup(kh);
  if (!vh) return (modex_bytes){0, -1};
  uint8_t *aligned = modex_alloc(32);
  memcpy(aligned, vh, 32);
  return modex_read_preimage(aligned, 64);
}

modex_bytes modex_state_get(const void *key, int32_t key_len) {
  return modex_state_get_at(modex_hash_bytes(key, key_len));
}

void modex_state_set_at(const uint8_t *kh, const void *val, int32_t val_len) { log_put(kh, val, val_len); }

void modex_state_set(const void *key, int32_t key_len, const void *val, int32_t val_len) {
  log_put(modex_hash_bytes(key, key_len), val, val_len);
}

void modex_state_delete(const void *key, int32_t key_len) { log_put(modex_hash_bytes(key, key_len), 0, -1); }

uint32_t modex_state_snapshot(void) { return log_count; }

void modex_state_revert(uint32_t mark) {
  if (mark < log_count) log_count = mark;
}

/* applies the log (the newest write of each key) to the tree and sets bytes32[0] */
void modex_state_commit(void) {
  const uint8_t *r = root;
  for (uint32_t i = 0; i < log_count; i++) {
    entry *e = &log_entries[i];
    int newer = 0;
    for (uint32_t j = i + 1; j < log_count && !newer; j++) newer = eq32(log_entries[j].kh, e->kh);
    if (newer) continue;
    uintptr_t mark = modex_arena_mark();
    if (e->len < 0) {
      r = remove_key(r, e->kh, 0);
    } else {
      uint8_t *vh = modex_alloc(32);
      modex_keccak256(e->val, e->len, vh);
      modex_hint_preimage(e->val, e->len);
      r = insert(r, e->kh, vh, 0);
    }
    memcpy(root, r, 32);
    r = root;
    modex_arena_release(mark);
  }
  log_count = 0;
  modex_set_global_bytes32(0, root);
}
