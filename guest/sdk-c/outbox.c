/*
 * The outbox (docs/stf.md "Outbox", docs/app-abi.md §6), as guest/sdk/outbox.ts: withdrawal leaves
 * in an append-only Merkle tree of depth 32; its frontier at state key 0x04 (count u64 ‖ 32 × 32),
 * each withdrawal at key 0x06 ‖ index u64 (from ‖ to ‖ amount); the send root bytes32[1] is set
 * when the run commits.
 */
#include "internal.h"

#define DEPTH 32
#define FRONTIER_LEN (8 + 32 * DEPTH)
static const uint8_t OUTBOX_KEY[1] = {0x04};
static int appended = 0;

uint64_t modex_outbox_append(const uint8_t *from, const uint8_t *to, const uint8_t *amount) {
  uint8_t *f = modex_alloc(FRONTIER_LEN);
  memset(f, 0, FRONTIER_LEN);
  modex_bytes stored = modex_state_get(OUTBOX_KEY, 1);
  if (stored.len == FRONTIER_LEN) memcpy(f, stored.ptr, FRONTIER_LEN);
  uint64_t index = modex_read_u64be(f);
  uint8_t *branch = f + 8;
  /* the leaf: keccak256(index u64 ‖ from ‖ to ‖ amount) */
  uint8_t *leaf = modex_alloc(80);
  modex_write_u64be(leaf, index);
  memcpy(leaf + 8, from, 20);
  memcpy(leaf + 28, to, 20);
  memcpy(leaf + 48, amount, 32);
  uint8_t *node = modex_hash_bytes(leaf, 80);
  uint64_t size = index + 1;
  modex_write_u64be(f, size);
  for (int h = 0; h < DEPTH; h++) {
    if (size & 1) {
      memcpy(branch + 32 * h, node, 32);
      break;
    }
    uint8_t *b = modex_alloc(32);
    memcpy(b, branch + 32 * h, 32);
    node = modex_hash_pair(b, node);
    size >>= 1;
  }
  modex_state_set(OUTBOX_KEY, 1, f, FRONTIER_LEN);
  uint8_t k[9];
  k[0] = 0x06;
  modex_write_u64be(k + 1, index);
  uint8_t v[72];
  memcpy(v, from, 20);
  memcpy(v + 20, to, 20);
  memcpy(v + 40, amount, 32);
  modex_state_set(k, 9, v, 72);
  appended = 1;
  return index;
}

void modex_outbox_commit(void) {
  if (!appended) return;
  appended = 0;
  modex_bytes stored = modex_state_get(OUTBOX_KEY, 1);
  if (stored.len != FRONTIER_LEN) return;
  uint64_t count = modex_read_u64be(stored.ptr);
  if (count == 0) return;
  const uint8_t *branch = stored.ptr + 8;
  uint8_t *z = modex_alloc(32 * (DEPTH + 1)); /* zero hashes */
  memset(z, 0, 32);
  for (int i = 0; i < DEPTH; i++) memcpy(z + 32 * (i + 1), modex_hash_pair(z + 32 * i, z + 32 * i), 32);
  uint8_t *r = modex_alloc(32);
  memset(r, 0, 32);
  uint64_t size = count;
  for (int h = 0; h < DEPTH; h++) {
    if (size & 1) {
      uint8_t *b = modex_alloc(32);
      memcpy(b, branch + 32 * h, 32);
      r = modex_hash_pair(b, r);
    } else {
      r = modex_hash_pair(r, z + 32 * h);
    }
    size >>= 1;
  }
  modex_set_global_bytes32(1, r);
}
