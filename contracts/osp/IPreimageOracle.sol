// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// Preimages the one-step prover's `preimage_read` (docs/machine.md §6, host op 1) reads from L1.
/// Kinds (docs/blob.md §3, §4): 0 = keccak256 preimage (whole, or parts of ≤ 32 bytes at given
/// offsets), 1 = EIP-4844 blob by versioned hash (one 32-byte field element at a time, each proven
/// with the point-evaluation precompile).
interface IPreimageOracle {
    error UnknownPreimage(uint8 kind, bytes32 hash);
    /// `loadKeccakPart` with `offset` at or past the end of the preimage.
    error PartOffsetOutOfRange(uint256 offset, uint256 length);
    /// `loadBlobElement` with an element index ≥ 4096.
    error BlobIndexOutOfRange(uint256 index);
    /// The point-evaluation precompile (0x0a) rejected `value` as element `index` of the blob
    /// `versionedHash` (wrong value, proof, commitment or versioned hash).
    error BadBlobProof(bytes32 versionedHash, uint256 index);

    /// Up to 32 bytes of the preimage of `hash` (of preimage kind `kind`) from `offset`.
    /// Kind 0: `min(32, len - offset)` bytes, empty at or past the end; served from a whole
    /// preimage or from a part loaded at exactly `offset`. Kind 1 (blob, 131,072 bytes): bytes
    /// [offset, end of the 32-byte field element containing offset), empty at offset ≥ 131,072.
    /// Reverts `UnknownPreimage(kind, hash)` when the needed preimage or part was not loaded.
    function readPreimage(uint8 kind, bytes32 hash, uint256 offset) external view returns (bytes memory chunk);
}
