/**
 * Fraud proofs of sovereign chains (docs/sovereign.md §4): a block's witness — its inbox message,
 * its pre-state and every preimage the STF read — that lets a light client execute that one block
 * again with the machine and learn its true post-state.
 *
 * ```ts
 * const proof = buildProof(app, n, preState, message, (k, h) => store.get(h, k));   // full node (§4.3)
 * const post = checkProof(proof, { number: n, app, preState, accumulators: [accN, accN1] }); // light client (§4.2)
 * ```
 */
import type { ReplayEngine } from '../../apps/sdk/replay.ts';
import { PreimageUnavailableError, replayMessage } from '../../apps/sdk/replay.ts';
import type { App } from '../../apps/sdk/run-app.ts';
import { ModexError } from '../../core/errors.ts';
import type { GlobalState, Hash32, Hex } from '../../core/types.ts';
import { keccak256Hex } from '../../crypto/keccak.ts';
import { BadProofError } from './errors.ts';
import { headerState, sameState } from './header.ts';

export const PROOF_VERSION = 1;
/** docs/sovereign.md §4.1: the most JSON a proof may take */
export const MAX_PROOF_BYTES = 16 * 1024 * 1024;

/** The pre-state as the wire carries it (docs/sovereign.md §4.1). */
export interface WireState {
  stateRoot: Hash32;
  sendRoot: Hash32;
  inboxCount: number;
  positionInMessage: number;
}

/** A block's witness, version 1 (docs/sovereign.md §4.1). */
export interface FraudProof {
  version: 1;
  number: number;
  preState: WireState;
  message: Hex;
  /** [keccak256 hash, preimage] pairs */
  preimages: [Hash32, Hex][];
}

/** The app a proof executes: its wasm, validated and lowered. */
export type ProofApp = Pick<App, 'bytes' | 'validated' | 'program'>;

