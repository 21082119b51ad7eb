// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// The settlement inbox's commitment to each message (docs/machine.md §6.2):
/// `messageHash = keccak(word(len) || root of the message's 32-byte chunks)`; zero when there is none.
interface IInboxMessages {
    function messageHash(uint64 position) external view returns (bytes32);
}
