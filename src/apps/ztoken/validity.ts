/**
 * The ztoken app's validity prover (docs/validity.md §6; `ValidityApp`, src/proof/validity/prover-app.ts):
 * the circuit of §3 (`ztoken_<T>.circom`), its keys (§4), the L1 side (snarkjs's Groth16 verifier and
 * ZTokenBinding, §5) and the proofs of a range of inbox messages: the records L1 will extract
 * (records.ts), applied chunk by chunk to the JS model (witness.ts, the reference the STF agrees
 * with), each chunk proved, and the binding's witness (binding.ts). The model follows the chain: it
 * is rebuilt from genesis (replaying every earlier message's records) when a range does not start
 * where the last one ended.
 */
import { type Hex, hexToBytes } from 'viem';
import { ModexError } from '../../core/errors.ts';
import type { L1 } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import type {
  AppCircuit,
  AppContract,
  ProvedRange,
  ProveRange,
  ValidityApp,
  ValidityAppFactory,
  ValidityKeys,
  ValidityL1,
} from '../../proof/validity/prover-app.ts';
import { proofWords } from '../../proof/validity/validity-verifier.ts';

import { compileVerifier, type Keys, prove, setupKeys, solidityVerifier } from '../../zk/index.ts';
import { StateTree } from '../sdk/state-tree.ts';
import { encodeZTokenWitness, zTokenProofPlan } from './binding.ts';
import { ztokenCircuit } from './circuit.ts';
import { zkCrypto } from './crypto.ts';
import { ZTokenState } from './model.ts';
import { chunkRecords, recordsOf } from './records.ts';
import { chunkInput } from './witness.ts';

/** records per proof (the circuit `ztoken_2.circom`) */
export const ZTOKEN_CHUNK = 2;

export class ZTokenProverError extends ModexError {}

export interface ZTokenValidityOptions {
  /** records per proof (the circuit's T; default ZTOKEN_CHUNK) */
  slots?: number;
  /** the compiled chunk circuit (default: modex's `ztoken_<slots>.circom`, circuit.ts) */
  circuit?: (o: { log?: (line: string) => void }) => Promise<AppCircuit>;
  /** the binding contract (default: modex's ZTokenBinding, contracts/validity) */
  binding?: () => Promise<AppContract | undefined>;
}

