//! keccak256 (Keccak-f[1600], rate 136, padding 0x01 … 0x80).
const RC: [u64; 24] = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
    0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
    0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
];
const ROT: [u32; 25] = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];

fn keccak_f(a: &mut [u64; 25]) {
    let mut b = [0u64; 25];
    let mut c = [0u64; 5];
    for rc in RC.iter() {
        for x in 0..5 {
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        }
        for x in 0..5 {
            let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
            for y in 0..5 {
                a[x + 5 * y] ^= d;
            }
        }
        // rho and pi: b[y, 2x + 3y] = rot(a[x, y])
        for x in 0..5 {
            for y in 0..5 {
                b[y + 5 * ((2 * x + 3 * y) % 5)] = a[x + 5 * y].rotate_left(ROT[x + 5 * y]);
            }
        }
        for x in 0..5 {
            for y in 0..5 {
                a[x + 5 * y] = b[x + 5 * y] ^ (!b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
            }
        }
        a[0] ^= rc;
    }
}

fn absorb(a: &mut [u64; 25], block: &[u8]) {
    for i in 0..17 {
        let mut v = 0u64;
        for j in (0..8).rev() {
            v = (v << 8) | block[8 * i + j] as u64;
        }
        a[i] ^= v;
    }
    keccak_f(a);
}

/// keccak256 of `data` into `out`.
pub fn keccak256(data: &[u8], out: &mut [u8]) {
    let mut a = [0u64; 25];
    let mut chunks = data.chunks_exact(136);
    for block in &mut chunks {
        absorb(&mut a, block);
    }
    let rest = chunks.remainder();
    let mut last = [0u8; 136];
    last[..rest.len()].copy_from_slice(rest);
    last[rest.len()] ^= 0x01;
    last[135] ^= 0x80;
    absorb(&mut a, &last);
    for i in 0..32 {
        out[i] = (a[i >> 3] >> (8 * (i & 7))) as u8;
    }
}
