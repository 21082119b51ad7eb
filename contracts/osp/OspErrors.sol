// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Custom errors of the one-step prover. Each names the check of src/vm/wasm/verify.ts that
// throws ProofError at the same point (docs/machine.md §7).

/// the proof ends before a word the verifier reads
error ProofTooShort();
/// the proof's length is not a multiple of 32
error ProofNotWordAligned();
/// the 7 machine words (scalars re-packed from their fields) do not hash to the pre-state hash
error MachineHashMismatch();
/// the machine's module-root field differs from the `moduleRoot` parameter
error ModuleRootMismatch();
/// the 3 words of the metered call's record do not hash to the machine's meter hash (§4.7)
error MeterMismatch();
/// the 5 module words do not hash to the machine's module root
error ModuleFieldsMismatch();
/// pc is outside the code
error PcOutOfCode();
/// the code leaf and path do not match the code root
error CodeProofMismatch();
/// the instruction's opcode is not defined (§3)
error UnknownOpcode(uint16 op);
/// the host op id is not defined (§6)
error UnknownHostOp(uint256 id);
/// the popped items and rest hash do not rebuild the stack hash, or the stack is too shallow
error StackMismatch();
/// the frame does not match the frames hash, or a local access has no frame
error FrameMismatch();
/// the local's value and path do not match the frame's locals root, or the local index is out of range
error LocalsProofMismatch();
/// the global's value and path do not match the globals root
error GlobalsProofMismatch();
/// the table leaf and path do not match the table root
error TableProofMismatch();
/// the data leaf and path do not match the data root
error DataProofMismatch();
/// a memory leaf and path do not match the memory root (for a second write: the root after the first)
error MemoryProofMismatch(uint256 leaf);
/// the 4 global-state words do not hash to the global-state hash
error GlobalStateMismatch();
/// the message length and root do not hash to the inbox's commitment at the inbox position
error MessageCommitmentMismatch();
/// a message chunk and path do not match the message root
error MessageChunkMismatch();
/// the preimage kind does not fit the oracle's kind (u8)
error UnknownPreimageKind(uint256 kind);
/// the preimage oracle returned more than 32 bytes
error PreimageChunkTooLong();
/// a division's divisor is nonzero as a word but zero in the operand width (verify.ts throws a RangeError)
error DivisorNotCanonical();