export function ztokenValidity(o: ZTokenValidityOptions = {}): ValidityApp {
  const slots = o.slots ?? ZTOKEN_CHUNK;
  let circuit: Pick<AppCircuit, 'r1cs' | 'wasm' | 'constraints'> | undefined;
  let keys: Keys | undefined;
  /** the model after the first `at` inbox messages */
  let model: { state: ZTokenState; at: bigint } | undefined;

  const ready = () => {
    if (!circuit || !keys)
      throw new ZTokenProverError('ZTOKEN_PROVER_NOT_SET_UP', 'call setup() before deployL1() or prove()');
    return { circuit, keys };
  };

  /** the model after the first `n` messages (replayed from genesis unless it is there already) */
  async function modelAt(n: bigint, r: ProveRange): Promise<ZTokenState> {
    if (model && model.at === n && model.state.chainId === r.chainId) return model.state;
    const state = new ZTokenState(await zkCrypto(), r.chainId);
    const msgs: Uint8Array[] = [];
    for (let p = 0n; p < n; p++) msgs.push(r.message(p));
    const records = recordsOf(msgs, r.chainId, 0n);
    for (const chunk of chunkRecords(records, slots)) chunkInput(state, chunk, r.chainId);
    if (n > 0n) r.log?.(`replayed ${records.length} records of ${n} messages into the model`);
    model = { state, at: n };
    return state;
  }

  return {
    name: 'ztoken',

    async setup({ ptau, log }): Promise<ValidityKeys> {
      log?.(`compiling the ztoken circuit (${slots} records per proof; cached after the first time)...`);
      circuit = o.circuit ? await o.circuit({ log }) : await ztokenCircuit(slots);
      log?.(`  ${circuit.constraints.toLocaleString('en-US')} constraints`);
      log?.(
        ptau
          ? `deriving the circuit's keys from the ceremony file ${ptau}...`
          : 'making INSECURE development keys (anyone can forge proofs for them: devnets and tests only)...',
      );
      keys = await setupKeys(circuit.r1cs, { ptau, log });
      log?.(
        `  keys ${keys.cached ? 'from the cache' : `made in ${(keys.ms / 1000).toFixed(1)} s`}: ${keys.zkey}`,
      );
      return {
        chunkSize: slots,
        constraints: circuit.constraints,
        insecure: keys.insecure,
        setupMs: keys.cached ? 0 : keys.ms,
        cached: keys.cached,
      };
    },

    async deployL1(l1: L1, { chainId }): Promise<ValidityL1> {
      const { keys: k } = ready();
      const verifier = await compileVerifier(await solidityVerifier(k.zkey));
      const groth16 = await deploy(l1, {
        contractName: 'Groth16Verifier',
        sourceName: 'Groth16Verifier.sol',
        deployedBytecode: '0x',
        ...verifier,
      });
      const artifact = (o.binding && (await o.binding())) ?? (await getArtifact('ZTokenBinding'));
      const binding = await deploy(l1, artifact, [BigInt(slots), chainId]);
      return { groth16: groth16.address, binding: binding.address };
    },

    async prove(r: ProveRange): Promise<ProvedRange> {
      const { circuit: c, keys: k } = ready();
      const t0 = performance.now();
      const start = r.prevEnd.inboxPosition;
      const messages: Uint8Array[] = [];
      for (let p = start; p < r.end.inboxPosition; p++) messages.push(r.message(p));
      const state = await modelAt(start, r);
      const records = recordsOf(messages, r.chainId, start);
      const chunks = records.length === 0 ? [] : chunkRecords(records, slots);
      const chunkRoots: bigint[] = [];
      const masks: bigint[] = [];
      const proofs: bigint[][] = [];
      const signals: bigint[][] = [];
      for (const [j, chunk] of chunks.entries()) {
        const w = chunkInput(state, chunk, r.chainId);
        r.log?.(
          `chunk ${j + 1}/${chunks.length}: proving ${chunk.length} records (mask ${w.acceptedMask})...`,
        );
        const p = await prove(c.wasm, k.zkey, w.input);
        chunkRoots.push(w.postRoot);
        masks.push(BigInt(w.acceptedMask));
        proofs.push([...proofWords(p.proof)]);
        signals.push(p.publicSignals.map((s) => BigInt(s)));
      }
      model = { state, at: r.end.inboxPosition };
      const store = { get: (h: Uint8Array) => r.preimage(h), add: readOnly };
      const plan = zTokenProofPlan({
        messages,
        start,
        chainId: r.chainId,
        slots,
        prevState: new StateTree(store, hexToBytes(r.prevEnd.stateRoot)),
        newState: new StateTree(store, hexToBytes(r.end.stateRoot)),
        chunkRoots,
        masks,
      });
      plan.chunks.forEach((ch, j) => {
        if (ch.signals.some((s, i) => s !== signals[j][i]))
          throw new ZTokenProverError(
            'ZTOKEN_PROVER_SIGNALS',
            `chunk ${j}: the proof's public signals ${signals[j].join(',')} are not the binding's ${ch.signals.join(',')}`,
          );
      });
      return {
        proofs,
        publicSignals: signals,
        witness: encodeZTokenWitness(plan.witness) as Hex,
        records: records.length,
        proveMs: performance.now() - t0,
      };
    },
  };
}

/**
 * ztoken as an app that ships its circuit (docs/validity.md §8): a prover module re-exporting this
 * as `validityApp` gets the circuit and the binding its modex.app.json names, compiled by modex.
 */
export const validityApp: ValidityAppFactory = (ctx) =>
  ztokenValidity({ circuit: (c) => ctx.circuit(c), binding: () => ctx.binding() });

function readOnly(): Uint8Array {
  throw new ZTokenProverError(
    'ZTOKEN_PROVER_READ_ONLY',
    "the prover reads the node's state; it never writes it",
  );
}
