// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// Preimages the one-step prover's `preimage_read` (docs/machine.md §6, host op 1) reads from L1.
interface IPreimageOracle {
    error UnknownPreimage(uint8 kind, bytes32 hash);

    /// Up to 32 bytes of the preimage of `hash` (of preimage kind `kind`; 0 = keccak256) from
    /// `offset`: `min(32, len - offset)` bytes, empty at or past the end. Reverts
    /// `UnknownPreimage(kind, hash)` when the preimage was not submitted.
    function readPreimage(uint8 kind, bytes32 hash, uint256 offset) external view returns (bytes memory chunk);
}
