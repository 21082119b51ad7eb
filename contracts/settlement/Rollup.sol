// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAttestationVerifier} from "../attest/IAttestationVerifier.sol";
import {AssertionData, DisputeHash, GlobalState} from "./DisputeTypes.sol";

interface IInboxLength {
    function messageCount() external view returns (uint64);
}

interface IEdgeConfirmations {
    function layerZeroHeight() external view returns (uint8);
    function edgeConfirmed(bytes32 edgeId) external view returns (bool);
}

/// Assertions, stakes and confirmation (docs/dispute.md §2). Disputes between rival assertions
/// are played in the ChallengeManager; an assertion with rivals confirms once its level-0 edge does.
/// With a validator committee (docs/attested.md §4) a quorum's attestation confirms an assertion
/// without rivals at once (`confirmAttested`), or creates and confirms one in one transaction
/// (`createAttestedAssertion`).
/// With validity proofs in that slot and a prove window (docs/validity.md §6, hybrid disputes), an
/// assertion can be challenged without bisection: the challenge locks a bond, a validity proof of
/// the assertion within the prove window confirms it (the challenger's bond to the asserter), and
/// without one the assertion is rejected (`rejectUnproven`: the asserter's bond to the challenger).
/// A validity proof also confirms an assertion that has rivals (a proof is not an opinion).
contract Rollup {
    uint8 internal constant NONE = 0;
    uint8 internal constant PENDING = 1;
    uint8 internal constant CONFIRMED = 2;
    /// docs/validity.md §6: challenged and not proven within the prove window
    uint8 internal constant REJECTED = 3;

    /// One slot per assertion (§2.1).
    struct Node {
        uint8 status;
        bool hasRival;
        uint40 createdAt;
        uint40 firstChildAt;
        address asserter;
    }

    IInboxLength public immutable inbox;
    IEdgeConfirmations public immutable challengeManager;
    uint256 public immutable assertionBond;
    uint64 public immutable challengePeriod;
    uint8 public immutable layerZeroHeight;
    bytes32 public immutable genesisId;
    /// docs/attested.md §4: the committee whose attestations confirm at once (zero: none)
    IAttestationVerifier public immutable committee;
    /// docs/validity.md §6: seconds a challenged assertion has to be proven (0: no hybrid disputes;
    /// then `committee` is a committee, whose attestation never overrides a rival)
    uint64 public immutable proveWindow;

    /// docs/validity.md §6: who challenged an assertion, and when
    struct Challenge {
        address challenger;
        uint40 at;
    }

    mapping(bytes32 => Node) public nodes;
    /// staker -> its latest assertion (0: not staked)
    mapping(address => bytes32) public latestStakedAssertion;
    mapping(bytes32 => bytes32) public confirmedChild;
    /// keccak256(prevId, historyRoot) -> the assertion making that claim: one assertion per claim, so
    /// a copy of a claim (same history, another nextInboxPosition) cannot become its rival (§2.2)
    mapping(bytes32 => bytes32) public assertionOfClaim;
    mapping(bytes32 => bool) internal confirmedSendRoots;
    /// payouts that could not be pushed (the recipient refused ETH)
    mapping(address => uint256) public owed;
    bytes32 public latestConfirmed;
    mapping(bytes32 => Challenge) public challenges;

    event AssertionCreated(bytes32 indexed id, bytes32 indexed prevId, address indexed asserter, AssertionData data);
    event AssertionConfirmed(bytes32 indexed id, bytes32 indexed prevId, bytes32 sendRoot, bool byChallenge);
    event StakeWithdrawn(address indexed staker, uint256 amount);
    event StakeSlashed(address indexed staker, bytes32 indexed lostAssertion, address indexed winner, uint256 amount);
    event AssertionAttested(bytes32 indexed id, uint64 epoch);
    event AssertionChallenged(bytes32 indexed id, address indexed challenger, uint256 proveBy);
    event AssertionUnproven(bytes32 indexed id, address indexed challenger);

    error UnknownAssertion(bytes32 id);
    error AssertionRejected(bytes32 id);
    error AssertionExists(bytes32 id);
    error NotPending(bytes32 id);
    error WrongInboxPosition(uint64 expected, uint64 inboxPosition, uint64 positionInMessage);
    error InboxTooShort(uint64 needed, uint64 messageCount);
    error WrongBond(uint256 expected, uint256 sent);
    error StakeOnOtherBranch(bytes32 latestStaked);
    error PrevNotLatestConfirmed(bytes32 prevId, bytes32 latestConfirmed);
    error TooEarly(uint256 confirmableAt);
    error RivalsNotDecided(bytes32 layerZeroEdgeId);
    error NotStaked(address staker);
    error StakeNotConfirmed(bytes32 latestStaked);
    error BadChain(uint256 index);
    error NotRejected(bytes32 id);
    error TransferFailed(address to, uint256 amount);
    error AttestationsDisabled();
    error HasRival(bytes32 prevId);
    error NoHybridDisputes();
    error AlreadyChallenged(bytes32 id);
    error ChallengePeriodOver(uint256 endedAt);
    error Challenged(bytes32 id, uint256 proveBy);
    error NotChallenged(bytes32 id);
    error ProveWindowOpen(uint256 closesAt);
    error ProveWindowOver(uint256 closedAt);

    constructor(
        IInboxLength inbox_,
        IEdgeConfirmations challengeManager_,
        uint256 assertionBond_,
        uint64 challengePeriod_,
        GlobalState memory genesis,
        IAttestationVerifier committee_,
        uint64 proveWindow_
    ) {
        if (proveWindow_ != 0 && address(committee_) == address(0)) revert NoHybridDisputes();
        inbox = inbox_;
        challengeManager = challengeManager_;
        assertionBond = assertionBond_;
        challengePeriod = challengePeriod_;
        committee = committee_;
        proveWindow = proveWindow_;
        layerZeroHeight = challengeManager_.layerZeroHeight();
        AssertionData memory g = AssertionData({
            prevId: bytes32(0),
            prevStateHash: bytes32(0),
            blockCount: 0,
            end: genesis,
            historyRoot: bytes32(0),
            nextInboxPosition: genesis.inboxPosition + 1
        });
        bytes32 id = DisputeHash.assertionId(g);
        nodes[id] = Node(CONFIRMED, false, uint40(block.timestamp), 0, address(0));
        genesisId = id;
        latestConfirmed = id;
        confirmedSendRoots[genesis.sendRoot] = true;
        emit AssertionCreated(id, bytes32(0), address(0), g);
        emit AssertionConfirmed(id, bytes32(0), genesis.sendRoot, false);
    }

    /// §2.2. Returns the new assertion's id.
    function createAssertion(AssertionData calldata prev, GlobalState calldata end, bytes32 historyInner)
        external
        payable
        returns (bytes32 id)
    {
        (id,,) = _create(prev, end, historyInner);
    }

    /// docs/attested.md §4: `createAssertion`, then, in the same transaction, the confirmation of
    /// `confirmAttested`: `prev` must be the latest confirmed assertion, the new one its only child,
    /// and `att` a quorum's attestation of the new assertion's id. Any failure reverts it all.
    function createAttestedAssertion(
        AssertionData calldata prev,
        GlobalState calldata end,
        bytes32 historyInner,
        bytes calldata att
    ) external payable returns (bytes32 id) {
        if (address(committee) == address(0)) revert AttestationsDisabled();
        AssertionData memory a;
        bool onlyChild;
        (id, a, onlyChild) = _create(prev, end, historyInner);
        if (a.prevId != latestConfirmed) revert PrevNotLatestConfirmed(a.prevId, latestConfirmed);
        if (!onlyChild && proveWindow == 0) revert HasRival(a.prevId);
        uint64 epoch = committee.verifyAttestation(a.prevId, id, att);
        emit AssertionAttested(id, epoch);
        _confirm(id, a.prevId, a.end.sendRoot, false);
    }

    /// §2.2: creates the assertion after `prev`; `onlyChild` is whether `prev` had no child before.
    function _create(AssertionData calldata prev, GlobalState calldata end, bytes32 historyInner)
        internal
        returns (bytes32 id, AssertionData memory a, bool onlyChild)
    {
        bytes32 prevId = DisputeHash.assertionId(prev);
        Node memory p = nodes[prevId];
        if (p.status == NONE) revert UnknownAssertion(prevId);
        if (p.status == REJECTED) revert AssertionRejected(prevId);
        if (p.status == PENDING) {
            bytes32 sibling = confirmedChild[prev.prevId];
            if (sibling != bytes32(0) && sibling != prevId) revert AssertionRejected(prevId);
        }
        a = _next(prev, prevId, end, historyInner);
        id = DisputeHash.assertionId(a);
        bytes32 claim = keccak256(abi.encode(prevId, a.historyRoot));
        bytes32 existing = assertionOfClaim[claim];
        if (existing != bytes32(0)) revert AssertionExists(existing);
        assertionOfClaim[claim] = id;
        _moveStake(prevId, id);
        nodes[id] = Node(PENDING, false, uint40(block.timestamp), 0, msg.sender);
        onlyChild = p.firstChildAt == 0;
        if (onlyChild) nodes[prevId].firstChildAt = uint40(block.timestamp);
        else if (!p.hasRival) nodes[prevId].hasRival = true;
        emit AssertionCreated(id, prevId, msg.sender, a);
    }

    function _next(AssertionData calldata prev, bytes32 prevId, GlobalState calldata end, bytes32 historyInner)
        internal
        view
        returns (AssertionData memory a)
    {
        uint64 startPos = prev.end.inboxPosition;
        uint64 target = prev.nextInboxPosition;
        uint256 cap = uint256(startPos) + (uint256(1) << layerZeroHeight);
        if (target > cap) target = uint64(cap);
        if (end.inboxPosition != target || end.positionInMessage != 0) {
            revert WrongInboxPosition(target, end.inboxPosition, end.positionInMessage);
        }
        uint64 count = inbox.messageCount();
        if (count < target) revert InboxTooShort(target, count);
        bytes32 prevStateHash = DisputeHash.stateHash(prev.end);
        a.prevId = prevId;
        a.prevStateHash = prevStateHash;
        a.blockCount = target - startPos;
        a.end = end;
        a.historyRoot = DisputeHash.node(prevStateHash, DisputeHash.stateHash(end), historyInner);
        a.nextInboxPosition = count > target ? count : target + 1;
    }

    function _moveStake(bytes32 prevId, bytes32 id) internal {
        bytes32 latest = latestStakedAssertion[msg.sender];
        if (latest == bytes32(0)) {
            if (msg.value != assertionBond) revert WrongBond(assertionBond, msg.value);
        } else {
            if (msg.value != 0) revert WrongBond(0, msg.value);
            if (latest != prevId && nodes[latest].status != CONFIRMED) revert StakeOnOtherBranch(latest);
        }
        latestStakedAssertion[msg.sender] = id;
    }

    /// §2.3
    function confirmAssertion(AssertionData calldata a) external {
        bytes32 id = DisputeHash.assertionId(a);
        Node memory n = nodes[id];
        if (n.status != PENDING) revert NotPending(id);
        if (a.prevId != latestConfirmed) revert PrevNotLatestConfirmed(a.prevId, latestConfirmed);
        bool byChallenge = nodes[a.prevId].hasRival;
        if (byChallenge) {
            bytes32 edge = layerZeroEdgeId(a);
            if (!challengeManager.edgeConfirmed(edge)) revert RivalsNotDecided(edge);
        } else if (block.timestamp < uint256(n.createdAt) + challengePeriod) {
            revert TooEarly(uint256(n.createdAt) + challengePeriod);
        } else if (challenges[id].challenger != address(0)) {
            revert Challenged(id, uint256(challenges[id].at) + proveWindow);
        }
        _confirm(id, a.prevId, a.end.sendRoot, byChallenge);
    }

    /// docs/attested.md §4: confirms `a` at once on a quorum's attestation `att` when its parent is
    /// the latest confirmed assertion and has no rival (with a rival, the dispute decides).
    /// docs/validity.md §6 (hybrid, `proveWindow` > 0): `att` is a validity proof; it confirms `a`
    /// even with rivals, and a challenged `a` only within the prove window, paying the challenger's
    /// bond to `a`'s asserter.
    function confirmAttested(AssertionData calldata a, bytes calldata att) external {
        if (address(committee) == address(0)) revert AttestationsDisabled();
        bytes32 id = DisputeHash.assertionId(a);
        if (nodes[id].status != PENDING) revert NotPending(id);
        if (a.prevId != latestConfirmed) revert PrevNotLatestConfirmed(a.prevId, latestConfirmed);
        if (proveWindow == 0 && nodes[a.prevId].hasRival) revert HasRival(a.prevId);
        Challenge memory c = challenges[id];
        if (c.challenger != address(0) && block.timestamp > uint256(c.at) + proveWindow) {
            revert ProveWindowOver(uint256(c.at) + proveWindow);
        }
        uint64 epoch = committee.verifyAttestation(a.prevId, id, att);
        emit AssertionAttested(id, epoch);
        _confirm(id, a.prevId, a.end.sendRoot, false);
        if (c.challenger != address(0)) _pay(nodes[id].asserter, assertionBond);
    }

    /// docs/validity.md §6: challenges a pending assertion within its challenge period, locking
    /// `assertionBond`; it must then be proven within `proveWindow` or be rejected.
    function challenge(AssertionData calldata a) external payable {
        if (proveWindow == 0) revert NoHybridDisputes();
        bytes32 id = DisputeHash.assertionId(a);
        Node memory n = nodes[id];
        if (n.status != PENDING) revert NotPending(id);
        if (challenges[id].challenger != address(0)) revert AlreadyChallenged(id);
        uint256 ends = uint256(n.createdAt) + challengePeriod;
        if (block.timestamp >= ends) revert ChallengePeriodOver(ends);
        if (msg.value != assertionBond) revert WrongBond(assertionBond, msg.value);
        challenges[id] = Challenge(msg.sender, uint40(block.timestamp));
        emit AssertionChallenged(id, msg.sender, block.timestamp + proveWindow);
    }

    /// docs/validity.md §6: rejects a challenged assertion that was not proven within the prove
    /// window. The challenger gets its bond back and, when the asserter's stake is still on this
    /// assertion, the asserter's bond (else `slash` pays it to the challenger later).
    function rejectUnproven(AssertionData calldata a) external {
        bytes32 id = DisputeHash.assertionId(a);
        Challenge memory c = challenges[id];
        if (c.challenger == address(0)) revert NotChallenged(id);
        if (nodes[id].status != PENDING) revert NotPending(id);
        uint256 closes = uint256(c.at) + proveWindow;
        if (block.timestamp <= closes) revert ProveWindowOpen(closes);
        nodes[id].status = REJECTED;
        emit AssertionUnproven(id, c.challenger);
        address asserter = nodes[id].asserter;
        uint256 amount = assertionBond;
        if (latestStakedAssertion[asserter] == id) {
            delete latestStakedAssertion[asserter];
            emit StakeSlashed(asserter, id, c.challenger, assertionBond);
            amount += assertionBond;
        }
        _pay(c.challenger, amount);
    }

    function _confirm(bytes32 id, bytes32 prevId, bytes32 sendRoot, bool byChallenge) internal {
        nodes[id].status = CONFIRMED;
        latestConfirmed = id;
        confirmedChild[prevId] = id;
        confirmedSendRoots[sendRoot] = true;
        emit AssertionConfirmed(id, prevId, sendRoot, byChallenge);
    }

    /// §4.1: the id of `a`'s level-0 top edge.
    function layerZeroEdgeId(AssertionData calldata a) public view returns (bytes32) {
        bytes32 k = DisputeHash.key(0, a.prevId, 0, layerZeroHeight, a.prevStateHash);
        return DisputeHash.edgeId(k, a.historyRoot);
    }

    /// §2.4
    function withdrawStake() external {
        bytes32 latest = latestStakedAssertion[msg.sender];
        if (latest == bytes32(0)) revert NotStaked(msg.sender);
        if (nodes[latest].status != CONFIRMED) revert StakeNotConfirmed(latest);
        delete latestStakedAssertion[msg.sender];
        _pay(msg.sender, assertionBond);
        emit StakeWithdrawn(msg.sender, assertionBond);
    }

    /// §2.4: `chain[0]` is the staker's latest assertion, each next entry its predecessor, and the
    /// last entry's predecessor confirmed another child. The bond goes to that child's asserter.
    function slash(address staker, AssertionData[] calldata chain) external {
        bytes32 latest = latestStakedAssertion[staker];
        if (latest == bytes32(0)) revert NotStaked(staker);
        if (chain.length == 0) revert BadChain(0);
        bytes32 cur = DisputeHash.assertionId(chain[0]);
        if (cur != latest) revert BadChain(0);
        for (uint256 i = 1; i < chain.length; i++) {
            bytes32 next = DisputeHash.assertionId(chain[i]);
            if (chain[i - 1].prevId != next) revert BadChain(i);
            cur = next;
        }
        address to;
        if (nodes[cur].status == REJECTED) {
            // docs/validity.md §6: rejected unproven; its challenger takes the stake
            to = challenges[cur].challenger;
        } else {
            bytes32 winner = confirmedChild[chain[chain.length - 1].prevId];
            if (winner == bytes32(0) || winner == cur) revert NotRejected(cur);
            to = nodes[winner].asserter;
        }
        delete latestStakedAssertion[staker];
        _pay(to, assertionBond);
        emit StakeSlashed(staker, latest, to, assertionBond);
    }

    /// Pays out what `_pay` could not push.
    function claimOwed() external {
        uint256 amount = owed[msg.sender];
        owed[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    function _pay(address to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) owed[to] += amount;
    }

    function isConfirmedSendRoot(bytes32 root) external view returns (bool) {
        return confirmedSendRoots[root];
    }

    function assertionStatus(bytes32 id) external view returns (uint8) {
        return nodes[id].status;
    }

    function hasRival(bytes32 id) external view returns (bool) {
        return nodes[id].hasRival;
    }

    /// who created assertion `id` (and staked on it); zero for an unknown one
    function asserterOf(bytes32 id) external view returns (address) {
        return nodes[id].asserter;
    }

    function assertionId(AssertionData calldata a) external pure returns (bytes32) {
        return DisputeHash.assertionId(a);
    }
}
