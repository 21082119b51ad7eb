// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// The keccak256 sponge on chain (docs/blob.md §4.1): keccak-f[1600] with the 25-lane state kept in
/// storage between calls, so a preimage too large for one transaction is hashed over several.
/// Rate 136 bytes (17 lanes), capacity 512 bits, multi-rate padding with domain byte 0x01 (keccak256,
/// not SHA3-256). Lanes are 64-bit little-endian words of the block (FIPS 202 §3.1.2); in storage,
/// lane i is bits [64·(i mod 4), 64·(i mod 4) + 64) of word ⌊i / 4⌋.
///
/// Memory: `absorb` claims [0x80, 0xa60) for the state (0x80: A, 0x3a0: B, the round's output), the
/// 24 round constants (0x6c0) and the padded last block (0x9c0); it must run before anything else in
/// the call allocates memory (it reverts otherwise). The rounds are unrolled in pairs (A → B → A) to
/// keep the lanes at fixed addresses: the theta sums and D stay on the stack, each output row of
/// rho ∘ pi ∘ chi is computed from five rotated lanes on the stack.
library PreimageOracleSponge {
    /// keccak256 rate in bytes
    uint256 internal constant RATE = 136;

    /// Absorbs `data` into the sponge `state`. When `last` is false, `data` is whole 136-byte
    /// blocks and the state is stored back. When `last` is true, `data` is the final < 136 bytes:
    /// they are padded and absorbed, and the keccak256 of everything absorbed is returned (the state
    /// is left as it was; the caller deletes it).
    function absorb(uint256[7] storage state, bytes calldata data, bool last) internal returns (bytes32 hash) {
        assembly {
            // the fixed memory region below is only safe while nothing else is allocated
            if iszero(eq(mload(0x40), 0x80)) { revert(0, 0) }
            mstore(0x40, 0xa60)

            function xorBlock(w0, w1, w2, w3, w4) {
                // lane 4w + j: the 8 bytes at 32w + 8j, little-endian
                xorLanes(0x80, w0)
                xorLanes(0x100, w1)
                xorLanes(0x180, w2)
                xorLanes(0x200, w3)
                let v := bswapLanes(w4)
                mstore(0x280, xor(mload(0x280), shr(192, v)))
            }

            function xorLanes(at, w) {
                let v := bswapLanes(w)
                let m := 0xffffffffffffffff
                mstore(at, xor(mload(at), shr(192, v)))
                mstore(add(at, 0x20), xor(mload(add(at, 0x20)), and(shr(128, v), m)))
                mstore(add(at, 0x40), xor(mload(add(at, 0x40)), and(shr(64, v), m)))
                mstore(add(at, 0x60), xor(mload(add(at, 0x60)), and(v, m)))
            }

            /// reverses the bytes of each 64-bit quarter of w
            function bswapLanes(w) -> v {
                let m8 := 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff
                let m16 := 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff
                let m32 := 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
                v := or(and(shr(8, w), m8), shl(8, and(w, m8)))
                v := or(and(shr(16, v), m16), shl(16, and(v, m16)))
                v := or(and(shr(32, v), m32), shl(32, and(v, m32)))
            }

            /// keccak-f[1600] on the lanes at 0x80 (24 rounds, two per iteration). A lane is its low 64
            /// bits; the bits above are garbage that every rotation masks off first. A left rotation
            /// by r is shr(64 − r, lane · (2^64 + 1)): the doubled lane shifted, garbage above.
            function permute() {
                let m := 0xffffffffffffffff
                let k := 0x10000000000000001
                for { let rcs := 0x6c0 } lt(rcs, 0x9c0) { rcs := add(rcs, 0x40) } {
                {
                    let d0, d1, d2, d3, d4
                    {
                        let c0 := xor(xor(xor(xor(mload(0x80), mload(0x120)), mload(0x1c0)), mload(0x260)), mload(0x300))
                        let c1 := xor(xor(xor(xor(mload(0xa0), mload(0x140)), mload(0x1e0)), mload(0x280)), mload(0x320))
                        let c2 := xor(xor(xor(xor(mload(0xc0), mload(0x160)), mload(0x200)), mload(0x2a0)), mload(0x340))
                        let c3 := xor(xor(xor(xor(mload(0xe0), mload(0x180)), mload(0x220)), mload(0x2c0)), mload(0x360))
                        let c4 := xor(xor(xor(xor(mload(0x100), mload(0x1a0)), mload(0x240)), mload(0x2e0)), mload(0x380))
                        d0 := xor(c4, shr(63, mul(and(c1, m), k)))
                        d1 := xor(c0, shr(63, mul(and(c2, m), k)))
                        d2 := xor(c1, shr(63, mul(and(c3, m), k)))
                        d3 := xor(c2, shr(63, mul(and(c4, m), k)))
                        d4 := xor(c3, shr(63, mul(and(c0, m), k)))
                    }
                    {
                        let b0 := xor(mload(0x80), d0)
                        let b1 := shr(20, mul(and(xor(mload(0x140), d1), m), k))
                        let b2 := shr(21, mul(and(xor(mload(0x200), d2), m), k))
                        let b3 := shr(43, mul(and(xor(mload(0x2c0), d3), m), k))
                        let b4 := shr(50, mul(and(xor(mload(0x380), d4), m), k))
                        mstore(0x3a0, xor(xor(b0, and(not(b1), b2)), mload(add(rcs, 0))))
                        mstore(0x3c0, xor(b1, and(not(b2), b3)))
                        mstore(0x3e0, xor(b2, and(not(b3), b4)))
                        mstore(0x400, xor(b3, and(not(b4), b0)))
                        mstore(0x420, xor(b4, and(not(b0), b1)))
                    }
                    {
                        let b0 := shr(36, mul(and(xor(mload(0xe0), d3), m), k))
                        let b1 := shr(44, mul(and(xor(mload(0x1a0), d4), m), k))
                        let b2 := shr(61, mul(and(xor(mload(0x1c0), d0), m), k))
                        let b3 := shr(19, mul(and(xor(mload(0x280), d1), m), k))
                        let b4 := shr(3, mul(and(xor(mload(0x340), d2), m), k))
                        mstore(0x440, xor(b0, and(not(b1), b2)))
                        mstore(0x460, xor(b1, and(not(b2), b3)))
                        mstore(0x480, xor(b2, and(not(b3), b4)))
                        mstore(0x4a0, xor(b3, and(not(b4), b0)))
                        mstore(0x4c0, xor(b4, and(not(b0), b1)))
                    }
                    {
                        let b0 := shr(63, mul(and(xor(mload(0xa0), d1), m), k))
                        let b1 := shr(58, mul(and(xor(mload(0x160), d2), m), k))
                        let b2 := shr(39, mul(and(xor(mload(0x220), d3), m), k))
                        let b3 := shr(56, mul(and(xor(mload(0x2e0), d4), m), k))
                        let b4 := shr(46, mul(and(xor(mload(0x300), d0), m), k))
                        mstore(0x4e0, xor(b0, and(not(b1), b2)))
                        mstore(0x500, xor(b1, and(not(b2), b3)))
                        mstore(0x520, xor(b2, and(not(b3), b4)))
                        mstore(0x540, xor(b3, and(not(b4), b0)))
                        mstore(0x560, xor(b4, and(not(b0), b1)))
                    }
                    {
                        let b0 := shr(37, mul(and(xor(mload(0x100), d4), m), k))
                        let b1 := shr(28, mul(and(xor(mload(0x120), d0), m), k))
                        let b2 := shr(54, mul(and(xor(mload(0x1e0), d1), m), k))
                        let b3 := shr(49, mul(and(xor(mload(0x2a0), d2), m), k))
                        let b4 := shr(8, mul(and(xor(mload(0x360), d3), m), k))
                        mstore(0x580, xor(b0, and(not(b1), b2)))
                        mstore(0x5a0, xor(b1, and(not(b2), b3)))
                        mstore(0x5c0, xor(b2, and(not(b3), b4)))
                        mstore(0x5e0, xor(b3, and(not(b4), b0)))
                        mstore(0x600, xor(b4, and(not(b0), b1)))
                    }
                    {
                        let b0 := shr(2, mul(and(xor(mload(0xc0), d2), m), k))
                        let b1 := shr(9, mul(and(xor(mload(0x180), d3), m), k))
                        let b2 := shr(25, mul(and(xor(mload(0x240), d4), m), k))
                        let b3 := shr(23, mul(and(xor(mload(0x260), d0), m), k))
                        let b4 := shr(62, mul(and(xor(mload(0x320), d1), m), k))
                        mstore(0x620, xor(b0, and(not(b1), b2)))
                        mstore(0x640, xor(b1, and(not(b2), b3)))
                        mstore(0x660, xor(b2, and(not(b3), b4)))
                        mstore(0x680, xor(b3, and(not(b4), b0)))
                        mstore(0x6a0, xor(b4, and(not(b0), b1)))
                    }
                }
                {
                    let d0, d1, d2, d3, d4
                    {
                        let c0 := xor(xor(xor(xor(mload(0x3a0), mload(0x440)), mload(0x4e0)), mload(0x580)), mload(0x620))
                        let c1 := xor(xor(xor(xor(mload(0x3c0), mload(0x460)), mload(0x500)), mload(0x5a0)), mload(0x640))
                        let c2 := xor(xor(xor(xor(mload(0x3e0), mload(0x480)), mload(0x520)), mload(0x5c0)), mload(0x660))
                        let c3 := xor(xor(xor(xor(mload(0x400), mload(0x4a0)), mload(0x540)), mload(0x5e0)), mload(0x680))
                        let c4 := xor(xor(xor(xor(mload(0x420), mload(0x4c0)), mload(0x560)), mload(0x600)), mload(0x6a0))
                        d0 := xor(c4, shr(63, mul(and(c1, m), k)))
                        d1 := xor(c0, shr(63, mul(and(c2, m), k)))
                        d2 := xor(c1, shr(63, mul(and(c3, m), k)))
                        d3 := xor(c2, shr(63, mul(and(c4, m), k)))
                        d4 := xor(c3, shr(63, mul(and(c0, m), k)))
                    }
                    {
                        let b0 := xor(mload(0x3a0), d0)
                        let b1 := shr(20, mul(and(xor(mload(0x460), d1), m), k))
                        let b2 := shr(21, mul(and(xor(mload(0x520), d2), m), k))
                        let b3 := shr(43, mul(and(xor(mload(0x5e0), d3), m), k))
                        let b4 := shr(50, mul(and(xor(mload(0x6a0), d4), m), k))
                        mstore(0x80, xor(xor(b0, and(not(b1), b2)), mload(add(rcs, 0x20))))
                        mstore(0xa0, xor(b1, and(not(b2), b3)))
                        mstore(0xc0, xor(b2, and(not(b3), b4)))
                        mstore(0xe0, xor(b3, and(not(b4), b0)))
                        mstore(0x100, xor(b4, and(not(b0), b1)))
                    }
                    {
                        let b0 := shr(36, mul(and(xor(mload(0x400), d3), m), k))
                        let b1 := shr(44, mul(and(xor(mload(0x4c0), d4), m), k))
                        let b2 := shr(61, mul(and(xor(mload(0x4e0), d0), m), k))
                        let b3 := shr(19, mul(and(xor(mload(0x5a0), d1), m), k))
                        let b4 := shr(3, mul(and(xor(mload(0x660), d2), m), k))
                        mstore(0x120, xor(b0, and(not(b1), b2)))
                        mstore(0x140, xor(b1, and(not(b2), b3)))
                        mstore(0x160, xor(b2, and(not(b3), b4)))
                        mstore(0x180, xor(b3, and(not(b4), b0)))
                        mstore(0x1a0, xor(b4, and(not(b0), b1)))
                    }
                    {
                        let b0 := shr(63, mul(and(xor(mload(0x3c0), d1), m), k))
                        let b1 := shr(58, mul(and(xor(mload(0x480), d2), m), k))
                        let b2 := shr(39, mul(and(xor(mload(0x540), d3), m), k))
                        let b3 := shr(56, mul(and(xor(mload(0x600), d4), m), k))
                        let b4 := shr(46, mul(and(xor(mload(0x620), d0), m), k))
                        mstore(0x1c0, xor(b0, and(not(b1), b2)))
                        mstore(0x1e0, xor(b1, and(not(b2), b3)))
                        mstore(0x200, xor(b2, and(not(b3), b4)))
                        mstore(0x220, xor(b3, and(not(b4), b0)))
                        mstore(0x240, xor(b4, and(not(b0), b1)))
                    }
                    {
                        let b0 := shr(37, mul(and(xor(mload(0x420), d4), m), k))
                        let b1 := shr(28, mul(and(xor(mload(0x440), d0), m), k))
                        let b2 := shr(54, mul(and(xor(mload(0x500), d1), m), k))
                        let b3 := shr(49, mul(and(xor(mload(0x5c0), d2), m), k))
                        let b4 := shr(8, mul(and(xor(mload(0x680), d3), m), k))
                        mstore(0x260, xor(b0, and(not(b1), b2)))
                        mstore(0x280, xor(b1, and(not(b2), b3)))
                        mstore(0x2a0, xor(b2, and(not(b3), b4)))
                        mstore(0x2c0, xor(b3, and(not(b4), b0)))
                        mstore(0x2e0, xor(b4, and(not(b0), b1)))
                    }
                    {
                        let b0 := shr(2, mul(and(xor(mload(0x3e0), d2), m), k))
                        let b1 := shr(9, mul(and(xor(mload(0x4a0), d3), m), k))
                        let b2 := shr(25, mul(and(xor(mload(0x560), d4), m), k))
                        let b3 := shr(23, mul(and(xor(mload(0x580), d0), m), k))
                        let b4 := shr(62, mul(and(xor(mload(0x640), d1), m), k))
                        mstore(0x300, xor(b0, and(not(b1), b2)))
                        mstore(0x320, xor(b1, and(not(b2), b3)))
                        mstore(0x340, xor(b2, and(not(b3), b4)))
                        mstore(0x360, xor(b3, and(not(b4), b0)))
                        mstore(0x380, xor(b4, and(not(b0), b1)))
                    }
                }
                }
            }

            mstore(0x6c0, 0x0000000000000001)
            mstore(0x6e0, 0x0000000000008082)
            mstore(0x700, 0x800000000000808a)
            mstore(0x720, 0x8000000080008000)
            mstore(0x740, 0x000000000000808b)
            mstore(0x760, 0x0000000080000001)
            mstore(0x780, 0x8000000080008081)
            mstore(0x7a0, 0x8000000000008009)
            mstore(0x7c0, 0x000000000000008a)
            mstore(0x7e0, 0x0000000000000088)
            mstore(0x800, 0x0000000080008009)
            mstore(0x820, 0x000000008000000a)
            mstore(0x840, 0x000000008000808b)
            mstore(0x860, 0x800000000000008b)
            mstore(0x880, 0x8000000000008089)
            mstore(0x8a0, 0x8000000000008003)
            mstore(0x8c0, 0x8000000000008002)
            mstore(0x8e0, 0x8000000000000080)
            mstore(0x900, 0x000000000000800a)
            mstore(0x920, 0x800000008000000a)
            mstore(0x940, 0x8000000080008081)
            mstore(0x960, 0x8000000000008080)
            mstore(0x980, 0x0000000080000001)
            mstore(0x9a0, 0x8000000080008008)
            for { let i := 0 } lt(i, 6) { i := add(i, 1) } {
                let w := sload(add(state.slot, i))
                let at := add(0x80, shl(7, i))
                mstore(at, and(w, 0xffffffffffffffff))
                mstore(add(at, 0x20), and(shr(64, w), 0xffffffffffffffff))
                mstore(add(at, 0x40), and(shr(128, w), 0xffffffffffffffff))
                mstore(add(at, 0x60), shr(192, w))
            }
            mstore(0x380, and(sload(add(state.slot, 6)), 0xffffffffffffffff))

            switch last
            case 0 {
                let end := add(data.offset, data.length)
                for { let q := data.offset } lt(q, end) { q := add(q, 136) } {
                    xorBlock(
                        calldataload(q),
                        calldataload(add(q, 0x20)),
                        calldataload(add(q, 0x40)),
                        calldataload(add(q, 0x60)),
                        calldataload(add(q, 0x80))
                    )
                    permute()
                }
                let m := 0xffffffffffffffff
                for { let i := 0 } lt(i, 6) { i := add(i, 1) } {
                    let at := add(0x80, shl(7, i))
                    sstore(
                        add(state.slot, i),
                        or(
                            or(and(mload(at), m), shl(64, and(mload(add(at, 0x20)), m))),
                            or(shl(128, and(mload(add(at, 0x40)), m)), shl(192, mload(add(at, 0x60))))
                        )
                    )
                }
                sstore(add(state.slot, 6), and(mload(0x380), m))
            }
            default {
                // pad10*1 with keccak's domain byte 0x01; the last byte of the block gets 0x80
                mstore(0x9c0, 0)
                mstore(0x9e0, 0)
                mstore(0xa00, 0)
                mstore(0xa20, 0)
                mstore(0xa40, 0)
                calldatacopy(0x9c0, data.offset, data.length)
                mstore8(add(0x9c0, data.length), 0x01)
                mstore8(0xa47, or(byte(0, mload(0xa47)), 0x80))
                xorBlock(mload(0x9c0), mload(0x9e0), mload(0xa00), mload(0xa20), mload(0xa40))
                permute()
                let m := 0xffffffffffffffff
                hash := bswapLanes(
                    or(
                        or(shl(192, mload(0x80)), shl(128, and(mload(0xa0), m))),
                        or(shl(64, and(mload(0xc0), m)), and(mload(0xe0), m))
                    )
                )
            }
        }
    }
}
