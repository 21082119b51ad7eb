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
static uint64_t rotl(uint64_t x, unsigned n) { return (x << n) | (x >> (64 - n)); }

/* Keccak-f[1600] on the state st (25 lanes), unrolled with the lanes in locals (as guest/sdk/keccak.ts) */
static void keccak_f(uint64_t *st) {
  uint64_t a0 = st[0];
  uint64_t a1 = st[1];
  uint64_t a2 = st[2];
  uint64_t a3 = st[3];
  uint64_t a4 = st[4];
  uint64_t a5 = st[5];
  uint64_t a6 = st[6];
  uint64_t a7 = st[7];
  uint64_t a8 = st[8];
  uint64_t a9 = st[9];
  uint64_t a10 = st[10];
  uint64_t a11 = st[11];
  uint64_t a12 = st[12];
  uint64_t a13 = st[13];
  uint64_t a14 = st[14];
  uint64_t a15 = st[15];
  uint64_t a16 = st[16];
  uint64_t a17 = st[17];
  uint64_t a18 = st[18];
  uint64_t a19 = st[19];
  uint64_t a20 = st[20];
  uint64_t a21 = st[21];
  uint64_t a22 = st[22];
  uint64_t a23 = st[23];
  uint64_t a24 = st[24];
  for (int round = 0; round < 24; round++) {
    uint64_t c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
    uint64_t c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
    uint64_t c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
    uint64_t c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
    uint64_t c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
    uint64_t d0 = c4 ^ rotl(c1, 1);
    uint64_t d1 = c0 ^ rotl(c2, 1);
    uint64_t d2 = c1 ^ rotl(c3, 1);
    uint64_t d3 = c2 ^ rotl(c4, 1);
    uint64_t d4 = c3 ^ rotl(c0, 1);
    a0 ^= d0;
    a1 ^= d1;
    a2 ^= d2;
    a3 ^= d3;
    a4 ^= d4;
    a5 ^= d0;
    a6 ^= d1;
    a7 ^= d2;
    a8 ^= d3;
    a9 ^= d4;
    a10 ^= d0;
    a11 ^= d1;
    a12 ^= d2;
    a13 ^= d3;
    a14 ^= d4;
    a15 ^= d0;
    a16 ^= d1;
    a17 ^= d2;
    a18 ^= d3;
    a19 ^= d4;
    a20 ^= d0;
    a21 ^= d1;
    a22 ^= d2;
    a23 ^= d3;
    a24 ^= d4;
    uint64_t b0 = a0;
    uint64_t b10 = rotl(a1, 1);
    uint64_t b20 = rotl(a2, 62);
    uint64_t b5 = rotl(a3, 28);
    uint64_t b15 = rotl(a4, 27);
    uint64_t b16 = rotl(a5, 36);
    uint64_t b1 = rotl(a6, 44);
    uint64_t b11 = rotl(a7, 6);
    uint64_t b21 = rotl(a8, 55);
    uint64_t b6 = rotl(a9, 20);
    uint64_t b7 = rotl(a10, 3);
    uint64_t b17 = rotl(a11, 10);
    uint64_t b2 = rotl(a12, 43);
    uint64_t b12 = rotl(a13, 25);
    uint64_t b22 = rotl(a14, 39);
    uint64_t b23 = rotl(a15, 41);
    uint64_t b8 = rotl(a16, 45);
    uint64_t b18 = rotl(a17, 15);
    uint64_t b3 = rotl(a18, 21);
    uint64_t b13 = rotl(a19, 8);
    uint64_t b14 = rotl(a20, 18);
    uint64_t b24 = rotl(a21, 2);
    uint64_t b9 = rotl(a22, 61);
    uint64_t b19 = rotl(a23, 56);
    uint64_t b4 = rotl(a24, 14);
    a0 = b0 ^ (~b1 & b2);
    a1 = b1 ^ (~b2 & b3);
    a2 = b2 ^ (~b3 & b4);
    a3 = b3 ^ (~b4 & b0);
    a4 = b4 ^ (~b0 & b1);
    a5 = b5 ^ (~b6 & b7);
    a6 = b6 ^ (~b7 & b8);
    a7 = b7 ^ (~b8 & b9);
    a8 = b8 ^ (~b9 & b5);
    a9 = b9 ^ (~b5 & b6);
    a10 = b10 ^ (~b11 & b12);
    a11 = b11 ^ (~b12 & b13);
    a12 = b12 ^ (~b13 & b14);
    a13 = b13 ^ (~b14 & b10);
    a14 = b14 ^ (~b10 & b11);
    a15 = b15 ^ (~b16 & b17);
    a16 = b16 ^ (~b17 & b18);
    a17 = b17 ^ (~b18 & b19);
    a18 = b18 ^ (~b19 & b15);
    a19 = b19 ^ (~b15 & b16);
    a20 = b20 ^ (~b21 & b22);
    a21 = b21 ^ (~b22 & b23);
    a22 = b22 ^ (~b23 & b24);
    a23 = b23 ^ (~b24 & b20);
    a24 = b24 ^ (~b20 & b21);
    a0 ^= RC[round];
  }
  st[0] = a0;
  st[1] = a1;
  st[2] = a2;
  st[3] = a3;
  st[4] = a4;
  st[5] = a5;
  st[6] = a6;
  st[7] = a7;
  st[8] = a8;
  st[9] = a9;
  st[10] = a10;
  st[11] = a11;
  st[12] = a12;
  st[13] = a13;
  st[14] = a14;
  st[15] = a15;
  st[16] = a16;
  st[17] = a17;
  st[18] = a18;
  st[19] = a19;
  st[20] = a20;
  st[21] = a21;
  st[22] = a22;
  st[23] = a23;
  st[24] = a24;
}

static uint64_t load64le(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8); /* wasm is little-endian: one i64.load */
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
