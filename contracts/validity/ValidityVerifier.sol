// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAttestationVerifier} from "../attest/IAttestationVerifier.sol";
import {AssertionData, DisputeHash} from "../settlement/DisputeTypes.sol";
import {IValidityBinding} from "./IValidityBinding.sol";

interface IInboxAccumulator {
    function accumulator(uint64 n) external view returns (bytes32);
}

/// Zk-rollup confirmation (docs/validity.md §5): the Rollup's fast-confirmation slot (`committee`,
/// IAttestationVerifier) filled with Groth16 proofs instead of a committee's signatures, so that
/// `Rollup.createAttestedAssertion` creates and confirms an assertion in one transaction when its
/// state transition is proven. The attestation bytes are `abi.encode(ValidityAttestation)`:
///   1. `prev` and `next` hash to the ids the Rollup passes (§5.3 step 1);
///   2. `messages` are the inbox messages [prev.end.inboxPosition, next.end.inboxPosition), checked
///      against the inbox accumulator (docs/inbox.md §3) (step 2);
///   3. the app's binding turns them and `witness` into each chunk's public signals and the new send
///      root (steps 3–5), which must be `next.end.sendRoot`;
///   4. `proofs[j]` (a, b, c of snarkjs's `proofCalldata`, flattened) verifies for chunk j's
///      signals with the app's Groth16 verifier, one proof per chunk.
/// Mirrored by src/proof/validity/validity-verifier.ts. The Rollup checks the rest (prev is the
/// latest confirmed assertion and the new one its only child).
contract ValidityVerifier is IAttestationVerifier {
    struct ValidityAttestation {
        AssertionData prev;
        AssertionData next;
        bytes[] messages;
        uint256[8][] proofs;
        bytes witness;
    }

    IInboxAccumulator public immutable inbox;
    IValidityBinding public immutable binding;
    /// snarkjs's Groth16Verifier for the app's circuit (verifyProof(uint[2], uint[2][2], uint[2], uint[n]))
    address public immutable groth16;
    /// n: the circuit's public signals per chunk
    uint256 public immutable signalsPerChunk;
    bytes4 internal immutable verifySelector;

    error WrongPrevAssertion(bytes32 expected, bytes32 given);
    error WrongAssertion(bytes32 expected, bytes32 given);
    error WrongMessageCount(uint256 expected, uint256 given);
    error MessagesMismatch(bytes32 expectedAccumulator, bytes32 computedAccumulator);
    error WrongProofCount(uint256 chunks, uint256 proofs);
    error SendRootMismatch(bytes32 expected, bytes32 computed);
    error InvalidProof(uint256 chunk);

    constructor(IInboxAccumulator inbox_, IValidityBinding binding_, address groth16_) {
        inbox = inbox_;
        binding = binding_;
        groth16 = groth16_;
        uint256 n = binding_.signalsPerChunk();
        signalsPerChunk = n;
        verifySelector = bytes4(
            keccak256(
                abi.encodePacked("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[", _decimal(n), "])")
            )
        );
    }

    /// IAttestationVerifier: reverts unless `att` proves the assertion `assertionId` after `prevId`
    /// (the steps above); the returned "epoch" is 0 (a proof has none).
    function verifyAttestation(bytes32 prevId, bytes32 assertionId, bytes calldata att)
        external
        view
        returns (uint64)
    {
        ValidityAttestation memory v = abi.decode(att, (ValidityAttestation));
        bytes32 got = DisputeHash.assertionId(v.prev);
        if (got != prevId) revert WrongPrevAssertion(prevId, got);
        got = DisputeHash.assertionId(v.next);
        if (got != assertionId) revert WrongAssertion(assertionId, got);
        _checkMessages(v.prev.end.inboxPosition, v.next.end.inboxPosition, v.messages);
        (uint256[] memory signals, bytes32 sendRoot) =
            binding.publicSignals(v.prev.end, v.next.end, v.messages, v.witness);
        uint256 n = signalsPerChunk;
        if (signals.length != v.proofs.length * n) revert WrongProofCount(signals.length / n, v.proofs.length);
        if (sendRoot != v.next.end.sendRoot) revert SendRootMismatch(v.next.end.sendRoot, sendRoot);
        for (uint256 j = 0; j < v.proofs.length; j++) {
            if (!_verify(v.proofs[j], signals, j * n, n)) revert InvalidProof(j);
        }
        return 0;
    }

    /// docs/inbox.md §3: acc(end) = fold of keccak256(acc ‖ keccak256(message)) from acc(start).
    function _checkMessages(uint64 start, uint64 end, bytes[] memory messages) internal view {
        if (messages.length != end - start) revert WrongMessageCount(end - start, messages.length);
        bytes32 acc = inbox.accumulator(start);
        for (uint256 i = 0; i < messages.length; i++) {
            bytes32 m = keccak256(messages[i]);
            assembly ("memory-safe") {
                mstore(0, acc)
                mstore(32, m)
                acc := keccak256(0, 64)
            }
        }
        bytes32 want = inbox.accumulator(end);
        if (acc != want) revert MessagesMismatch(want, acc);
    }

    /// verifyProof(a, b, c, signals[from .. from + n]) on the Groth16 verifier (static arrays are
    /// encoded in place: selector ‖ 8 proof words ‖ n signals).
    function _verify(uint256[8] memory proof, uint256[] memory signals, uint256 from, uint256 n)
        internal
        view
        returns (bool ok)
    {
        bytes memory data = new bytes(4 + 32 * (8 + n));
        bytes4 sel = verifySelector;
        assembly ("memory-safe") {
            let p := add(data, 32)
            mstore(p, sel)
            p := add(p, 4)
            for { let i := 0 } lt(i, 8) { i := add(i, 1) } { mstore(add(p, mul(i, 32)), mload(add(proof, mul(i, 32)))) }
            p := add(p, 256)
            let s := add(add(signals, 32), mul(from, 32))
            for { let i := 0 } lt(i, n) { i := add(i, 1) } { mstore(add(p, mul(i, 32)), mload(add(s, mul(i, 32)))) }
        }
        (bool success, bytes memory ret) = groth16.staticcall(data);
        ok = success && ret.length == 32 && abi.decode(ret, (bool));
    }

    function _decimal(uint256 x) internal pure returns (bytes memory s) {
        if (x == 0) return "0";
        uint256 len;
        for (uint256 y = x; y > 0; y /= 10) len++;
        s = new bytes(len);
        for (; x > 0; x /= 10) s[--len] = bytes1(uint8(48 + (x % 10)));
    }
}
