// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// A precompile rejected its input (EIP-2537: a coordinate ≥ p, non-zero padding, a point off the
/// curve or, for the pairing, outside the prime-order subgroup) or ran out of the gas it was given.
error PrecompileFailed(address precompile);

/// BLS12-381 over the EIP-2537 precompiles (docs/committee.md §1, §4), for min-sig BLS: signatures
/// and hashed messages in G1 (128 bytes: x ‖ y), public keys in G2 (256 bytes: x.c0 ‖ x.c1 ‖ y.c0 ‖
/// y.c1); every field element is 64 bytes, 16 zero bytes then 48 bytes big-endian.
///
/// The BLS precompiles burn all the gas they are given when they fail, so each call gets a bounded
/// budget (twice its EIP-2537 price, to tolerate a repricing) instead of all remaining gas.
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

    /// −G2: the negated generator of G2 (docs/committee.md §4.3).
    bytes internal constant NEG_G2_GENERATOR =
        hex"00000000000000000000000000000000024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"
        hex"0000000000000000000000000000000013e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"
        hex"000000000000000000000000000000000d1b3cc2c7027888be51d9ef691d77bcb679afda66c73f17f9ee3837a55024f78c71363275a75d75d86bab79f74782aa"
        hex"0000000000000000000000000000000013fa4d4a0ad8b1ce186ed5061789213d993923066dddaf1040bc3ff59f825c78df74f2d75467e25e0f55f8a00fa030ed";

    // ------------------------------------------------------------------ RFC 9380 hash_to_curve

    /// RFC 9380 §5.3.1 expand_message_xmd with SHA-256 and len_in_bytes = 128 (two field elements
    /// of L = 64 bytes, for hash_to_curve's count = 2). `dst` must be at most 255 bytes.
    function expandMessageXmd128(bytes memory message, bytes memory dst)
        internal
        view
        returns (bytes32[4] memory b)
    {
        require(dst.length <= 255, "DST too long");
        bytes memory dstPrime = abi.encodePacked(dst, uint8(dst.length));
        // msg_prime = Z_pad (64 zero bytes) ‖ msg ‖ I2OSP(128, 2) ‖ I2OSP(0, 1) ‖ DST_prime
        bytes32 b0 = _sha256(abi.encodePacked(bytes32(0), bytes32(0), message, uint16(128), uint8(0), dstPrime));
        b[0] = _sha256(abi.encodePacked(b0, uint8(1), dstPrime));
        for (uint256 i = 1; i < 4; i++) {
            b[i] = _sha256(abi.encodePacked(b0 ^ b[i - 1], uint8(i + 1), dstPrime));
        }
    }

    /// RFC 9380 hash_to_curve for BLS12381G1_XMD:SHA-256_SSWU_RO_: u0, u1 = hash_to_field(msg, 2)
    /// (each 64 uniform bytes reduced mod p with MODEXP), then map_to_curve(u0) + map_to_curve(u1).
    /// MAP_FP_TO_G1 already clears the cofactor, and clearing is linear, so the sum is
    /// clear_cofactor(Q0 + Q1). Returns the 128-byte G1 point.
    function hashToG1(bytes memory message, bytes memory dst) internal view returns (bytes memory point) {
        bytes32[4] memory b = expandMessageXmd128(message, dst);
        bytes memory q0 = _mapFpToG1(b[0], b[1]);
        bytes memory q1 = _mapFpToG1(b[2], b[3]);
        point = g1Add(q0, q1);
    }

    /// OS2IP(hi ‖ lo) mod p (MODEXP with exponent 1) as a 64-byte field element, mapped to G1.
    function _mapFpToG1(bytes32 hi, bytes32 lo) private view returns (bytes memory point) {
        point = new bytes(G1_BYTES);
        bool ok;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, 64) // base length
            mstore(add(ptr, 0x20), 1) // exponent length
            mstore(add(ptr, 0x40), 48) // modulus length
            mstore(add(ptr, 0x60), hi)
            mstore(add(ptr, 0x80), lo)
            mstore8(add(ptr, 0xa0), 1) // exponent
            mstore(add(ptr, 0xa1), shl(128, P_HI)) // modulus: 16 bytes of P_HI ...
            mstore(add(ptr, 0xb1), P_LO) // ... then 32 bytes of P_LO (input ends at 0xd1)
            // the 48-byte result lands after 16 zero bytes: a 64-byte EIP-2537 field element
            let fe := add(ptr, 0x100)
            mstore(fe, 0)
            ok := staticcall(gas(), MODEXP, ptr, 0xd1, add(fe, 16), 48)
            if ok { ok := staticcall(MAP_FP_TO_G1_GAS, MAP_FP_TO_G1, fe, 64, add(point, 0x20), 128) }
        }
        if (!ok) revert PrecompileFailed(address(uint160(MAP_FP_TO_G1)));
    }

    function _sha256(bytes memory data) private view returns (bytes32 h) {
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), SHA256, add(data, 0x20), mload(data), 0x00, 0x20)
            h := mload(0x00)
        }
        if (!ok) revert PrecompileFailed(address(uint160(SHA256)));
    }

    // ------------------------------------------------------------------ group operations

    /// a + b in G1 (BLS12_G1ADD; checks the curve equation, not the subgroup).
    function g1Add(bytes memory a, bytes memory b) internal view returns (bytes memory sum) {
        sum = new bytes(G1_BYTES);
        bool ok;
        bytes memory input = abi.encodePacked(a, b);
        if (input.length != 2 * G1_BYTES) revert PrecompileFailed(address(uint160(G1_ADD)));
        assembly ("memory-safe") {
            ok := staticcall(G1_ADD_GAS, G1_ADD, add(input, 0x20), 256, add(sum, 0x20), 128)
        }
        if (!ok) revert PrecompileFailed(address(uint160(G1_ADD)));
    }

    /// a + b in G2 (BLS12_G2ADD; checks the curve equation, not the subgroup).
    function g2Add(bytes memory a, bytes memory b) internal view returns (bytes memory sum) {
        sum = new bytes(G2_BYTES);
        bool ok;
        bytes memory input = abi.encodePacked(a, b);
        if (input.length != 2 * G2_BYTES) revert PrecompileFailed(address(uint160(G2_ADD)));
        assembly ("memory-safe") {
            ok := staticcall(G2_ADD_GAS, G2_ADD, add(input, 0x20), 512, add(sum, 0x20), 256)
        }
        if (!ok) revert PrecompileFailed(address(uint160(G2_ADD)));
    }

    /// −a in G2: (x, −y), −y = (p − y.c0, p − y.c1) for each non-zero component (the identity, all
    /// zeros, stays the identity). `a` must be 256 bytes of reduced field elements.
    function g2Neg(bytes memory a) internal pure returns (bytes memory neg) {
        require(a.length == G2_BYTES, "G2 point length");
        neg = new bytes(G2_BYTES);
        for (uint256 off = 0; off < G2_BYTES; off += 64) {
            uint256 hi;
            uint256 lo;
            assembly ("memory-safe") {
                hi := mload(add(add(a, 0x20), off))
                lo := mload(add(add(a, 0x40), off))
            }
            if (off >= 128 && (hi | lo) != 0) {
                unchecked {
                    uint256 borrow = lo > P_LO ? 1 : 0;
                    lo = P_LO - lo;
                    hi = P_HI - hi - borrow;
                }
            }
            assembly ("memory-safe") {
                mstore(add(add(neg, 0x20), off), hi)
                mstore(add(add(neg, 0x40), off), lo)
            }
        }
    }

    /// Whether e(signature, −G2) · e(hashedMessage, publicKey) == 1, i.e. e(signature, G2) ==
    /// e(H(m), pk): the BLS verification equation (BLS12_PAIRING_CHECK with two pairs; it checks
    /// that all four points are in their prime-order subgroups, else it fails and this reverts).
    function verify(bytes memory signature, bytes memory hashedMessage, bytes memory publicKey)
        internal
        view
        returns (bool valid)
    {
        bytes memory input = abi.encodePacked(signature, NEG_G2_GENERATOR, hashedMessage, publicKey);
        if (input.length != 2 * (G1_BYTES + G2_BYTES)) revert PrecompileFailed(address(uint160(PAIRING_CHECK)));
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(PAIRING_2_GAS, PAIRING_CHECK, add(input, 0x20), 768, 0x00, 0x20)
            valid := mload(0x00)
        }
        if (!ok) revert PrecompileFailed(address(uint160(PAIRING_CHECK)));
    }

    /// Whether `p` is the point at infinity (all zeros).
    function isZero(bytes memory p) internal pure returns (bool zero) {
        zero = true;
        for (uint256 off = 0; off < p.length; off += 32) {
            uint256 w;
            assembly ("memory-safe") {
                w := mload(add(add(p, 0x20), off))
            }
            if (w != 0) return false;
        }
    }
}
