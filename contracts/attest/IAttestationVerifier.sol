// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// The committee check Rollup.confirmAttested calls (docs/attested.md §4).
interface IAttestationVerifier {
    /// Reverts with a typed error unless `attestation` (docs/attested.md §3.2) is a quorum of the
    /// current or previous epoch's active committee signing `assertionId` after `prevId`; returns the epoch.
    function verifyAttestation(bytes32 prevId, bytes32 assertionId, bytes calldata attestation)
        external
        view
        returns (uint64 epoch);
}
