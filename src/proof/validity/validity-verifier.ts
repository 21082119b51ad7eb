/**
 * The prover's side of contracts/validity/ValidityVerifier.sol (docs/validity.md §5): the
 * attestation bytes `Rollup.createAttestedAssertion` passes to the verifier in its `committee` slot
 * (`abi.encode(ValidityAttestation)`: the previous and the new assertion, the inbox messages of the
 * range, one Groth16 proof per chunk and the app binding's witness), the accumulator check L1 makes,
 * and the verifier's deployment. Generic: the app's part is `witness` (e.g. src/apps/ztoken/binding.ts).
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import {
  type Address,
  bytesToHex,
  encodeAbiParameters,
  type Hex,
  hexToBytes,
  parseAbiParameters,
} from 'viem';
import type { L1 } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import type { Groth16Proof } from '../../zk/prove.ts';
import { proofCalldata } from '../../zk/solidity.ts';

/**
 * AssertionData (docs/dispute.md §2.1) as the contracts take it: the same shape as
 * src/settlement/ethereum/dispute-hash.ts's, restated so that this module imports no settlement module.
 */
export interface AssertionData {
  prevId: Hex;
  prevStateHash: Hex;
  blockCount: bigint;
  end: { stateRoot: Hex; sendRoot: Hex; inboxPosition: bigint; positionInMessage: bigint };
  historyRoot: Hex;
  nextInboxPosition: bigint;
}

/** a, b, c of `verifyProof` flattened (b in the precompile's order: `proofCalldata`) */
export type ProofWords = readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];

export interface ValidityAttestation {
  prev: AssertionData;
  next: AssertionData;
  /** the inbox messages [prev.end.inboxPosition, next.end.inboxPosition) */
  messages: readonly Uint8Array[];
  /** one per chunk, in order */
  proofs: readonly ProofWords[];
  /** the app binding's data (ABI-encoded by the app) */
  witness: Hex;
}

export function proofWords(proof: Groth16Proof): ProofWords {
  const [a, b, c] = proofCalldata(proof, []);
  return [a[0], a[1], b[0][0], b[0][1], b[1][0], b[1][1], c[0], c[1]];
}

const ASSERTION =
  '(bytes32 prevId, bytes32 prevStateHash, uint64 blockCount, (bytes32 stateRoot, bytes32 sendRoot, uint64 inboxPosition, uint64 positionInMessage) end, bytes32 historyRoot, uint64 nextInboxPosition)';
const ATTESTATION = parseAbiParameters(
  `(${ASSERTION} prev, ${ASSERTION} next, bytes[] messages, uint256[8][] proofs, bytes witness)`,
);

/** the `att` bytes of `createAttestedAssertion` for the ValidityVerifier */
export function encodeValidityAttestation(v: ValidityAttestation): Hex {
  return encodeAbiParameters(ATTESTATION, [
    {
      prev: v.prev,
      next: v.next,
      messages: v.messages.map((m) => bytesToHex(m)),
      proofs: v.proofs,
      witness: v.witness,
    },
  ] as never);
}

/**
 * ValidityVerifier._checkMessages: acc(start) folded over `messages`
 * (acc' = keccak256(acc ‖ keccak256(m)), docs/inbox.md §3) must be acc(end).
 */
export function messagesMatch(accStart: Hex, messages: readonly Uint8Array[], accEnd: Hex): boolean {
  let acc = hexToBytes(accStart);
  for (const m of messages) {
    const buf = new Uint8Array(64);
    buf.set(acc, 0);
    buf.set(keccak_256(m), 32);
    acc = keccak_256(buf);
  }
  return bytesToHex(acc) === accEnd.toLowerCase();
}

/**
 * Deploys ValidityVerifier(inbox, binding, groth16): the Rollup's `committee` (deploySettlement's
 * `attestationVerifier`) for a chain whose app binding and Groth16 verifier are deployed.
 */
export async function deployValidityVerifier(
  l1: L1,
  p: { inbox: Address; binding: Address; groth16: Address },
): Promise<Address> {
  const d = await deploy(l1, await getArtifact('ValidityVerifier'), [p.inbox, p.binding, p.groth16]);
  return d.address;
}
