// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Bls12381} from "../da/Bls12381.sol";

/// Test-only: exposes the Bls12381 library so the TS tests can compare it with noble-curves
/// (src/da/committee/keysets.test.ts). Never deployed by a chain.
contract Bls12381Probe {
    function hashToG1(bytes calldata message, bytes calldata dst) external view returns (bytes memory) {
        return Bls12381.hashToG1(message, dst);
    }

    function g2Add(bytes calldata a, bytes calldata b) external view returns (bytes memory) {
        return Bls12381.g2Add(a, b);
    }

    function g2Neg(bytes calldata a) external pure returns (bytes memory) {
        return Bls12381.g2Neg(a);
    }

    function verify(bytes calldata signature, bytes calldata message, bytes calldata dst, bytes calldata pk)
        external
        view
        returns (bool)
    {
        return Bls12381.verify(signature, Bls12381.hashToG1(message, dst), pk);
    }
}
