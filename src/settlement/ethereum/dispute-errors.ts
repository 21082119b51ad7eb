/**
 * What every custom error of Rollup.sol and ChallengeManager.sol means and what to do about it
 * (docs/dispute.md). Importing this module registers the descriptions with errors.ts, so reverts
 * of the rollup and the challenge manager surface as SettlementRevertErrors with codes `ROLLUP_*`
 * and `CHALLENGE_MANAGER_*` (the error name in SCREAMING_SNAKE_CASE) and actionable messages.
 * rollup.ts imports it for its side effect.
 */
import { type DescribeRevert, registerRevertDescriptions } from './errors.ts';

/** docs/dispute.md §2: assertions, stakes, confirmation. */
export const ROLLUP_ERRORS: Record<string, DescribeRevert> = {
  UnknownAssertion: ([id]) =>
    `no assertion ${id} exists: the AssertionData given does not hash to a created assertion; ` +
    'pass the exact data of its AssertionCreated event (RollupClient.assertions)',
  AssertionRejected: ([id]) =>
    `assertion ${id} is rejected (its predecessor confirmed another child); build on the latest confirmed assertion instead`,
  AssertionExists: ([id]) =>
    `assertion ${id} already makes this claim (same predecessor, end state and history); ` +
    'nothing to post: build on it, or if this is a retry, the first attempt landed',
  NotPending: ([id]) =>
    `assertion ${id} is not pending (unknown, or already confirmed); check its data and RollupClient.status`,
  WrongInboxPosition: ([expected, inboxPosition, positionInMessage]) =>
    `the end state must stop at inbox position ${expected} with positionInMessage 0, not at ` +
    `(${inboxPosition}, ${positionInMessage}); the range is fixed by the predecessor: ` +
    'min(prev.nextInboxPosition, prev.end.inboxPosition + 2^heights[0])',
  InboxTooShort: ([needed, count]) =>
    `the assertion must consume ${needed} inbox messages but the inbox holds ${count}; ` +
    'wait until more messages are posted (or force-include delayed ones) and retry',
  WrongBond: ([expected, sent]) =>
    `sent ${sent} wei instead of ${expected}: a sender without a stake sends exactly assertionBond, ` +
    'a staked one sends nothing (read latestStakedAssertion)',
  StakeOnOtherBranch: ([latest]) =>
    `the sender's stake is on pending assertion ${latest}, which is not the predecessor; until it is ` +
    'confirmed a staker can only build on its own latest assertion: extend that one or use another account',
  PrevNotLatestConfirmed: ([prevId, latest]) =>
    `the predecessor ${prevId} is not the latest confirmed assertion (${latest}); ` +
    'confirm the predecessor first (if a rival of it was confirmed, this assertion can never be)',
  TooEarly: ([at]) =>
    `the challenge period is not over: this assertion can be confirmed by time from L1 timestamp ${at} on; wait and retry`,
  RivalsNotDecided: ([edgeId]) =>
    `the predecessor has rival assertions, so this one confirms only once its level-0 edge ${edgeId} is ` +
    'confirmed in the challenge manager; play the dispute (DisputeAgent) until it is',
  NotStaked: ([staker]) => `${staker} has no stake: there is nothing to withdraw or slash`,
  StakeNotConfirmed: ([latest]) =>
    `the stake is on assertion ${latest}, which is not confirmed yet; withdraw once it is confirmed`,
  BadChain: ([index]) =>
    `slash chain entry ${index} is wrong: chain[0] must be the staker's latest assertion and each next ` +
    'entry the predecessor of the one before (data from AssertionCreated events)',
  NotRejected: ([id]) =>
    `assertion ${id} is not rejected (its predecessor has no confirmed child, or confirmed this one); ` +
    'a stake can be slashed only once another child on its branch is confirmed',
  TransferFailed: ([to, amount]) =>
    `sending ${amount} wei to ${to} failed (the recipient rejects ETH); it stays owed: claimOwed from an account that accepts ETH`,
};

