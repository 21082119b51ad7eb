// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {DivisorNotCanonical} from "./OspErrors.sol";

/// Mirrors `numeric()` of src/vm/wasm/verify.ts (docs/machine.md §3.4): i32/i64 numeric ops and
/// conversions on unsigned words. Operands are full 256-bit stack words exactly as verify.ts sees
/// them (bigints): comparisons, and/or/xor, shr_u, div_u/rem_u and popcnt use the whole word; the
/// signed views and clz/ctz use the low 32/64 bits.
library OspNumeric {
    uint256 internal constant OP_I32_EQZ = 43;
    uint256 internal constant OP_I32_ROTR = 71;
    uint256 internal constant OP_I64_EQZ = 72;
    uint256 internal constant OP_I32_WRAP_I64 = 101;
    uint256 internal constant U32 = 0xffffffff;
    uint256 internal constant U64 = 0xffffffffffffffff;

    /// `a` is the first (deeper) operand, `b` the top; returns (trap, value). `op` must be a numeric opcode (43..108).
    function numeric(uint256 op, uint256 a, uint256 b) internal pure returns (bool trap, uint256 v) {
        if (op >= OP_I32_WRAP_I64) return (false, _conversion(op, a));
        bool i32 = op <= OP_I32_ROTR;
        uint256 w = i32 ? 32 : 64;
        uint256 mask = i32 ? U32 : U64;
        uint256 bw = i32 ? 3 : 7; // signextend byte index
        uint256 k = op - (i32 ? OP_I32_EQZ : OP_I64_EQZ);
        if (k <= 10) return (false, _compare(k, a, b, bw));
        if (k <= 13) {
            if (k == 11) return (false, w - _bitLength(a & mask));
            if (k == 12) return (false, (a & mask) == 0 ? w : _ctz(a));
            return (false, _popcnt(a));
        }
        unchecked {
            if (k == 14) return (false, (a + b) & mask);
            if (k == 15) return (false, (a - b) & mask);
            if (k == 16) return (false, (a * b) & mask);
        }
        if (k <= 20) return _divRem(k, a, b, w, mask, bw);
        if (k == 21) return (false, a & b);
        if (k == 22) return (false, a | b);
        if (k == 23) return (false, a ^ b);
        uint256 sh = b & (w - 1);
        if (k == 24) return (false, (a << sh) & mask);
        if (k == 25) {
            assembly ("memory-safe") {
                v := and(sar(sh, signextend(bw, a)), mask)
            }
            return (false, v);
        }
        if (k == 26) return (false, a >> sh);
        if (k == 27) return (false, ((a << sh) | (a >> ((w - sh) % w))) & mask);
        return (false, ((a >> sh) | (a << ((w - sh) % w))) & mask); // k == 28
    }

    function _compare(uint256 k, uint256 a, uint256 b, uint256 bw) private pure returns (uint256 r) {
        bool t;
        if (k == 0) t = a == 0;
        else if (k == 1) t = a == b;
        else if (k == 2) t = a != b;
        else if (k == 4) t = a < b;
        else if (k == 6) t = a > b;
        else if (k == 8) t = a <= b;
        else if (k == 10) t = a >= b;
        else {
            int256 sa;
            int256 sb;
            assembly ("memory-safe") {
                sa := signextend(bw, a)
                sb := signextend(bw, b)
            }
            if (k == 3) t = sa < sb;
            else if (k == 5) t = sa > sb;
            else if (k == 7) t = sa <= sb;
            else t = sa >= sb; // k == 9
        }
        return t ? 1 : 0;
    }

    function _divRem(uint256 k, uint256 a, uint256 b, uint256 w, uint256 mask, uint256 bw)
        private
        pure
        returns (bool, uint256 v)
    {
        if (b == 0) return (true, 0);
        if (k == 18) return (false, a / b);
        if (k == 20) return (false, a % b);
        int256 sa;
        int256 sb;
        assembly ("memory-safe") {
            sa := signextend(bw, a)
            sb := signextend(bw, b)
        }
        // b is nonzero as a word but its signed view is zero: verify.ts throws (bigint division by zero)
        if (sb == 0) revert DivisorNotCanonical();
        if (k == 17) {
            if (sa == -int256(1 << (w - 1)) && sb == -1) return (true, 0);
            assembly ("memory-safe") {
                v := and(sdiv(sa, sb), mask)
            }
            return (false, v);
        }
        assembly ("memory-safe") {
            v := and(smod(sa, sb), mask) // k == 19: sign of the dividend, like bigint %
        }
        return (false, v);
    }

    function _conversion(uint256 op, uint256 a) private pure returns (uint256 v) {
        assembly ("memory-safe") {
            switch op
            case 101 { v := and(a, 0xffffffff) } // i32.wrap_i64
            case 102 { v := and(signextend(3, a), 0xffffffffffffffff) } // i64.extend_i32_s
            case 103 { v := and(a, 0xffffffff) } // i64.extend_i32_u
            case 104 { v := and(signextend(0, a), 0xffffffff) } // i32.extend8_s
            case 105 { v := and(signextend(1, a), 0xffffffff) } // i32.extend16_s
            case 106 { v := and(signextend(0, a), 0xffffffffffffffff) } // i64.extend8_s
            case 107 { v := and(signextend(1, a), 0xffffffffffffffff) } // i64.extend16_s
            default { v := and(signextend(3, a), 0xffffffffffffffff) } // 108 i64.extend32_s
        }
    }

    /// number of significant bits of x (0 for 0)
    function _bitLength(uint256 x) private pure returns (uint256 n) {
        unchecked {
            if (x >> 128 != 0) { x >>= 128; n += 128; }
            if (x >> 64 != 0) { x >>= 64; n += 64; }
            if (x >> 32 != 0) { x >>= 32; n += 32; }
            if (x >> 16 != 0) { x >>= 16; n += 16; }
            if (x >> 8 != 0) { x >>= 8; n += 8; }
            if (x >> 4 != 0) { x >>= 4; n += 4; }
            if (x >> 2 != 0) { x >>= 2; n += 2; }
            if (x >> 1 != 0) { x >>= 1; n += 1; }
            n += x;
        }
    }

    /// trailing zeros of x != 0
    function _ctz(uint256 x) private pure returns (uint256) {
        unchecked {
            return _bitLength(x & (~x + 1)) - 1;
        }
    }

    function _popcnt(uint256 x) private pure returns (uint256 n) {
        unchecked {
            while (x != 0) {
                x &= x - 1;
                n++;
            }
        }
    }
}
