//! keccak256 (Keccak-f[1600], rate 136, padding 0x01 … 0x80).
const RC: [u64; 24] = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
    0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
    0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
];
/// Keccak-f[1600] on the state (25 lanes), unrolled with the lanes in locals (as guest/sdk/keccak.ts)
fn keccak_f(st: &mut [u64; 25]) {
    let mut a0 = st[0];
    let mut a1 = st[1];
    let mut a2 = st[2];
    let mut a3 = st[3];
    let mut a4 = st[4];
    let mut a5 = st[5];
    let mut a6 = st[6];
    let mut a7 = st[7];
    let mut a8 = st[8];
    let mut a9 = st[9];
    let mut a10 = st[10];
    let mut a11 = st[11];
    let mut a12 = st[12];
    let mut a13 = st[13];
    let mut a14 = st[14];
    let mut a15 = st[15];
    let mut a16 = st[16];
    let mut a17 = st[17];
    let mut a18 = st[18];
    let mut a19 = st[19];
    let mut a20 = st[20];
    let mut a21 = st[21];
    let mut a22 = st[22];
    let mut a23 = st[23];
    let mut a24 = st[24];
    for rc in RC.iter() {
        let c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
        let c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
        let c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
        let c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
        let c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
        let d0 = c4 ^ c1.rotate_left(1);
        let d1 = c0 ^ c2.rotate_left(1);
        let d2 = c1 ^ c3.rotate_left(1);
        let d3 = c2 ^ c4.rotate_left(1);
        let d4 = c3 ^ c0.rotate_left(1);
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
        let b0 = a0;
        let b10 = a1.rotate_left(1);
        let b20 = a2.rotate_left(62);
        let b5 = a3.rotate_left(28);
        let b15 = a4.rotate_left(27);
        let b16 = a5.rotate_left(36);
        let b1 = a6.rotate_left(44);
        let b11 = a7.rotate_left(6);
        let b21 = a8.rotate_left(55);
        let b6 = a9.rotate_left(20);
        let b7 = a10.rotate_left(3);
        let b17 = a11.rotate_left(10);
        let b2 = a12.rotate_left(43);
        let b12 = a13.rotate_left(25);
        let b22 = a14.rotate_left(39);
        let b23 = a15.rotate_left(41);
        let b8 = a16.rotate_left(45);
        let b18 = a17.rotate_left(15);
        let b3 = a18.rotate_left(21);
        let b13 = a19.rotate_left(8);
        let b14 = a20.rotate_left(18);
        let b24 = a21.rotate_left(2);
        let b9 = a22.rotate_left(61);
        let b19 = a23.rotate_left(56);
        let b4 = a24.rotate_left(14);
        a0 = b0 ^ (!b1 & b2);
        a1 = b1 ^ (!b2 & b3);
        a2 = b2 ^ (!b3 & b4);
        a3 = b3 ^ (!b4 & b0);
        a4 = b4 ^ (!b0 & b1);
        a5 = b5 ^ (!b6 & b7);
        a6 = b6 ^ (!b7 & b8);
        a7 = b7 ^ (!b8 & b9);
        a8 = b8 ^ (!b9 & b5);
        a9 = b9 ^ (!b5 & b6);
        a10 = b10 ^ (!b11 & b12);
        a11 = b11 ^ (!b12 & b13);
        a12 = b12 ^ (!b13 & b14);
        a13 = b13 ^ (!b14 & b10);
        a14 = b14 ^ (!b10 & b11);
        a15 = b15 ^ (!b16 & b17);
        a16 = b16 ^ (!b17 & b18);
        a17 = b17 ^ (!b18 & b19);
        a18 = b18 ^ (!b19 & b15);
        a19 = b19 ^ (!b15 & b16);
        a20 = b20 ^ (!b21 & b22);
        a21 = b21 ^ (!b22 & b23);
        a22 = b22 ^ (!b23 & b24);
        a23 = b23 ^ (!b24 & b20);
        a24 = b24 ^ (!b20 & b21);
        a0 ^= rc;
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

fn absorb(a: &mut [u64; 25], block: &[u8]) {
    for i in 0..17 {
        let mut lane = [0u8; 8];
        lane.copy_from_slice(&block[8 * i..8 * i + 8]);
        a[i] ^= u64::from_le_bytes(lane);
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
