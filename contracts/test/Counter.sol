// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// Test fixture for the L1 harness: a counter with an owner-free increment and a reverting path.
contract Counter {
    uint256 public count;

    event Incremented(address indexed by, uint256 newCount);

    error TooLarge(uint256 requested, uint256 max);

    constructor(uint256 initial) {
        count = initial;
    }

    function increment() external {
        count += 1;
        emit Incremented(msg.sender, count);
    }

    /// Adds `by`; reverts with TooLarge when `by` exceeds 100.
    function add(uint256 by) external {
        if (by > 100) revert TooLarge(by, 100);
        count += by;
        emit Incremented(msg.sender, count);
    }
}
