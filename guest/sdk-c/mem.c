/*
 * Memory, big-endian integers and keccak256 for the modex C SDK (modex.h). No libc: memcpy, memset
 * and memcmp are here (clang calls them for struct copies; with -mbulk-memory they compile to
 * memory.copy / memory.fill, which the machine accepts).
 */
#include "modex.h"

extern unsigned char __heap_base;

static uintptr_t heap_top = 0;

/* n bytes, 32-byte aligned, never freed (grows the memory as needed) */
void *modex_heap_alloc(int32_t n) {
  if (heap_top == 0) heap_top = (uintptr_t)&__heap_base;
  uintptr_t p = (heap_top + 31) & ~(uintptr_t)31;
  uintptr_t end = p + (((uintptr_t)(uint32_t)n + 31) & ~(uintptr_t)31);
  uintptr_t have = __builtin_wasm_memory_size(0) << 16;
  if (end > have) {
    if (__builtin_wasm_memory_grow(0, (end - have + 65535) >> 16) == (size_t)-1) __builtin_trap();
  }
  heap_top = end;
  return (void *)p;
}

/* Scratch memory: a 256 KiB arena that the run loop releases after each transaction (as the AS
 * SDK's guest/sdk/bytes.ts); when it is full, allocations fall back to the heap. */
#define ARENA_SIZE (1u << 18)
static uintptr_t arena_start = 0;
static uintptr_t arena_top = 0;

void *modex_alloc(int32_t n) {
  if (arena_start == 0) {
    arena_start = (uintptr_t)modex_heap_alloc(ARENA_SIZE);
    arena_top = arena_start;
  }
  uintptr_t size = ((uintptr_t)(uint32_t)n + 31) & ~(uintptr_t)31;
  if (arena_top + size <= arena_start + ARENA_SIZE) {
    uintptr_t p = arena_top;
    arena_top += size;
    return (void *)p;
  }
  return modex_heap_alloc(n);
}

uintptr_t modex_arena_mark(void) { return arena_top; }
void modex_arena_release(uintptr_t mark) {
  if (mark != 0) arena_top = mark;
}

void *memcpy(void *dst, const void *src, size_t n) {
  __builtin_memcpy(dst, src, n); /* memory.copy (-mbulk-memory) */
  return dst;
}
void *memmove(void *dst, const void *src, size_t n) {
  __builtin_memmove(dst, src, n);
  return dst;
}
void *memset(void *dst, int c, size_t n) {
  __builtin_memset(dst, c, n); /* memory.fill */
  return dst;
}
int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *x = a, *y = b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

uint32_t modex_read_u32be(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
uint64_t modex_read_u64be(const uint8_t *p) {
  return ((uint64_t)modex_read_u32be(p) << 32) | modex_read_u32be(p + 4);
}
void modex_write_u32be(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}
void modex_write_u64be(uint8_t *p, uint64_t v) {
  modex_write_u32be(p, (uint32_t)(v >> 32));
  modex_write_u32be(p + 4, (uint32_t)v);
}

/* ---- keccak256 (Keccak-f[1600], rate 136, padding 0x01 … 0x80) ---- */
static const uint64_t RC[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};
static const uint8_t ROT[25] = {0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43,
                                25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14};

static uint64_t rotl(uint64_t x, unsigned n) { return n == 0 ? x : (x << n) | (x >> (64 - n)); }

static void keccak_f(uint64_t *a) {
  uint64_t b[25], c[5], d[5];
  for (int round = 0; round < 24; round++) {
    for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; x++) d[x] = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
    for (int i = 0; i < 25; i++) a[i] ^= d[i % 5];
    /* rho and pi: b[y, 2x + 3y] = rot(a[x, y]) */
    for (int x = 0; x < 5; x++)
      for (int y = 0; y < 5; y++) b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], ROT[x + 5 * y]);
    for (int x = 0; x < 5; x++)
      for (int y = 0; y < 5; y++)
        a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
    a[0] ^= RC[round];
  }
}

static uint64_t load64le(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

void modex_keccak256(const void *ptr, int32_t len, uint8_t *out) {
  uint64_t a[25];
  uint8_t last[136];
  const uint8_t *p = ptr;
  memset(a, 0, sizeof a);
  while (len >= 136) {
    for (int i = 0; i < 17; i++) a[i] ^= load64le(p + 8 * i);
    keccak_f(a);
    p += 136;
    len -= 136;
  }
  memset(last, 0, sizeof last);
  memcpy(last, p, (size_t)len);
  last[len] ^= 0x01;
  last[135] ^= 0x80;
  for (int i = 0; i < 17; i++) a[i] ^= load64le(last + 8 * i);
  keccak_f(a);
  for (int i = 0; i < 32; i++) out[i] = (uint8_t)(a[i >> 3] >> (8 * (i & 7)));
}
