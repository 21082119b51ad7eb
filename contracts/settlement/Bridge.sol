// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInbox} from "./IInbox.sol";
import {ISendRoots} from "./ISendRoots.sol";

/// The ETH bridge, inbox v1 (docs/inbox.md §7). Deposits lock ETH here and queue a deposit message
/// (kind 0x01) in the inbox's delayed inbox; withdrawals pay out leaves of the L2 outbox tree
/// (docs/stf.md "Outbox") proven against a send root the rollup has confirmed, each index once.
contract Bridge {
    /// docs/stf.md "Outbox": the withdrawal tree's depth.
    uint256 public constant OUTBOX_DEPTH = 32;

    IInbox public immutable inbox;
    ISendRoots public immutable sendRoots;

    /// bit (index & 255) of word (index >> 8) is set once withdrawal `index` is executed
    mapping(uint256 => uint256) internal spentBits;

    event DepositInitiated(uint64 indexed delayedIndex, address indexed from, address indexed l2To, uint256 amount);
    event WithdrawalExecuted(
        uint64 indexed index, address indexed from, address indexed to, uint256 amount, bytes32 sendRoot
    );

    error ZeroAddress();
    error ZeroDeposit();
    error ZeroRecipient();
    error BadProofLength(uint256 length, uint256 expected);
    error WithdrawalIndexOutOfRange(uint64 index);
    error SendRootNotConfirmed(bytes32 sendRoot);
    error WithdrawalAlreadySpent(uint64 index);
    error InvalidWithdrawalProof(uint64 index, bytes32 computedRoot, bytes32 sendRoot);
    error TransferFailed(address to, uint256 amount);

    constructor(IInbox inbox_, ISendRoots sendRoots_) {
        if (address(inbox_) == address(0) || address(sendRoots_) == address(0)) revert ZeroAddress();
        inbox = inbox_;
        sendRoots = sendRoots_;
    }

    /// §7.1: locks msg.value and queues `0x01 ‖ l2To ‖ msg.value` in the delayed inbox.
    function depositEth(address l2To) external payable returns (uint64 delayedIndex) {
        if (msg.value == 0) revert ZeroDeposit();
        if (l2To == address(0)) revert ZeroRecipient();
        delayedIndex = inbox.enqueueDeposit(l2To, msg.value);
        emit DepositInitiated(delayedIndex, msg.sender, l2To, msg.value);
    }

    function withdrawalSpent(uint64 index) public view returns (bool) {
        return (spentBits[index >> 8] >> (index & 255)) & 1 == 1;
    }

    /// §7.2: pays withdrawal `index` (leaf keccak256(index u64 ‖ from ‖ to ‖ amount u256)) to `to` once,
    /// given its 32 siblings (leaf level first) up to a confirmed send root. Anyone may call it.
    function executeWithdrawal(
        uint64 index,
        address from,
        address to,
        uint256 amount,
        bytes32 sendRoot,
        bytes32[] calldata proof
    ) external {
        if (proof.length != OUTBOX_DEPTH) revert BadProofLength(proof.length, OUTBOX_DEPTH);
        if (index >> OUTBOX_DEPTH != 0) revert WithdrawalIndexOutOfRange(index);
        if (!sendRoots.isConfirmedSendRoot(sendRoot)) revert SendRootNotConfirmed(sendRoot);
        if (withdrawalSpent(index)) revert WithdrawalAlreadySpent(index);
        bytes32 root = _root(keccak256(abi.encodePacked(index, from, to, amount)), index, proof);
        if (root != sendRoot) revert InvalidWithdrawalProof(index, root, sendRoot);

        spentBits[index >> 8] |= 1 << (index & 255); // before the transfer (reentrancy)
        emit WithdrawalExecuted(index, from, to, amount, sendRoot);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }

    /// Hashes up: at height h, index bit h = 1 means the node is the right child (docs/stf.md "Outbox").
    function _root(bytes32 leaf, uint64 index, bytes32[] calldata proof) internal pure returns (bytes32 node) {
        node = leaf;
        assembly ("memory-safe") {
            let p := proof.offset
            for { let h := 0 } lt(h, 32) { h := add(h, 1) } {
                let sib := calldataload(add(p, shl(5, h)))
                switch and(shr(h, index), 1)
                case 0 {
                    mstore(0, node)
                    mstore(32, sib)
                }
                default {
                    mstore(0, sib)
                    mstore(32, node)
                }
                node := keccak256(0, 64)
            }
        }
    }
}
