// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// The withdrawal precompile of a modex EVM chain (docs/evm.md, chain path v1).
interface IWithdraw {
    function withdraw(address to) external payable;
}

/// What the Foundry client test deploys with `forge create` and drives with `cast send` / `cast call`.
contract Counter {
    uint256 public number;
    address public lastCaller;

    event NumberSet(address indexed by, uint256 number);

    constructor(uint256 start) {
        number = start;
    }

    function setNumber(uint256 n) external {
        number = n;
        lastCaller = msg.sender;
        emit NumberSet(msg.sender, n);
    }

    function increment() external {
        number += 1;
        lastCaller = msg.sender;
        emit NumberSet(msg.sender, number);
    }

    /// forwards the ETH sent to L1 through 0x64: the withdrawal's `from` is this contract
    function withdrawTo(address to) external payable {
        IWithdraw(address(0x64)).withdraw{value: msg.value}(to);
    }
}
