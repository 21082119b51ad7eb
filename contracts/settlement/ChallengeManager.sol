// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleProof} from "../osp/MerkleProof.sol";
import {AssertionData, DisputeHash, EdgeRef, GlobalState} from "./DisputeTypes.sol";

interface IOneStepProver {
    function proveOneStep(bytes32 moduleRoot, bytes32 preStateHash, bytes calldata proof)
        external
        view
        returns (bytes32);
}

interface IRollupAssertions {
    function assertionStatus(bytes32 id) external view returns (uint8);
    function hasRival(bytes32 id) external view returns (bool);
    function confirmedChild(bytes32 prevId) external view returns (bytes32);
    function asserterOf(bytes32 id) external view returns (address);
}

/// Edges, dissection, timers and one-step proofs (docs/dispute.md §4): a BOLD-style, permissionless
/// challenge between any number of rival assertions. Edges are not stored: calls take an `EdgeRef`
/// and recompute its key and id; per key the first edge and the time a rival appeared are kept.
contract ChallengeManager {
    using DisputeHash for EdgeRef;

    uint64 internal constant INF = type(uint64).max;
    uint8 internal constant PENDING = 1;

    /// §4.3: the first edge at a key (first 24 bytes of its id) and when it appeared.
    struct KeyInfo {
        bytes24 firstTag;
        uint64 firstAt;
    }

    /// §4.3: what moves add to an edge.
    struct EdgeInfo {
        bool exists; // registered, but not first at its key
        bool confirmed;
        bool dissected;
        bool bondHeld;
        uint64 timerCache;
        address payer;
    }

    IOneStepProver public immutable prover;
    bytes32 public immutable moduleRoot;
    uint64 public immutable challengePeriod;
    uint256 public immutable edgeBond;
    uint8 public immutable layerZeroHeight;
    /// §5: the parts of the initial machine hash fixed by the module
    uint256 internal immutable scalars0;
    bytes32 internal immutable globalsRoot0;
    bytes32 internal immutable memoryRoot0;
    address internal immutable deployer;

    uint8[] internal heights;
    IRollupAssertions public rollup;

    mapping(bytes32 => KeyInfo) internal keys;
    mapping(bytes32 => uint64) public rivaledAt;
    mapping(bytes32 => bytes32) public confirmedAtKey;
    mapping(bytes32 => EdgeInfo) internal edges;
    /// top edge of a level k+1 -> the level-k edge it claims
    mapping(bytes32 => bytes32) public claimOf;
    /// level-0 origin (the assertions' predecessor) -> its assertions' block count
    mapping(bytes32 => uint64) public blockCountOf;
    /// §4.4: origin of the top edges of a level ≥ 1 (the key of the edge they claim) -> the
    /// assertions' predecessor their dispute is about (a level-0 edge's origin is that predecessor)
    mapping(bytes32 => bytes32) public disputeOfOrigin;

    event EdgeCreated(bytes32 indexed id, bytes32 indexed key, EdgeRef edge, bytes32 claimId, address payer);
    event EdgeDissected(bytes32 indexed id, bytes32 indexed key, EdgeRef edge, bytes32[] boundaries, bytes32[] inners);
    event EdgeRivaled(bytes32 indexed key, bytes32 indexed rivalId, uint64 at);
    event TimerUpdated(bytes32 indexed id, uint64 timer);
    event EdgeProved(bytes32 indexed id, bytes32 indexed key, bool byPadding);
    event EdgeConfirmed(bytes32 indexed id, bytes32 indexed key, uint64 timer);
    event BondPaid(bytes32 indexed id, address indexed to, uint256 amount, bool swept);

    error BadParameters();
    error AlreadyInitialized();
    error NotDeployer();
    error WrongBond(uint256 expected, uint256 sent);
    error AssertionNotPending(bytes32 assertionId);
    error NoRivalAssertion(bytes32 prevId);
    error EdgeExists(bytes32 id);
    error UnknownEdge(bytes32 id);
    error EdgeNotRivaled(bytes32 id);
    error AlreadyDissected(bytes32 id);
    error WrongWidth(uint8 w);
    error WrongLevel(uint8 level);
    error BadDissection();
    error ClaimMismatch();
    error PaddingBlock(uint64 index, uint64 blockCount);
    error NotPadding(uint64 index, uint64 blockCount);
    error EndStateMismatch();
    error ProofMismatch(bytes32 postState);
    error NotClaimedBy(bytes32 claimId, bytes32 edgeId);
    error TimerTooLow(uint64 timer, uint64 needed);
    error RivalConfirmed(bytes32 confirmedId);
    error NotConfirmed(bytes32 id);
    error NoBond(bytes32 id);
    error NotRivals();
    error DisputeUndecided(bytes32 prevId);
    error TransferFailed(address to, uint256 amount);

    /// `heights[0]` is the block level, `heights[1..]` the step levels (§1); `moduleFields` are the
    /// 5 words of the module root (docs/machine.md §4.3).
    constructor(
        IOneStepProver prover_,
        bytes32[5] memory moduleFields,
        uint8[] memory heights_,
        uint64 challengePeriod_,
        uint256 edgeBond_
    ) {
        uint256 stepHeight;
        if (heights_.length < 2 || heights_[0] == 0 || heights_[0] > 32) revert BadParameters();
        for (uint256 i = 1; i < heights_.length; i++) {
            if (heights_[i] == 0) revert BadParameters();
            stepHeight += heights_[i];
        }
        if (stepHeight > 48) revert BadParameters();
        prover = prover_;
        heights = heights_;
        layerZeroHeight = heights_[0];
        challengePeriod = challengePeriod_;
        edgeBond = edgeBond_;
        deployer = msg.sender;
        moduleRoot = keccak256(abi.encode(moduleFields));
        uint256 sizes = uint256(moduleFields[3]);
        uint256 numGlobals = (sizes >> 128) & 0xffffffff;
        uint256 initialPages = (sizes >> 96) & 0xffffffff;
        uint256 maxPages = (sizes >> 64) & 0xffffffff;
        scalars0 = initialPages << 64;
        globalsRoot0 = MerkleProof.zeroRoot(MerkleProof.ceilLog2(numGlobals));
        memoryRoot0 = MerkleProof.zeroRoot(11 + MerkleProof.ceilLog2(maxPages == 0 ? 1 : maxPages));
    }

    /// One-time wiring (the rollup is deployed after this contract).
    function initialize(IRollupAssertions rollup_) external {
        if (msg.sender != deployer) revert NotDeployer();
        if (address(rollup) != address(0)) revert AlreadyInitialized();
        rollup = rollup_;
    }

    function levelHeights() external view returns (uint8[] memory) {
        return heights;
    }

    /// §5
    function initialMachineHash(bytes32 globalStateHash) public view returns (bytes32) {
        return keccak256(abi.encode(scalars0, bytes32(0), bytes32(0), globalsRoot0, memoryRoot0, moduleRoot, globalStateHash));
    }

    // ---------------------------------------------------------------- §4.1 top edges

    function createLayerZeroEdge(AssertionData calldata a) external payable returns (bytes32 id) {
        if (msg.value != edgeBond) revert WrongBond(edgeBond, msg.value);
        bytes32 aId = DisputeHash.assertionId(a);
        if (rollup.assertionStatus(aId) != PENDING) revert AssertionNotPending(aId);
        if (!rollup.hasRival(a.prevId)) revert NoRivalAssertion(a.prevId);
        EdgeRef memory e = EdgeRef(0, a.prevId, 0, layerZeroHeight, a.prevStateHash, a.historyRoot);
        bytes32 k = DisputeHash.key(0, a.prevId, 0, layerZeroHeight, a.prevStateHash);
        id = DisputeHash.edgeId(k, a.historyRoot);
        if (!_register(k, id)) revert EdgeExists(id);
        blockCountOf[a.prevId] = a.blockCount;
        _holdBond(id);
        emit EdgeCreated(id, k, e, aId, msg.sender);
    }

    /// §4.1, k = 0: opens the first step level for the rivaled single-block edge `c`. `start` is the
    /// block's start global state, `claimedEnd` c's end state, `endMachine` the 7 words of the end
    /// machine (docs/machine.md §4.6), `inner` the new edge's inner root.
    function createBlockStepEdge(
        EdgeRef calldata c,
        GlobalState calldata start,
        bytes32 claimedEnd,
        bytes32[7] calldata endMachine,
        bytes32 inner
    ) external payable returns (bytes32 id) {
        if (c.level != 0) revert WrongLevel(c.level);
        bytes32 cId = _claimable(c);
        uint64 count = blockCountOf[c.origin];
        if (c.start >= count) revert PaddingBlock(c.start, count);
        if (DisputeHash.stateHash(start) != c.startState) revert ClaimMismatch();
        if (DisputeHash.node(c.startState, claimedEnd, 0) != c.root) revert ClaimMismatch();
        uint256 status = (uint256(endMachine[0]) >> 192) & 0xff;
        bytes32 expected = status == 1 ? endMachine[6] : DisputeHash.skipStateHash(start);
        if (expected != claimedEnd) revert EndStateMismatch();
        bytes32 m0 = initialMachineHash(c.startState);
        bytes32 mEnd = keccak256(abi.encode(endMachine));
        id = _createTop(c, cId, m0, DisputeHash.node(m0, mEnd, inner));
    }

    /// §4.1, k >= 1: opens step level k+1 for the rivaled single-step-range edge `c`.
    function createStepSubEdge(EdgeRef calldata c, bytes32 claimedEnd, bytes32 inner)
        external
        payable
        returns (bytes32 id)
    {
        if (c.level == 0 || uint256(c.level) + 1 >= heights.length) revert WrongLevel(c.level);
        bytes32 cId = _claimable(c);
        if (DisputeHash.node(c.startState, claimedEnd, 0) != c.root) revert ClaimMismatch();
        id = _createTop(c, cId, c.startState, DisputeHash.node(c.startState, claimedEnd, inner));
    }

    function _claimable(EdgeRef calldata c) internal view returns (bytes32 cId) {
        if (c.w != 0) revert WrongWidth(c.w);
        bytes32 k = c.edgeKey();
        cId = DisputeHash.edgeId(k, c.root);
        if (!_exists(k, cId)) revert UnknownEdge(cId);
        if (rivaledAt[k] == 0) revert EdgeNotRivaled(cId);
    }

    function _createTop(EdgeRef calldata c, bytes32 cId, bytes32 startState, bytes32 root)
        internal
        returns (bytes32 id)
    {
        if (msg.value != edgeBond) revert WrongBond(edgeBond, msg.value);
        uint8 level = c.level + 1;
        bytes32 origin = c.edgeKey();
        if (disputeOfOrigin[origin] == bytes32(0)) {
            disputeOfOrigin[origin] = c.level == 0 ? c.origin : disputeOfOrigin[c.origin];
        }
        EdgeRef memory e = EdgeRef(level, origin, 0, heights[level], startState, root);
        bytes32 k = DisputeHash.key(level, origin, 0, heights[level], startState);
        id = DisputeHash.edgeId(k, root);
        if (!_register(k, id)) revert EdgeExists(id);
        claimOf[id] = cId;
        _holdBond(id);
        emit EdgeCreated(id, k, e, cId, msg.sender);
    }

    // ---------------------------------------------------------------- §4.2 dissection

    function dissect(EdgeRef calldata e, bytes32[] calldata boundaries, bytes32[] calldata inners) external {
        (bytes32 k, bytes32 id) = _known(e);
        if (rivaledAt[k] == 0) revert EdgeNotRivaled(id);
        EdgeInfo storage info = edges[id];
        if (info.dissected) revert AlreadyDissected(id);
        info.dissected = true;
        (bytes32[] memory ckeys, bytes32[] memory cids) = _children(e, boundaries, inners);
        for (uint256 j = 0; j < ckeys.length; j++) {
            _register(ckeys[j], cids[j]);
        }
        emit EdgeDissected(id, k, e, boundaries, inners);
    }

    /// Checks a dissection of `e` (§4.2) and returns the children's keys and ids.
    function _children(EdgeRef calldata e, bytes32[] calldata b, bytes32[] calldata inners)
        internal
        pure
        returns (bytes32[] memory ckeys, bytes32[] memory cids)
    {
        if (e.w == 0) revert WrongWidth(e.w);
        uint256 d = DisputeHash.splitBits(e.w);
        uint256 n = uint256(1) << d;
        if (b.length != n + 1 || inners.length != n || b[0] != e.startState) revert BadDissection();
        cids = new bytes32[](n);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 j = 0; j < n; j++) {
            leaves[j] = DisputeHash.node(b[j], b[j + 1], inners[j]);
        }
        ckeys = _childKeys(e, b, e.w - d);
        for (uint256 j = 0; j < n; j++) {
            cids[j] = DisputeHash.edgeId(ckeys[j], leaves[j]);
        }
        if (DisputeHash.node(b[0], b[n], DisputeHash.merkleRoot(leaves)) != e.root) revert BadDissection();
    }

    function _childKeys(EdgeRef calldata e, bytes32[] calldata b, uint256 childW)
        internal
        pure
        returns (bytes32[] memory ckeys)
    {
        uint256 n = b.length - 1;
        ckeys = new bytes32[](n);
        for (uint256 j = 0; j < n; j++) {
            ckeys[j] = DisputeHash.key(e.level, e.origin, e.start + (j << childW), childW, b[j]);
        }
    }

    // ---------------------------------------------------------------- §4.3 registration and timers

    /// Registers edge `id` at key `k`; false when it already existed.
    function _register(bytes32 k, bytes32 id) internal returns (bool) {
        KeyInfo memory ki = keys[k];
        if (ki.firstAt == 0) {
            keys[k] = KeyInfo(bytes24(id), uint64(block.timestamp));
            return true;
        }
        if (ki.firstTag == bytes24(id)) return false;
        EdgeInfo storage info = edges[id];
        if (info.exists) return false;
        info.exists = true;
        if (rivaledAt[k] == 0) {
            rivaledAt[k] = uint64(block.timestamp);
            emit EdgeRivaled(k, id, uint64(block.timestamp));
        }
        return true;
    }

    function _exists(bytes32 k, bytes32 id) internal view returns (bool) {
        KeyInfo memory ki = keys[k];
        return (ki.firstAt != 0 && ki.firstTag == bytes24(id)) || edges[id].exists;
    }

    function _known(EdgeRef calldata e) internal view returns (bytes32 k, bytes32 id) {
        k = e.edgeKey();
        id = DisputeHash.edgeId(k, e.root);
        if (!_exists(k, id)) revert UnknownEdge(id);
    }

    function _unrivaled(bytes32 k, bytes32 id) internal view returns (uint64) {
        KeyInfo memory ki = keys[k];
        if (ki.firstAt == 0 || ki.firstTag != bytes24(id)) return 0;
        uint64 r = rivaledAt[k];
        return (r == 0 ? uint64(block.timestamp) : r) - ki.firstAt;
    }

    function _total(bytes32 k, bytes32 id) internal view returns (uint64) {
        uint64 c = edges[id].timerCache;
        uint64 u = _unrivaled(k, id);
        return c > u ? c : u;
    }

    function _add(uint64 a, uint64 b) internal pure returns (uint64) {
        uint256 s = uint256(a) + b;
        return s > INF ? INF : uint64(s);
    }

    function _setCache(bytes32 id, uint64 t) internal {
        EdgeInfo storage info = edges[id];
        if (t > info.timerCache) {
            info.timerCache = t;
            emit TimerUpdated(id, t);
        }
    }

    function updateTimerCacheByChildren(EdgeRef calldata e, bytes32[] calldata boundaries, bytes32[] calldata inners)
        external
    {
        (bytes32 k, bytes32 id) = _known(e);
        (bytes32[] memory ckeys, bytes32[] memory cids) = _children(e, boundaries, inners);
        uint64 least = INF;
        for (uint256 j = 0; j < ckeys.length; j++) {
            uint64 t = _total(ckeys[j], cids[j]);
            if (t < least) least = t;
        }
        _setCache(id, _add(_unrivaled(k, id), least));
    }

    function updateTimerCacheByClaim(EdgeRef calldata c, EdgeRef calldata sub) external {
        (bytes32 k, bytes32 id) = _known(c);
        (bytes32 sk, bytes32 sid) = _known(sub);
        if (claimOf[sid] != id) revert NotClaimedBy(id, sid);
        _setCache(id, _add(_unrivaled(k, id), _total(sk, sid)));
    }

    function confirmEdgeByOneStepProof(EdgeRef calldata e, bytes calldata proof) external {
        if (uint256(e.level) + 1 != heights.length) revert WrongLevel(e.level);
        if (e.w != 0) revert WrongWidth(e.w);
        (bytes32 k, bytes32 id) = _known(e);
        bytes32 post = prover.proveOneStep(moduleRoot, e.startState, proof);
        if (DisputeHash.node(e.startState, post, 0) != e.root) revert ProofMismatch(post);
        _setCache(id, INF);
        emit EdgeProved(id, k, false);
    }

    function confirmEdgeByPadding(EdgeRef calldata e) external {
        if (e.level != 0) revert WrongLevel(e.level);
        if (e.w != 0) revert WrongWidth(e.w);
        (bytes32 k, bytes32 id) = _known(e);
        uint64 count = blockCountOf[e.origin];
        if (e.start < count) revert NotPadding(e.start, count);
        if (DisputeHash.node(e.startState, e.startState, 0) != e.root) revert ProofMismatch(e.root);
        _setCache(id, INF);
        emit EdgeProved(id, k, true);
    }

    function confirmEdgeByTime(EdgeRef calldata e) external {
        (bytes32 k, bytes32 id) = _known(e);
        bytes32 other = confirmedAtKey[k];
        if (other == id) return;
        if (other != bytes32(0)) revert RivalConfirmed(other);
        uint64 t = _total(k, id);
        if (t < challengePeriod) revert TimerTooLow(t, challengePeriod);
        confirmedAtKey[k] = id;
        edges[id].confirmed = true;
        emit EdgeConfirmed(id, k, t);
    }

    /// Runs several calls of this contract in one transaction (not payable).
    function multicall(bytes[] calldata calls) external returns (bytes[] memory results) {
        results = new bytes[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool ok, bytes memory ret) = address(this).delegatecall(calls[i]);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
            results[i] = ret;
        }
    }

    // ---------------------------------------------------------------- §4.4 bonds

    function _holdBond(bytes32 id) internal {
        EdgeInfo storage info = edges[id];
        info.bondHeld = true;
        info.payer = msg.sender;
    }

    function refundEdgeBond(EdgeRef calldata e) external {
        (, bytes32 id) = _known(e);
        EdgeInfo storage info = edges[id];
        if (!info.confirmed) revert NotConfirmed(id);
        if (!info.bondHeld) revert NoBond(id);
        info.bondHeld = false;
        _pay(info.payer, edgeBond);
        emit BondPaid(id, info.payer, edgeBond, false);
    }

    /// The loser's bond goes to the asserter of the assertion that won the dispute, not to whoever
    /// paid the winning edge: a copycat that registers the honest edges first (or front-runs them)
    /// gets its own bonds back and nothing more (docs/dispute.md §4.4).
    function sweepEdgeBond(EdgeRef calldata loser, EdgeRef calldata winner) external {
        (bytes32 lk, bytes32 lid) = _known(loser);
        (bytes32 wk, bytes32 wid) = _known(winner);
        if (lk != wk || lid == wid) revert NotRivals();
        if (!edges[wid].confirmed) revert NotConfirmed(wid);
        EdgeInfo storage info = edges[lid];
        if (!info.bondHeld) revert NoBond(lid);
        bytes32 prevId = loser.level == 0 ? loser.origin : disputeOfOrigin[loser.origin];
        bytes32 won = rollup.confirmedChild(prevId);
        if (won == bytes32(0)) revert DisputeUndecided(prevId);
        info.bondHeld = false;
        address to = rollup.asserterOf(won);
        _pay(to, edgeBond);
        emit BondPaid(lid, to, edgeBond, true);
    }

    function _pay(address to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }

    // ---------------------------------------------------------------- views

    function edgeConfirmed(bytes32 id) external view returns (bool) {
        return edges[id].confirmed;
    }

    /// whether top edge `id` still holds its bond (not refunded or swept yet)
    function bondHeld(bytes32 id) external view returns (bool) {
        return edges[id].bondHeld;
    }

    function edgeExists(bytes32 k, bytes32 id) external view returns (bool) {
        return _exists(k, id);
    }

    /// (exists, rivaled, timer total, cache, confirmed, dissected) of an edge.
    function edgeStatus(EdgeRef calldata e)
        external
        view
        returns (bool exists, bool rivaled, uint64 total, bool confirmed, bool dissected)
    {
        bytes32 k = e.edgeKey();
        bytes32 id = DisputeHash.edgeId(k, e.root);
        EdgeInfo memory info = edges[id];
        return (_exists(k, id), rivaledAt[k] != 0, _total(k, id), info.confirmed, info.dissected);
    }
}
