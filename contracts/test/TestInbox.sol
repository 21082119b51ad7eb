// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInboxMessages} from "../osp/IInboxMessages.sol";

/// Test inbox for the one-step prover: message commitments set directly.
contract TestInbox is IInboxMessages {
    mapping(uint64 => bytes32) public override messageHash;

    function setMessageHash(uint64 position, bytes32 hash) external {
        messageHash[position] = hash;
    }
}
