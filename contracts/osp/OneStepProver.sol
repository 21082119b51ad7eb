// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ctx, OspContext} from "./OspContext.sol";
import {
    CodeProofMismatch,
    FrameMismatch,
    GlobalsProofMismatch,
    LocalsProofMismatch,
    MachineHashMismatch,
    MeterMismatch,
    ModuleFieldsMismatch,
    ModuleRootMismatch,
    PcOutOfCode,
    ProofTooShort,
    StackMismatch,
    TableProofMismatch,
    UnknownOpcode
} from "./OspErrors.sol";
import {IInboxMessages} from "./IInboxMessages.sol";
import {IPreimageOracle} from "./IPreimageOracle.sol";
import {Machine, MachineHash, Module} from "./MachineHash.sol";
import {MerkleProof} from "./MerkleProof.sol";
import {OspHost} from "./OspHost.sol";
import {OspMemory} from "./OspMemory.sol";
import {OspNumeric} from "./OspNumeric.sol";
import {Cursor, ProofReader} from "./ProofReader.sol";

/// The on-chain one-step prover: a port of `verifyStep` in src/vm/wasm/verify.ts (docs/machine.md
/// §7). Given the module root, a pre-state hash and a proof, it computes the post-state hash, or
/// reverts where verify.ts throws ProofError. In addition to verify.ts, the machine's module-root
/// field must equal `moduleRoot`. Control, stack, locals and globals are here; numeric ops in
/// OspNumeric, memory in OspMemory, host ops in OspHost.
contract OneStepProver {
    using ProofReader for Cursor;
    using OspContext for Ctx;

    uint256 internal constant U32 = 0xffffffff;
    uint256 internal constant U64 = 0xffffffffffffffff;
    uint256 internal constant OP_COUNT = 110;

    IInboxMessages public immutable inbox;
    IPreimageOracle public immutable oracle;

    constructor(IInboxMessages inbox_, IPreimageOracle oracle_) {
        inbox = inbox_;
        oracle = oracle_;
    }

    function proveOneStep(bytes32 moduleRoot, bytes32 preStateHash, bytes calldata proof)
        external
        view
        returns (bytes32 postStateHash)
    {
        Ctx memory c;
        c.cur = ProofReader.open(proof);
        // §7.1 header: 7 machine words (+ the meter hash while metered), the meter record (3 words,
        // while metered), then 5 module words
        uint256 pos = c.cur.pos;
        if (pos + 7 * 32 > c.cur.end) revert ProofTooShort();
        // verify.ts unpacks the scalars word and hashes the re-packed fields: bits above 200 are ignored
        Machine memory f = c.pre;
        MachineHash.load(f, pos);
        pos += 7 * 32;
        if (f.metered == 1) {
            if (pos + 32 > c.cur.end) revert ProofTooShort();
            f.meterHash = _calldataWord(pos);
            pos += 32;
        }
        if (MachineHash.hash(f) != preStateHash) revert MachineHashMismatch();
        if (f.metered == 1) pos = _meter(c, pos);
        if (pos + 5 * 32 > c.cur.end) revert ProofTooShort();
        if (f.moduleRoot != moduleRoot) revert ModuleRootMismatch();
        if (MachineHash.hashCalldata(pos, 5) != moduleRoot) revert ModuleFieldsMismatch();
        MachineHash.loadModule(c.mod, pos);
        c.cur.pos = pos + 5 * 32;

        if (f.status != 0) return preStateHash;
        if (f.steps >= c.mod.maxSteps) return c.errored();
        // §3.7: the metered call's budget is exhausted: this step unwinds it with -2
        if (f.metered == 1 && f.steps >= c.mLimit) return c.unwind(0xfffffffe);

        // §7.2 instruction
        _instruction(c);
        // §7.3 stack section
        _stack(c);
        return _execute(c);
    }

    /// §4.7: the metered call's record (3 words at `pos`), re-packed and checked against the meter hash
    function _meter(Ctx memory c, uint256 pos) private pure returns (uint256) {
        if (pos + 3 * 32 > c.cur.end) revert ProofTooShort();
        uint256 w = uint256(_calldataWord(pos));
        c.mLimit = (w >> 128) & U64;
        c.mRetPc = (w >> 64) & U32;
        c.mSp = (w >> 32) & U32;
        c.mFp = w & U32;
        c.mStack = _calldataWord(pos + 32);
        c.mFrames = _calldataWord(pos + 64);
        if (MachineHash.meterHash(c.mLimit, c.mRetPc, c.mSp, c.mFp, c.mStack, c.mFrames) != c.pre.meterHash) {
            revert MeterMismatch();
        }
        return pos + 3 * 32;
    }

    function _calldataWord(uint256 pos) private pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := calldataload(pos)
        }
    }

    function _instruction(Ctx memory c) private pure {
        uint256 inst = c.cur.num();
        uint256 pc = c.pre.pc;
        uint256 codeLen = c.mod.codeLen;
        if (pc >= codeLen) revert PcOutOfCode();
        uint256 d = MerkleProof.ceilLog2(codeLen);
        uint256 p = c.cur.path(d);
        if (MerkleProof.rootFromPath(bytes32(inst), pc, p, d) != c.mod.codeRoot) revert CodeProofMismatch();
        uint256 op = inst >> 64;
        // verify.ts throws for an undefined opcode once it reaches numeric(); nothing in between can succeed
        if (op >= OP_COUNT) revert UnknownOpcode(uint16(op));
        c.op = op;
        c.imm = inst & U64;
        c.immLo = inst & U32;
    }

    /// proof.ts `popCount`
    function _popCount(uint256 op, uint256 immLo) private pure returns (uint256) {
        if (op <= 20) {
            // unreachable nop jump call return halt local.get global.get i32.const i64.const
            if (op <= 2 || op == 6 || op == 8 || op == 9 || op == 14 || op == 17 || op == 19 || op == 20) return 0;
            if (op == 12) return immLo + 1; // drop_under
            if (op == 13) return 3; // select
            if (op == 10) return OspHost.params(immLo);
            return 1;
        }
        if (op >= 33 && op <= 39) return 2; // stores
        if (op == 109) return 3; // metered_call
        if (op == 40) return 0; // memory.size
        // binary numeric ops
        if ((op >= 44 && op <= 53) || (op >= 57 && op <= 71) || (op >= 73 && op <= 82) || (op >= 86 && op <= 100)) {
            return 2;
        }
        return 1;
    }

    function _stack(Ctx memory c) private pure {
        Machine memory f = c.pre;
        uint256 k = _popCount(c.op, c.immLo);
        if (k > f.stackHeight) revert StackMismatch();
        bytes32 rest = f.stackHash;
        if (k > 0) {
            uint256 items = c.cur.path(k);
            rest = c.cur.word();
            bytes32 h = rest;
            assembly ("memory-safe") {
                for { let p := add(items, shl(5, k)) } gt(p, items) {} {
                    p := sub(p, 32)
                    mstore(0, h)
                    mstore(32, calldataload(p))
                    h := keccak256(0, 64)
                }
            }
            if (h != f.stackHash) revert StackMismatch();
            c.items = items;
        }
        c.k = k;
        // post = { ...f, steps: f.steps + 1, pc: f.pc + 1 } with the stack below the popped items
        Machine memory post = c.post;
        assembly ("memory-safe") {
            mcopy(post, f, 0x1c0)
        }
        unchecked {
            post.steps = f.steps + 1;
            post.pc = f.pc + 1;
            post.stackHeight = f.stackHeight - k;
        }
        post.stackHash = rest;
    }

    function _execute(Ctx memory c) private view returns (bytes32) {
        uint256 op = c.op;
        if (op == 109) return _meteredCall(c);
        if (op >= 43) {
            (bool trap, uint256 v) = OspNumeric.numeric(op, c.k == 2 ? c.item(1) : c.item(0), c.item(0));
            if (trap) return c.trap();
            c.push(v);
            return c.done();
        }
        if (op >= 21) {
            if (op <= 39) return OspMemory.loadStore(c);
            return OspMemory.misc(c);
        }
        if (op == 10) return OspHost.host(c, inbox, oracle);
        if (op <= 9) return _control(c);
        return _variables(c);
    }

    /// §3.1: unreachable nop jump jump_if jump_if_zero br_table call call_indirect return halt
    function _control(Ctx memory c) private pure returns (bytes32) {
        uint256 op = c.op;
        Machine memory post = c.post;
        if (op == 0) return c.trap();
        if (op == 1) return c.done();
        if (op == 2) {
            post.pc = c.immLo;
            return c.done();
        }
        if (op == 3) {
            if (c.item(0) != 0) post.pc = c.immLo;
            return c.done();
        }
        if (op == 4) {
            if (c.item(0) == 0) post.pc = c.immLo;
            return c.done();
        }
        if (op == 5) {
            uint256 i = c.item(0) & U32;
            post.pc = c.pre.pc + 1 + (i < c.imm ? i : c.imm);
            return c.done();
        }
        if (op == 6) return _enter(c, c.immLo, (c.imm >> 32) & 0xffff, (c.imm >> 48) & 0xffff);
        if (op == 7) return _callIndirect(c);
        if (op == 8) {
            if (c.pre.frameDepth == 0) return c.trap();
            (uint256 ret,,, bytes32 framesRest) = _readFrame(c);
            post.framesHash = framesRest;
            post.frameDepth = c.pre.frameDepth - 1;
            post.pc = ret;
            // the metered call's callee returns (§3.7): the record is cleared, the result stays
            if (c.pre.metered == 1 && post.frameDepth == c.mFp) post.metered = 0;
            return c.done();
        }
        // halt
        post.status = 1;
        post.pc = c.pre.pc;
        return c.done();
    }

    function _callIndirect(Ctx memory c) private pure returns (bytes32) {
        uint256 idx = c.item(0) & U32;
        uint256 tableLen = c.mod.tableLen;
        if (idx >= tableLen) return c.trap();
        uint256 leaf = c.cur.num();
        uint256 d = MerkleProof.ceilLog2(tableLen);
        uint256 p = c.cur.path(d);
        if (MerkleProof.rootFromPath(bytes32(leaf), idx, p, d) != c.mod.tableRoot) revert TableProofMismatch();
        if (leaf == 0) return c.trap();
        if ((leaf >> 96) & U32 != c.immLo) return c.trap();
        return _enter(c, (leaf >> 64) & U32, (leaf >> 32) & U32, leaf & U32);
    }

    /// §3.7 metered_call (tableIndex, arg, budget): enters table[tableIndex] with arg and records the call
    function _meteredCall(Ctx memory c) private pure returns (bytes32) {
        // a nested metered call traps (and so unwinds the outer one)
        if (c.pre.metered == 1) return c.trap();
        uint256 idx = c.item(2) & U32;
        uint256 tableLen = c.mod.tableLen;
        if (idx >= tableLen) return c.trap();
        uint256 leaf = c.cur.num();
        uint256 d = MerkleProof.ceilLog2(tableLen);
        uint256 p = c.cur.path(d);
        if (MerkleProof.rootFromPath(bytes32(leaf), idx, p, d) != c.mod.tableRoot) revert TableProofMismatch();
        if (leaf == 0) return c.trap();
        if ((leaf >> 96) & U32 != c.immLo) return c.trap();
        Machine memory f = c.pre;
        Machine memory post = c.post;
        uint256 limit = f.steps + 1 + c.item(0);
        if (limit > U64) limit = U64;
        // the stack hash at the call is the one below the three operands (post.stackHash before the push)
        post.meterHash =
            MachineHash.meterHash(limit, f.pc + 1, f.stackHeight - 3, f.frameDepth, post.stackHash, f.framesHash);
        post.metered = 1;
        c.push(c.item(1));
        return _enter(c, (leaf >> 64) & U32, (leaf >> 32) & U32, leaf & U32);
    }

    function _enter(Ctx memory c, uint256 entry, uint256 nLoc, uint256 maxH) private pure returns (bytes32) {
        Machine memory f = c.pre;
        Machine memory post = c.post;
        if (f.frameDepth >= c.mod.maxFrames) return c.trap();
        if (post.stackHeight + maxH > c.mod.maxStackHeight) return c.trap();
        bytes32 fh = MachineHash.frameHash(f.pc + 1, nLoc, MerkleProof.zeroRoot(MerkleProof.ceilLog2(nLoc)));
        post.framesHash = MachineHash.hashPair(f.framesHash, fh);
        post.frameDepth = f.frameDepth + 1;
        post.pc = entry;
        return c.done();
    }

    /// verify.ts `readFrame`: the top frame and the frames hash below it
    function _readFrame(Ctx memory c)
        private
        pure
        returns (uint256 ret, uint256 num, bytes32 localsRoot, bytes32 framesRest)
    {
        ret = c.cur.num();
        num = c.cur.num();
        localsRoot = c.cur.word();
        framesRest = c.cur.word();
        if (MachineHash.hashPair(framesRest, MachineHash.frameHash(ret, num, localsRoot)) != c.pre.framesHash) {
            revert FrameMismatch();
        }
    }

    /// §3.2: drop drop_under select local.get/set/tee global.get/set i32.const i64.const
    function _variables(Ctx memory c) private pure returns (bytes32) {
        uint256 op = c.op;
        if (op == 11) return c.done();
        if (op == 12) {
            for (uint256 i = c.k - 1; i > 0; i--) {
                c.push(c.item(i - 1));
            }
            return c.done();
        }
        if (op == 13) {
            c.push(c.item(0) != 0 ? c.item(2) : c.item(1));
            return c.done();
        }
        if (op <= 16) return _local(c);
        if (op <= 18) {
            uint256 v = c.cur.num();
            uint256 d = MerkleProof.ceilLog2(c.mod.numGlobals);
            uint256 p = c.cur.path(d);
            if (MerkleProof.rootFromPath(bytes32(v), c.immLo, p, d) != c.pre.globalsRoot) {
                revert GlobalsProofMismatch();
            }
            if (op == 17) c.push(v);
            else c.post.globalsRoot = MerkleProof.rootFromPath(bytes32(c.item(0)), c.immLo, p, d);
            return c.done();
        }
        c.push(op == 19 ? c.imm & U32 : c.imm);
        return c.done();
    }

    function _local(Ctx memory c) private pure returns (bytes32) {
        if (c.pre.frameDepth == 0) revert FrameMismatch();
        (uint256 ret, uint256 num, bytes32 localsRoot, bytes32 framesRest) = _readFrame(c);
        uint256 idx = c.immLo;
        if (idx >= num) revert LocalsProofMismatch();
        uint256 v = c.cur.num();
        uint256 d = MerkleProof.ceilLog2(num);
        uint256 p = c.cur.path(d);
        if (MerkleProof.rootFromPath(bytes32(v), idx, p, d) != localsRoot) revert LocalsProofMismatch();
        if (c.op == 14) {
            c.push(v);
            return c.done();
        }
        uint256 nv = c.item(0);
        if (c.op == 16) c.push(nv);
        bytes32 nr = MerkleProof.rootFromPath(bytes32(nv), idx, p, d);
        c.post.framesHash = MachineHash.hashPair(framesRest, MachineHash.frameHash(ret, num, nr));
        return c.done();
    }
}
