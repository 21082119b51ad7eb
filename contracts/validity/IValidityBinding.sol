// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {GlobalState} from "../settlement/DisputeTypes.sol";

/// An app's side of a validity proof (docs/validity.md §5): what its circuit's proofs must show for
/// an assertion from `prevEnd` to `newEnd` over the inbox messages [prevEnd.inboxPosition,
/// newEnd.inboxPosition), which the ValidityVerifier has already checked against the inbox
/// accumulator.
interface IValidityBinding {
    /// The public signals of every chunk, chunk after chunk (`signalsPerChunk()` each, in the order
    /// of snarkjs's `publicSignals`), and the send root the assertion must end with. Reverts with a
    /// typed error when the messages cannot be proved or `witness` (the app's data: inclusion
    /// proofs, intermediate roots, …) does not check out.
    function publicSignals(
        GlobalState calldata prevEnd,
        GlobalState calldata newEnd,
        bytes[] calldata messages,
        bytes calldata witness
    ) external view returns (uint256[] memory signals, bytes32 sendRoot);

    /// How many public signals the app's circuit has (the Groth16 verifier's input length).
    function signalsPerChunk() external view returns (uint256);
}
