// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// A precompile rejected its input (EIP-2537: a coordinate ≥ p, non-zero padding, a point off the
/// curve or, for the pairing, outside the prime-order subgroup), ran out of the gas it was given, or
/// answered with the wrong number of bytes (no precompile at that address: a call to an empty
/// account succeeds with no output, so every call checks the output's size too).
error PrecompileFailed(address precompile);

/// The chain lacks the EIP-2537 BLS12-381 precompiles (before Prague): the committee's keys and
/// certificates cannot be checked here, so the registry refuses to be deployed.
error BlsPrecompilesMissing();

/// BLS12-381 over the EIP-2537 precompiles (docs/committee.md §1, §4), for min-sig BLS: signatures
/// and hashed messages in G1 (128 bytes: x ‖ y), public keys in G2 (256 bytes: x.c0 ‖ x.c1 ‖ y.c0 ‖
/// y.c1); every field element is 64 bytes, 16 zero bytes then 48 bytes big-endian.
///
/// The `...At` / `...InPlace` functions work on memory pointers and use the memory above the free
/// memory pointer as scratch (callers keep their inputs and outputs in allocated memory); the
/// `bytes` functions are conveniences over them.
///
/// The BLS precompiles burn all the gas they are given when they fail, so each call gets a bounded
/// budget (twice its EIP-2537 price, to tolerate a repricing) instead of all remaining gas. Each
/// call's output size is checked in a statement after the call (Yul evaluates a call's arguments
/// right to left, so `and(staticcall(…), eq(returndatasize(), n))` would read the size first).
library Bls12381 {
    /// Precompile addresses (plain numbers: inline assembly reads only number constants).
    uint256 internal constant SHA256 = 0x02;
    uint256 internal constant MODEXP = 0x05;
    uint256 internal constant G1_ADD = 0x0b;
    uint256 internal constant G2_ADD = 0x0d;
    uint256 internal constant PAIRING_CHECK = 0x0f;
    uint256 internal constant MAP_FP_TO_G1 = 0x10;

    /// EIP-2537 prices × 2 (see above): G1ADD 375, G2ADD 600, MAP_FP_TO_G1 5,500, a two-pair
    /// PAIRING_CHECK 37,700 + 2 × 32,600.
    uint256 internal constant G1_ADD_GAS = 750;
    uint256 internal constant G2_ADD_GAS = 1_200;
    uint256 internal constant MAP_FP_TO_G1_GAS = 11_000;
    uint256 internal constant PAIRING_2_GAS = 205_800;

    /// p, the base field modulus: the top 16 bytes and the low 32 bytes.
    uint256 internal constant P_HI = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 internal constant P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;

    uint256 internal constant G1_BYTES = 128;
    uint256 internal constant G2_BYTES = 256;
    /// a two-pair pairing input: (G1, G2), (G1, G2)
    uint256 internal constant PAIRING_2_BYTES = 768;

    // ------------------------------------------------------------------ RFC 9380 hash_to_curve

    /// RFC 9380 hash_to_curve for BLS12381G1_XMD:SHA-256_SSWU_RO_ of the `msgLen` bytes at `msgPtr`
    /// under `dst` (≤ 255 bytes), written as a 128-byte G1 point at `out`:
    /// 1. expand_message_xmd (§5.3.1, SHA-256, len_in_bytes = 128): b_0 = H(Z_pad ‖ msg ‖ I2OSP(128, 2)
    ///    ‖ 0x00 ‖ DST_prime), b_1 = H(b_0 ‖ 0x01 ‖ DST_prime), b_i = H(b_0 ⊕ b_{i−1} ‖ i ‖ DST_prime);
    /// 2. hash_to_field: u_0 = (b_1 ‖ b_2) mod p, u_1 = (b_3 ‖ b_4) mod p (MODEXP, exponent 1);
    /// 3. map_to_curve(u_0) + map_to_curve(u_1): MAP_FP_TO_G1 (SSWU, isogeny, cofactor clearing) and
    ///    G1ADD; clearing is linear, so this is clear_cofactor(Q_0 + Q_1).
    function hashToG1At(uint256 msgPtr, uint256 msgLen, bytes memory dst, uint256 out) internal view {
        uint256 dstLen = dst.length;
        require(dstLen <= 255, "DST too long");
        bool ok;
        assembly ("memory-safe") {
            let s := mload(0x40) // scratch: [s, s + 0x140) sha256 inputs, then the MODEXP inputs
            let dstPtr := add(dst, 0x20)
            // msg_prime = Z_pad (64 zero bytes) ‖ msg ‖ 0x00 0x80 ‖ 0x00 ‖ DST ‖ len(DST)
            mstore(s, 0)
            mstore(add(s, 0x20), 0)
            mcopy(add(s, 0x40), msgPtr, msgLen)
            let p := add(add(s, 0x40), msgLen)
            mstore(p, shl(232, 0x008000))
            mcopy(add(p, 3), dstPtr, dstLen)
            mstore8(add(add(p, 3), dstLen), dstLen)
            ok := staticcall(gas(), SHA256, s, add(add(msgLen, dstLen), 0x44), 0x00, 0x20)
            ok := and(ok, eq(returndatasize(), 0x20))
            let b0 := mload(0x00)
            // b_i input at s: 32-byte chunk ‖ i ‖ DST ‖ len(DST)
            mcopy(add(s, 0x21), dstPtr, dstLen)
            mstore8(add(add(s, 0x21), dstLen), dstLen)
            let blen := add(dstLen, 0x22)
            // MODEXP inputs at m0 (u_0) and m1 (u_1): 64 ‖ 1 ‖ 48 ‖ base (64) ‖ 0x01 ‖ p (48)
            let m0 := add(s, 0x140)
            let m1 := add(m0, 0x100)
            let prev := 0
            for { let i := 1 } lt(i, 5) { i := add(i, 1) } {
                mstore(s, xor(b0, prev))
                mstore8(add(s, 0x20), i)
                ok := and(ok, staticcall(gas(), SHA256, s, blen, 0x00, 0x20))
                ok := and(ok, eq(returndatasize(), 0x20))
                prev := mload(0x00)
                // b_1, b_2 → m0's base; b_3, b_4 → m1's base
                mstore(add(add(m0, mul(gt(i, 2), 0x100)), add(0x60, mul(0x20, iszero(and(i, 1))))), prev)
            }
            for { let m := m0 } lt(m, add(m1, 1)) { m := add(m, 0x100) } {
                mstore(m, 0x40)
                mstore(add(m, 0x20), 1)
                mstore(add(m, 0x40), 0x30)
                mstore8(add(m, 0xa0), 1)
                mstore(add(m, 0xa1), shl(128, P_HI))
                mstore(add(m, 0xb1), P_LO)
            }
            // u_0, u_1 as 64-byte field elements (16 zero bytes ‖ 48-byte residue) at f, f + 64
            let f := add(m1, 0x100)
            mstore(f, 0)
            mstore(add(f, 0x40), 0)
            ok := and(ok, staticcall(gas(), MODEXP, m0, 0xd1, add(f, 0x10), 0x30))
            ok := and(ok, eq(returndatasize(), 0x30))
            ok := and(ok, staticcall(gas(), MODEXP, m1, 0xd1, add(f, 0x50), 0x30))
            ok := and(ok, eq(returndatasize(), 0x30))
            // Q_0 ‖ Q_1 at q, then G1ADD into out
            let q := add(f, 0x80)
            ok := and(ok, staticcall(MAP_FP_TO_G1_GAS, MAP_FP_TO_G1, f, 0x40, q, 0x80))
            ok := and(ok, eq(returndatasize(), 0x80))
            ok := and(ok, staticcall(MAP_FP_TO_G1_GAS, MAP_FP_TO_G1, add(f, 0x40), 0x40, add(q, 0x80), 0x80))
            ok := and(ok, eq(returndatasize(), 0x80))
            ok := and(ok, staticcall(G1_ADD_GAS, G1_ADD, q, 0x100, out, 0x80))
            ok := and(ok, eq(returndatasize(), 0x80))
        }
        if (!ok) revert PrecompileFailed(address(uint160(MAP_FP_TO_G1)));
    }

    /// `hashToG1At` of `message`, as a new 128-byte array.
    function hashToG1(bytes memory message, bytes memory dst) internal view returns (bytes memory point) {
        point = new bytes(G1_BYTES);
        uint256 msgPtr;
        uint256 out;
        assembly ("memory-safe") {
            msgPtr := add(message, 0x20)
            out := add(point, 0x20)
        }
        hashToG1At(msgPtr, message.length, dst, out);
    }

    /// Reverts `BlsPrecompilesMissing` unless G1ADD, G2ADD, MAP_FP_TO_G1 and PAIRING_CHECK answer
    /// known inputs (the identities, field element 0, one pair of identities) with outputs of their
    /// sizes and, for the pairing, 1. About 80k gas: run once, by the registry's constructor.
    function requirePrecompiles() internal view {
        bool ok;
        assembly ("memory-safe") {
            let s := mload(0x40)
            // 0x300 zero bytes of input at s; outputs above it
            for { let i := 0 } lt(i, 0x300) { i := add(i, 0x20) } { mstore(add(s, i), 0) }
            let o := add(s, 0x300)
            ok := staticcall(G1_ADD_GAS, G1_ADD, s, 0x100, o, 0x80)
            ok := and(ok, eq(returndatasize(), 0x80))
            ok := and(ok, staticcall(G2_ADD_GAS, G2_ADD, s, 0x200, o, 0x100))
            ok := and(ok, eq(returndatasize(), 0x100))
            ok := and(ok, staticcall(MAP_FP_TO_G1_GAS, MAP_FP_TO_G1, s, 0x40, o, 0x80))
            ok := and(ok, eq(returndatasize(), 0x80))
            mstore(o, 0)
            ok := and(ok, staticcall(PAIRING_2_GAS, PAIRING_CHECK, s, 0x180, o, 0x20))
            ok := and(ok, eq(returndatasize(), 0x20))
            ok := and(ok, eq(mload(o), 1))
        }
        if (!ok) revert BlsPrecompilesMissing();
    }

    // ------------------------------------------------------------------ group operations

    /// [ptr, ptr + 256) := a + b, where a = [ptr, ptr + 256) and b = [ptr + 256, ptr + 512)
    /// (BLS12_G2ADD: checks the curve equation, not the subgroup).
    function g2AddInPlace(uint256 ptr) internal view {
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(G2_ADD_GAS, G2_ADD, ptr, 0x200, ptr, 0x100)
            ok := and(ok, eq(returndatasize(), 0x100))
        }
        if (!ok) revert PrecompileFailed(address(uint160(G2_ADD)));
    }

    /// [ptr, ptr + 256) := −[ptr, ptr + 256) in G2: y = (y.c0, y.c1) ↦ (p − y.c0, p − y.c1) for each
    /// non-zero component, so the identity (all zeros) stays the identity. Coordinates must be < p.
    function g2NegInPlace(uint256 ptr) internal pure {
        assembly ("memory-safe") {
            for { let c := add(ptr, 0x80) } lt(c, add(ptr, 0x100)) { c := add(c, 0x40) } {
                let hi := mload(c)
                let lo := mload(add(c, 0x20))
                if or(hi, lo) {
                    mstore(c, sub(sub(P_HI, hi), gt(lo, P_LO)))
                    mstore(add(c, 0x20), sub(P_LO, lo))
                }
            }
        }
    }

    /// a + b in G2, as a new 256-byte array.
    function g2Add(bytes memory a, bytes memory b) internal view returns (bytes memory sum) {
        require(a.length == G2_BYTES && b.length == G2_BYTES, "G2 point length");
        bytes memory buf = bytes.concat(a, b);
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(buf, 0x20)
        }
        g2AddInPlace(ptr);
        assembly ("memory-safe") {
            mstore(buf, 0x100)
        }
        return buf;
    }

    /// −a in G2, as a new 256-byte array.
    function g2Neg(bytes memory a) internal pure returns (bytes memory neg) {
        require(a.length == G2_BYTES, "G2 point length");
        neg = bytes.concat(a);
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(neg, 0x20)
        }
        g2NegInPlace(ptr);
    }

    // ------------------------------------------------------------------ pairing

    /// [ptr, ptr + 256) := −G2, the negated generator of G2 (docs/committee.md §4.3).
    function writeNegG2GeneratorAt(uint256 ptr) internal pure {
        assembly ("memory-safe") {
            mstore(ptr, 0x00000000000000000000000000000000024aa2b2f08f0a91260805272dc51051)
            mstore(add(ptr, 0x20), 0xc6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8)
            mstore(add(ptr, 0x40), 0x0000000000000000000000000000000013e02b6052719f607dacd3a088274f65)
            mstore(add(ptr, 0x60), 0x596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e)
            mstore(add(ptr, 0x80), 0x000000000000000000000000000000000d1b3cc2c7027888be51d9ef691d77bc)
            mstore(add(ptr, 0xa0), 0xb679afda66c73f17f9ee3837a55024f78c71363275a75d75d86bab79f74782aa)
            mstore(add(ptr, 0xc0), 0x0000000000000000000000000000000013fa4d4a0ad8b1ce186ed5061789213d)
            mstore(add(ptr, 0xe0), 0x993923066dddaf1040bc3ff59f825c78df74f2d75467e25e0f55f8a00fa030ed)
        }
    }

    /// BLS12_PAIRING_CHECK of the two pairs at [ptr, ptr + 768): whether e(P_1, Q_1) · e(P_2, Q_2) == 1.
    /// The precompile checks that all four points are in their prime-order subgroups, else it fails
    /// and this reverts.
    function pairingCheck2At(uint256 ptr) internal view returns (bool valid) {
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(PAIRING_2_GAS, PAIRING_CHECK, ptr, 0x300, 0x00, 0x20)
            ok := and(ok, eq(returndatasize(), 0x20))
            valid := eq(mload(0x00), 1)
        }
        if (!ok) revert PrecompileFailed(address(uint160(PAIRING_CHECK)));
    }

    /// The BLS verification equation e(signature, G2) == e(H(m), pk), checked as
    /// e(signature, −G2) · e(hashedMessage, publicKey) == 1.
    function verify(bytes memory signature, bytes memory hashedMessage, bytes memory publicKey)
        internal
        view
        returns (bool)
    {
        require(
            signature.length == G1_BYTES && hashedMessage.length == G1_BYTES && publicKey.length == G2_BYTES,
            "point length"
        );
        bytes memory input = new bytes(PAIRING_2_BYTES);
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(input, 0x20)
            mcopy(ptr, add(signature, 0x20), 0x80)
            mcopy(add(ptr, 0x180), add(hashedMessage, 0x20), 0x80)
            mcopy(add(ptr, 0x200), add(publicKey, 0x20), 0x100)
        }
        writeNegG2GeneratorAt(ptr + G1_BYTES);
        return pairingCheck2At(ptr);
    }

    /// Whether the `len` bytes at `ptr` (a multiple of 32) are all zero: the point at infinity.
    function isZeroAt(uint256 ptr, uint256 len) internal pure returns (bool zero) {
        assembly ("memory-safe") {
            let acc := 0
            for { let i := 0 } lt(i, len) { i := add(i, 0x20) } { acc := or(acc, mload(add(ptr, i))) }
            zero := iszero(acc)
        }
    }

    /// Whether `p` is the point at infinity (all zeros).
    function isZero(bytes memory p) internal pure returns (bool) {
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(p, 0x20)
        }
        return isZeroAt(ptr, p.length);
    }
}
