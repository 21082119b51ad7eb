// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// Preimages the one-step prover's `preimage_read` (docs/machine.md §6, host op 1) reads from L1.
/// Kinds (docs/blob.md §3, §4): 0 = keccak256 preimage (whole, or parts of ≤ 32 bytes at given
/// offsets), 1 = EIP-4844 blob by versioned hash (one 32-byte field element at a time, each proven
/// with the point-evaluation precompile), 2 = an EVM precompile's result `status ‖ output` under
/// keccak256(address ‖ input) (docs/machine.md §6.3).
interface IPreimageOracle {
    error UnknownPreimage(uint8 kind, bytes32 hash);
    /// `loadKeccakPart` with `offset` at or past the end of the preimage.
    error PartOffsetOutOfRange(uint256 offset, uint256 length);
    /// `openLargePreimage` by a sender whose proposal `uuid` is still open.
    error LargePreimageExists(address owner, uint256 uuid);
    /// `absorbLargePreimage` or `squeezeLargePreimage` of a proposal the sender did not open.
    error UnknownLargePreimage(address owner, uint256 uuid);
    /// An absorbed part that is empty or not whole 136-byte blocks, or a squeezed tail of ≥ 136 bytes.
    error LargePreimagePartMisaligned(uint256 length);
    /// An absorbed part that does not start where the absorbed bytes end.
    error LargePreimagePartOutOfOrder(uint256 expectedStart, uint256 start);
    /// An absorbed part that would end past the declared length.
    error LargePreimageOverrun(uint256 end, uint256 length);
    /// `squeezeLargePreimage` whose tail does not end at the declared length.
    error LargePreimageIncomplete(uint256 end, uint256 length);
    /// The absorbed bytes hash to `hash`, not to the `key` the squeeze claimed.
    error LargePreimageHashMismatch(bytes32 key, bytes32 hash);
    /// `loadBlobElement` with an element index ≥ 4096.
    error BlobIndexOutOfRange(uint256 index);
    /// The point-evaluation precompile (0x0a) rejected `value` as element `index` of the blob
    /// `versionedHash` (wrong value, proof, commitment or versioned hash).
    error BadBlobProof(bytes32 versionedHash, uint256 index);
    /// `loadPrecompilePreimage` of a precompile other than 0x06, 0x07, 0x08, 0x0a.
    error UnsupportedPrecompile(uint8 id);
    /// `loadPrecompilePreimage` with less gas left than the call needs (`needed`: its gas·64/63 and a reserve).
    error NotEnoughGasForPrecompile(uint256 needed, uint256 left);

    /// Up to 32 bytes of the preimage of `hash` (of preimage kind `kind`) from `offset`.
    /// Kind 0: `min(32, len - offset)` bytes, empty at or past the end; served from a whole
    /// preimage or from a part loaded at exactly `offset`. Kind 1 (blob, 131,072 bytes): bytes
    /// [offset, end of the 32-byte field element containing offset), empty at offset ≥ 131,072.
    /// Kind 2: as kind 0 over `status ‖ output` once `loadPrecompilePreimage` stored it.
    /// Reverts `UnknownPreimage(kind, hash)` when the needed preimage or part was not loaded.
    function readPreimage(uint8 kind, bytes32 hash, uint256 offset) external view returns (bytes memory chunk);
}
