// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {GlobalState} from "../settlement/DisputeTypes.sol";
import {CompactTrieProof} from "./CompactTrieProof.sol";
import {IValidityBinding} from "./IValidityBinding.sol";
import {OutboxFrontier} from "./OutboxFrontier.sol";

/// The ztoken app's validity binding (docs/validity.md §5, records in §5.2): the inbox messages turn
/// into 160-byte records (what L1 can decide without the state is decided here), cut into chunks of
/// `slots` records; chunk j's public signals are (validity v1.1)
/// `preRoot, postRoot, recordWords[k], acceptedMask, chainId` (the chunk's slots × 160 record bytes
/// in k = ceil(160·slots / 31) big-endian words of 31 bytes) with the first preRoot and the last
/// postRoot read from the assertions' state roots (key 0x20, compact-trie inclusion proofs), and the
/// accepted withdrawals appended to the outbox frontier give the new send root. Mirrored by
/// src/apps/ztoken/binding.ts.
contract ZTokenBinding is IValidityBinding {
    using OutboxFrontier for OutboxFrontier.Frontier;

    /// BN254's scalar field (BabyJubJub's base field)
    uint256 internal constant P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant RECORD = 160;
    /// bytes per record word: a word is < 2^248 < P
    uint256 internal constant WORD = 31;
    uint8 internal constant APP = 0x03;
    /// the ztoken state key holding the account root (docs/validity.md §2.1)
    bytes internal constant ACCOUNT_ROOT_KEY = hex"20";

    /// The prover's part: the account roots with their inclusion proofs in the assertions' state
    /// roots, the roots between chunks, each chunk's accepted mask, and the outbox frontier at the
    /// previous state.
    struct Witness {
        bytes32 preRoot;
        bytes32[] preProof;
        bytes32 postRoot;
        bytes32[] postProof;
        /// the account root after chunk j, for j < chunks − 1
        bytes32[] midRoots;
        uint256[] masks;
        OutboxFrontier.Frontier frontier;
    }

    /// T: records per chunk (the circuit's slots)
    uint256 public immutable slots;
    uint64 public immutable chainId;
    /// k: record words per chunk, ceil(160·slots / 31)
    uint256 public immutable words;

    error UnprovableMessage(uint256 position);
    error BadStateProof(bool post, bytes32 stateRoot, bytes32 computed);
    error FrontierMismatch(bytes32 sendRoot, bytes32 computed);
    error WrongChunkData(uint256 chunks, uint256 midRoots, uint256 masks);
    error BadMask(uint256 chunk, uint256 mask);
    error RootsDifferWithoutRecords(bytes32 preRoot, bytes32 postRoot);

    constructor(uint256 slots_, uint64 chainId_) {
        slots = slots_;
        chainId = chainId_;
        words = (RECORD * slots_ + WORD - 1) / WORD;
    }

    /// preRoot, postRoot, the k record words, acceptedMask, chainId
    function signalsPerChunk() external view returns (uint256) {
        return 4 + words;
    }

    function publicSignals(
        GlobalState calldata prevEnd,
        GlobalState calldata newEnd,
        bytes[] calldata messages,
        bytes calldata witness
    ) external view returns (uint256[] memory signals, bytes32 sendRoot) {
        (bytes memory recs, uint256 n) = records(messages, prevEnd.inboxPosition);
        Witness memory w = abi.decode(witness, (Witness));
        _checkState(false, prevEnd.stateRoot, w.preRoot, w.preProof);
        _checkState(true, newEnd.stateRoot, w.postRoot, w.postProof);
        bytes32 computed = w.frontier.root();
        if (computed != prevEnd.sendRoot) revert FrontierMismatch(prevEnd.sendRoot, computed);
        uint256 t = slots;
        // no records: zero chunks, or one chunk of padding records (§5.2)
        uint256 chunks = n == 0 && w.masks.length == 1 ? 1 : (n + t - 1) / t;
        if (w.midRoots.length + 1 != (chunks == 0 ? 1 : chunks) || w.masks.length != chunks) {
            revert WrongChunkData(chunks, w.midRoots.length, w.masks.length);
        }
        if (chunks == 0 && w.preRoot != w.postRoot) revert RootsDifferWithoutRecords(w.preRoot, w.postRoot);
        uint256 k = words;
        uint256 per = 4 + k;
        signals = new uint256[](per * chunks);
        for (uint256 j = 0; j < chunks; j++) {
            uint256 mask = w.masks[j];
            if (mask >> t != 0) revert BadMask(j, mask);
            uint256 s = per * j;
            signals[s] = uint256(j == 0 ? w.preRoot : w.midRoots[j - 1]);
            signals[s + 1] = uint256(j + 1 == chunks ? w.postRoot : w.midRoots[j]);
            _recordWords(signals, s + 2, recs, j * t * RECORD, t * RECORD, k);
            signals[s + 2 + k] = mask;
            signals[s + 3 + k] = chainId;
            _withdrawals(w.frontier, recs, j * t, t, mask);
        }
        sendRoot = w.frontier.root();
    }

    /// The records of `messages` (§5.2; the first at inbox position `start`), `n` of them, in a
    /// zeroed buffer padded to whole chunks.
    function records(bytes[] calldata messages, uint64 start) public view returns (bytes memory recs, uint256 n) {
        uint256 bound;
        for (uint256 k = 0; k < messages.length; k++) {
            bound += messages[k].length / 134 + 1;
        }
        recs = new bytes((bound + slots) * RECORD);
        for (uint256 k = 0; k < messages.length; k++) {
            bytes calldata m = messages[k];
            if (m.length == 0) continue;
            uint8 kind = uint8(m[0]);
            if (kind == 0x00) n = _txList(m, recs, n);
            else if (kind == 0x01) n = _deposit(m, recs, n);
            else if (kind <= 0x04) revert UnprovableMessage(start + k);
        }
    }

    function _checkState(bool post, bytes32 stateRoot, bytes32 accountRoot, bytes32[] memory proof) internal pure {
        bytes32 computed = CompactTrieProof.rootOf(ACCOUNT_ROOT_KEY, abi.encodePacked(accountRoot), proof);
        if (computed != stateRoot) revert BadStateProof(post, stateRoot, computed);
    }

    /// The `k` words of the `len` record bytes of `recs` from `off` into `signals[at…at + k)` (the
    /// caller sized `signals`): word i = bytes [31·i, 31·i + 31) big-endian; in the last word the
    /// bytes past `len` (the next chunk's, or whatever follows `recs`) are cleared.
    function _recordWords(
        uint256[] memory signals,
        uint256 at,
        bytes memory recs,
        uint256 off,
        uint256 len,
        uint256 k
    ) internal pure {
        uint256 tail = WORD * k - len; // padding bytes of the last word, < 31
        assembly ("memory-safe") {
            let src := add(add(recs, 32), off)
            let dst := add(add(signals, 32), shl(5, at))
            for { let i := 0 } lt(i, k) { i := add(i, 1) } {
                mstore(add(dst, shl(5, i)), shr(8, mload(add(src, mul(i, 31)))))
            }
            let last := add(dst, shl(5, sub(k, 1)))
            mstore(last, shl(shl(3, tail), shr(shl(3, tail), mload(last))))
        }
    }

    /// Appends chunk records [first, first + t) that are accepted withdrawals (op 2, mask bit set):
    /// leaf keccak256(index u64 ‖ from (20: the account index) ‖ to (20) ‖ amount u256).
    function _withdrawals(
        OutboxFrontier.Frontier memory f,
        bytes memory recs,
        uint256 first,
        uint256 t,
        uint256 mask
    ) internal pure {
        for (uint256 i = 0; i < t; i++) {
            if ((mask >> i) & 1 == 0) continue;
            uint256 w0;
            uint256 a;
            uint256 off = (first + i) * RECORD;
            assembly ("memory-safe") {
                let p := add(add(recs, 32), off)
                w0 := mload(p)
                a := mload(add(p, 32))
            }
            if (w0 >> 248 != 2) continue;
            uint256 idx = (w0 >> 168) & 0xffff;
            uint256 amount = (w0 >> 40) & type(uint128).max;
            f.append(keccak256(abi.encodePacked(f.count, address(uint160(idx)), address(uint160(a)), amount)));
        }
    }

    /// A kind-0x00 message: the transaction list decoded as the SDK does (`count u32`, then
    /// `len u32 ‖ tx`, ending exactly at the message's end), else no records.
    function _txList(bytes calldata m, bytes memory recs, uint256 n) internal view returns (uint256) {
        if (m.length < 5) return n;
        uint256 count = uint32(bytes4(m[1:5]));
        uint256 p = 5;
        for (uint256 i = 0; i < count; i++) {
            if (p + 4 > m.length) return n;
            p += 4 + uint32(bytes4(m[p:p + 4]));
            if (p > m.length) return n;
        }
        if (p != m.length) return n;
        p = 5;
        for (uint256 i = 0; i < count; i++) {
            uint256 len = uint32(bytes4(m[p:p + 4]));
            if (_tx(m[p + 4:p + 4 + len], recs, n * RECORD)) n++;
            p += 4 + len;
        }
        return n;
    }

    /// One transaction: a record when its length, app, op and chain id (and, for open, the key on
    /// BabyJubJub) say the STF may accept it.
    function _tx(bytes calldata t, bytes memory recs, uint256 off) internal view returns (bool) {
        uint256 len = t.length;
        uint256 op;
        if (len == 38 + 96) op = 1;
        else if (len == 56 + 96) op = 2;
        else if (len == 84 + 96) op = 3;
        else return false;
        if (uint8(t[0]) != APP || uint8(t[1]) != op || uint64(bytes8(t[2:10])) != chainId) return false;
        uint256 head = (op << 248) | (uint256(uint64(bytes8(t[10:18]))) << 184)
            | (uint256(uint16(bytes2(t[18:20]))) << 168);
        uint256 a;
        uint256 sig;
        if (op == 1) {
            a = uint16(bytes2(t[20:22]));
            head |= uint256(uint128(bytes16(t[22:38]))) << 40;
            sig = 38;
        } else if (op == 2) {
            a = uint160(bytes20(t[20:40]));
            head |= uint256(uint128(bytes16(t[40:56]))) << 40;
            sig = 56;
        } else {
            a = uint256(bytes32(t[20:52]));
            uint256 y = uint256(bytes32(t[52:84]));
            if (!_onCurve(a, y)) return false;
            head |= (y & 1) << 32;
            sig = 84;
        }
        assembly ("memory-safe") {
            let p := add(add(recs, 32), off)
            mstore(p, head)
            mstore(add(p, 32), a)
            calldatacopy(add(p, 64), add(t.offset, sig), 96)
        }
        return true;
    }

    /// A kind-0x01 deposit `0x01 ‖ to (20) ‖ amount u256`: a record when 53 bytes and amount < 2^128.
    function _deposit(bytes calldata m, bytes memory recs, uint256 n) internal pure returns (uint256) {
        if (m.length != 53) return n;
        uint256 amount = uint256(bytes32(m[21:53]));
        if (amount >> 128 != 0) return n;
        uint256 head = (uint256(4) << 248) | (amount << 40);
        uint256 to = uint160(bytes20(m[1:21]));
        uint256 off = n * RECORD;
        assembly ("memory-safe") {
            let p := add(add(recs, 32), off)
            mstore(p, head)
            mstore(add(p, 32), to)
        }
        return n + 1;
    }

    /// BabyJubJub (twisted Edwards, a = 168700, d = 168696): a·x² + y² = 1 + d·x²·y² mod p, x, y < p.
    function _onCurve(uint256 x, uint256 y) internal pure returns (bool) {
        if (x >= P || y >= P) return false;
        uint256 x2 = mulmod(x, x, P);
        uint256 y2 = mulmod(y, y, P);
        return addmod(mulmod(168700, x2, P), y2, P) == addmod(1, mulmod(mulmod(168696, x2, P), y2, P), P);
    }
}
