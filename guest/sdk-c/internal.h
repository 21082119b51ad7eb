/* Internal functions shared by the C SDK's files (not for apps). */
#ifndef MODEX_INTERNAL_H
#define MODEX_INTERNAL_H
#include "modex.h"

void *modex_heap_alloc(int32_t n);
uintptr_t modex_arena_mark(void);
void modex_arena_release(uintptr_t mark);

/* state.c */
void modex_state_load(void);
void modex_state_commit(void);
uint8_t *modex_hash_pair(const uint8_t *a, const uint8_t *b);
modex_bytes modex_read_preimage(const uint8_t *hash, int32_t cap);
modex_bytes modex_state_get_at(const uint8_t *kh);
void modex_state_set_at(const uint8_t *kh, const void *val, int32_t val_len);
uint8_t *modex_hash_bytes(const void *ptr, int32_t len);
uint32_t modex_state_snapshot(void);
void modex_state_revert(uint32_t mark);

/* outbox.c */
void modex_outbox_commit(void);

/* stf.c */
modex_bytes modex_read_message(void);
void modex_reset_chain_id(void);
#endif