const hexOf = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString('hex')}`;
const bytesOf = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.slice(2), 'hex'));

export function wireState(gs: GlobalState): WireState {
  return {
    stateRoot: hexOf(gs.bytes32[0]),
    sendRoot: hexOf(gs.bytes32[1]),
    inboxCount: Number(gs.u64[0]),
    positionInMessage: Number(gs.u64[1]),
  };
}

/** A blob (preimage kind 1) read by a block: sovereign v1 proofs cannot carry it (docs/sovereign.md §1). */
export class UnprovableBlockError extends ModexError {
  constructor(message: string) {
    super('SOVEREIGN_UNPROVABLE_BLOCK', message);
  }
}

/**
 * docs/sovereign.md §4.3: the witness of block `number` (the message at inbox position `number`,
 * executed from `preState`), reading preimages through `read` (the node's store).
 */
export function buildProof(
  app: ProofApp,
  number: number,
  preState: GlobalState,
  message: Uint8Array,
  read: (kind: number, hash: Uint8Array) => Uint8Array | undefined,
): FraudProof {
  const r = replayMessage(app, preState, message, read, 'native');
  const blob = r.reads.find((p) => p.kind !== 0);
  if (blob)
    throw new UnprovableBlockError(
      `block ${number} reads a preimage of kind ${blob.kind}; sovereign v1 proofs carry keccak preimages only (docs/sovereign.md §1)`,
    );
  return {
    version: PROOF_VERSION,
    number,
    preState: wireState(preState),
    message: hexOf(message),
    preimages: r.reads.map((p) => [hexOf(p.hash), hexOf(p.preimage)]),
  };
}

const HEX_RE = /^0x(?:[0-9a-f]{2})*$/;
const HASH_RE = /^0x[0-9a-f]{64}$/;
const malformed = (m: string) => new BadProofError('MALFORMED', m);

/** A proof from the wire, its shape checked (§4.2 step 1); throws BadProofError MALFORMED. */
export function parseProof(x: unknown, number: number): FraudProof {
  const o = x as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw malformed('a proof must be a JSON object');
  if (o.version !== PROOF_VERSION)
    throw malformed(`proof version ${String(o.version)} is not ${PROOF_VERSION}`);
  if (o.number !== number) throw malformed(`the proof is for block ${String(o.number)}, not block ${number}`);
  const s = o.preState as Record<string, unknown> | null;
  if (typeof s !== 'object' || s === null) throw malformed('preState must be an object');
  for (const k of ['stateRoot', 'sendRoot'] as const)
    if (typeof s[k] !== 'string' || !HASH_RE.test(s[k] as string))
      throw malformed(`preState.${k} must be a 32-byte lowercase hex string`);
  for (const k of ['inboxCount', 'positionInMessage'] as const)
    if (typeof s[k] !== 'number' || !Number.isSafeInteger(s[k]) || (s[k] as number) < 0)
      throw malformed(`preState.${k} must be a non-negative integer`);
  if (typeof o.message !== 'string' || !HEX_RE.test(o.message))
    throw malformed('message must be lowercase hex bytes');
  if (!Array.isArray(o.preimages)) throw malformed('preimages must be an array of [hash, preimage] pairs');
  for (const [i, p] of o.preimages.entries())
    if (
      !Array.isArray(p) ||
      p.length !== 2 ||
      typeof p[0] !== 'string' ||
      !HASH_RE.test(p[0]) ||
      typeof p[1] !== 'string' ||
      !HEX_RE.test(p[1])
    )
      throw malformed(`preimages[${i}] must be a [hash, preimage] pair of lowercase hex strings`);
  return o as unknown as FraudProof;
}

export interface CheckContext {
  /** the block asked for */
  number: number;
  app: ProofApp;
  /** the post-state of block number − 1 the light client holds (genesis for block 0) */
  preState: GlobalState;
  /** L1's inbox accumulators acc(number) and acc(number + 1) (docs/inbox.md §3) */
  accumulators: [Hash32, Hash32];
  engine?: ReplayEngine;
}

/**
 * docs/sovereign.md §4.2: checks `raw` (a proof from the wire) against L1's accumulators and the
 * trusted pre-state, executes the block over the proof's preimages only and returns its true
 * post-state. Throws BadProofError (MALFORMED, WRONG_INPUTS, WRONG_PRE_STATE, FORGED_PREIMAGE, MISSING_PREIMAGE).
 */
export function checkProof(raw: unknown, ctx: CheckContext): GlobalState {
  const proof = parseProof(raw, ctx.number);
  // 2. inputs, against L1
  if (proof.preState.inboxCount !== ctx.number)
    throw new BadProofError(
      'WRONG_INPUTS',
      `block ${ctx.number} starts at inbox position ${ctx.number}, the proof's pre-state at ${proof.preState.inboxCount}`,
    );
  const message = bytesOf(proof.message);
  const acc = keccak256Hex(Buffer.concat([bytesOf(ctx.accumulators[0]), bytesOf(keccak256Hex(message))]));
  if (acc !== ctx.accumulators[1].toLowerCase())
    throw new BadProofError(
      'WRONG_INPUTS',
      `the proof's message is not inbox message ${ctx.number}: it accumulates to ${acc}, L1's inbox has ${ctx.accumulators[1]}`,
    );
  // 3. pre-state
  const pre = headerState(proof.preState);
  if (!sameState(pre, ctx.preState))
    throw new BadProofError(
      'WRONG_PRE_STATE',
      `the proof starts from state root ${proof.preState.stateRoot}, not from the accepted header ${ctx.number - 1}'s ${wireState(ctx.preState).stateRoot}`,
    );
  // 4. preimages, by their hash
  const byHash = new Map<string, Uint8Array>();
  for (const [hash, p] of proof.preimages) {
    const bytes = bytesOf(p);
    const h = keccak256Hex(bytes);
    if (h !== hash)
      throw new BadProofError(
        'FORGED_PREIMAGE',
        `the preimage given for ${hash} hashes to ${h} (keccak256): it is not that hash's preimage`,
      );
    if (byHash.has(h)) throw malformed(`preimage ${h} is listed twice`);
    byHash.set(h, bytes);
  }
  // 5. execution over those preimages only
  try {
    const r = replayMessage(
      ctx.app,
      pre,
      message,
      (kind, hash) => (kind === 0 ? byHash.get(hexOf(hash)) : undefined),
      ctx.engine ?? 'native',
    );
    return r.globalState;
  } catch (e) {
    if (e instanceof PreimageUnavailableError)
      throw new BadProofError(
        'MISSING_PREIMAGE',
        `block ${ctx.number} reads the preimage of ${hexOf(e.hash)} (kind ${e.kind}), which the proof does not carry`,
        { cause: e },
      );
    throw e;
  }
}
