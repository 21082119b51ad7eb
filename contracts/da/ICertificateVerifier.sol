// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// The committee certificate check the inbox calls for batch kind 0x03 (docs/committee.md §3, §4).
interface ICertificateVerifier {
    /// Reverts with a typed error unless `certificate` (docs/committee.md §3) is valid now; returns the certified data hash.
    function verifyCertificate(bytes calldata certificate) external view returns (bytes32 dataHash);
}