/** docs/dispute.md §4: edges, dissection, timers, proofs and bonds. */
export const CHALLENGE_MANAGER_ERRORS: Record<string, DescribeRevert> = {
  BadParameters: () =>
    'invalid dispute parameters: give at least 2 level heights, heights[0] in 1..32, every step-level ' +
    'height >= 1 and the step heights summing to at most 48',
  AlreadyInitialized: () =>
    'the challenge manager is already wired to its rollup; initialize can be called once only',
  NotDeployer: () =>
    "initialize was not sent by the challenge manager's deployer; send it from the deploying account",
  WrongBond: ([expected, sent]) =>
    `a top edge needs a bond of exactly ${expected} wei, ${sent} was sent; send edgeBond as value`,
  AssertionNotPending: ([id]) =>
    `assertion ${id} is not pending (unknown, or already confirmed): level-0 edges are created for pending assertions only`,
  NoRivalAssertion: ([prevId]) =>
    `assertion ${prevId} has a single child: without a rival there is no dispute, the child confirms by time`,
  EdgeExists: ([id]) => `edge ${id} already exists; use it (if this is a retry, the first attempt landed)`,
  UnknownEdge: ([id]) =>
    `no edge ${id}: the EdgeRef (level, origin, start, w, startState, root) matches no created edge or ` +
    'dissection child; rebuild it from the EdgeCreated / EdgeDissected events',
  EdgeNotRivaled: ([id]) =>
    `edge ${id} has no rival: an unrivaled edge is neither dissected nor subchallenged, its timer runs and it confirms by time`,
  AlreadyDissected: ([id]) =>
    `edge ${id} is already dissected: its children are registered (EdgeDissected event); move on them`,
  WrongWidth: ([w]) =>
    `an edge of width 2^${w} cannot make this move: dissections need w >= 1; subchallenges, ` +
    'one-step proofs and padding proofs need w = 0',
  WrongLevel: ([level]) =>
    `this move is not allowed at level ${level}: block-step edges claim level-0 edges, step sub-edges ` +
    'claim edges of levels 1..m-1, one-step proofs are on the last level, padding proofs on level 0',
  BadDissection: () =>
    "the dissection does not match the edge: give 2^d + 1 boundary states starting at the edge's start " +
    'state and 2^d inner roots (d = ((w - 1) mod 4) + 1) that hash to its root (History.dissection)',
  ClaimMismatch: () =>
    'the sub-edge does not fit the edge it claims: the start global state must hash to its start state ' +
    'and the claimed end state X must satisfy root = H(startState ‖ X ‖ 0)',
  PaddingBlock: ([index, count]) =>
    `block ${index} is padding (the assertions have ${count} blocks): prove it with confirmEdgeByPadding, not a subchallenge`,
  NotPadding: ([index, count]) =>
    `block ${index} is a real block (the assertions have ${count} blocks): open a subchallenge (createBlockStepEdge) instead`,
  EndStateMismatch: () =>
    'the end machine does not give the claimed end state: a Finished machine must carry its global-state ' +
    'hash (word 6), any other status means the message is skipped (skip(start))',
  ProofMismatch: ([post]) =>
    `the proof leads to ${post}, not to the edge's end state: the edge's claim is wrong and cannot be confirmed by proof`,
  NotClaimedBy: ([claimId, edgeId]) =>
    `edge ${edgeId} is not a subchallenge of edge ${claimId}; update a timer from a top edge created for that very edge`,
  TimerTooLow: ([timer, needed]) =>
    `the edge's timer is ${timer} s, confirming by time needs ${needed} s; update the timers bottom-up ` +
    '(updateTimerCacheByChildren / ByClaim) or wait',
  RivalConfirmed: ([id]) => `rival edge ${id} is already confirmed at this key: this edge lost the dispute`,
  NotConfirmed: ([id]) =>
    `edge ${id} is not confirmed; bonds are refunded to, and swept for, confirmed edges only`,
  NoBond: ([id]) =>
    `edge ${id} holds no bond (already refunded or swept, or a dissection child, which never had one)`,
  NotRivals: () =>
    'the two edges are not rivals (different keys, or the same edge): a bond is swept for the confirmed edge at its own key',
  DisputeUndecided: ([prevId]) =>
    `no assertion after ${prevId} is confirmed yet: a losing edge's bond goes to the winning assertion's asserter, so sweep it once that assertion is confirmed`,
  TransferFailed: ([to, amount]) =>
    `paying ${amount} wei to ${to} failed (the bond's recipient rejects ETH); the bond stays in the contract`,
};

registerRevertDescriptions('Rollup', ROLLUP_ERRORS);
registerRevertDescriptions('ChallengeManager', CHALLENGE_MANAGER_ERRORS);
