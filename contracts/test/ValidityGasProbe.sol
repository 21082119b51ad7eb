// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CompactTrieProof} from "../validity/CompactTrieProof.sol";
import {OutboxFrontier} from "../validity/OutboxFrontier.sol";

/// Gas of the validity binding's parts, measured inside the call with gasleft() (docs/validity.md
/// §5.6; src/apps/ztoken/binding.test.ts): each returns its result and the gas the part used.
contract ValidityGasProbe {
    using OutboxFrontier for OutboxFrontier.Frontier;

    function trieRoot(bytes memory key, bytes memory value, bytes32[] memory siblings)
        external
        view
        returns (bytes32 root, uint256 used)
    {
        uint256 g = gasleft();
        root = CompactTrieProof.rootOf(key, value, siblings);
        used = g - gasleft();
    }

    function frontierRootAndAppend(OutboxFrontier.Frontier memory f, bytes32 leaf)
        external
        view
        returns (bytes32 root, uint256 rootGas, uint256 appendGas)
    {
        uint256 g = gasleft();
        root = f.root();
        rootGas = g - gasleft();
        g = gasleft();
        f.append(leaf);
        appendGas = g - gasleft();
    }

    function sha256Of(bytes memory data) external view returns (bytes32 h, uint256 used) {
        uint256 g = gasleft();
        h = sha256(data);
        used = g - gasleft();
    }
}
