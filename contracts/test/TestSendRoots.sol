// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ISendRoots} from "../settlement/ISendRoots.sol";

/// Test stand-in for the rollup's confirmed send roots (bridge unit tests only): roots are set directly.
contract TestSendRoots is ISendRoots {
    mapping(bytes32 => bool) public override isConfirmedSendRoot;

    function setConfirmed(bytes32 root, bool confirmed) external {
        isConfirmedSendRoot[root] = confirmed;
    }
}

/// Forwards a call (inbox tests: a contract as the sequencer, for the NotDirectCall path).
contract TestCaller {
    function forward(address to, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }
}
