// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// The rollup's confirmed send (outbox) roots, as the bridge reads them (docs/inbox.md §7, inbox v1).
/// A send root is the root of the depth-32 withdrawal tree of docs/stf.md "Outbox" after some
/// confirmed state; once confirmed it stays confirmed.
interface ISendRoots {
    function isConfirmedSendRoot(bytes32 root) external view returns (bool);
}
