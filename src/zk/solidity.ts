/**
 * The on-chain Groth16 verifier (docs/validity.md §1): snarkjs's Solidity exporter for a .zkey
 * (contract Groth16Verifier, BN254 precompiles 0x06–0x08), compiled with the npm solc and the same
 * settings as contracts/ (src/l1/contracts.ts), cached by the source's hash.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { zKey } from 'snarkjs';
import type { Abi, Hex } from 'viem';
import { SOLC_SETTINGS } from '../l1/contracts.ts';
import { ContractsCompileError } from '../l1/errors.ts';
import { cacheDir, contentHash, writeAtomically } from './cache.ts';
import type { Groth16Proof } from './prove.ts';

const TEMPLATE = join(
  dirname(createRequire(import.meta.url).resolve('snarkjs')), // build/main.cjs
  '..',
  'templates',
  'verifier_groth16.sol.ejs',
);

/** The Solidity source of a verifier for the key in `zkey` (contract Groth16Verifier). */
export async function solidityVerifier(zkey: string): Promise<string> {
  return zKey.exportSolidityVerifier(zkey, { groth16: readFileSync(TEMPLATE, 'utf8') });
}

export interface VerifierArtifact {
  abi: Abi;
  bytecode: Hex;
}

/** Compiles a verifier's source with solc (cached in node_modules/.cache/modex-zk). */
export async function compileVerifier(
  source: string,
  opts: { cacheDir?: string } = {},
): Promise<VerifierArtifact> {
  const hash = contentHash('modex-zk-verifier-v1', [JSON.stringify(SOLC_SETTINGS), source]).slice(0, 32);
  const file = join(cacheDir(opts.cacheDir), `verifier-${hash}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as VerifierArtifact;
  const { default: solc } = await import('solc');
  const input = {
    language: 'Solidity',
    sources: { 'Groth16Verifier.sol': { content: source } },
    settings: SOLC_SETTINGS,
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new ContractsCompileError(errors.map((e) => e.formattedMessage.trim()));
  const c = output.contracts?.['Groth16Verifier.sol']?.Groth16Verifier;
  if (!c) throw new ContractsCompileError(['the verifier source has no contract Groth16Verifier']);
  const artifact: VerifierArtifact = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
  await writeAtomically(file, async (tmp) => writeFileSync(tmp, JSON.stringify(artifact)));
  return artifact;
}

/** verifyProof's arguments for a snarkjs proof (G2 coordinates in the precompile's order: c1, c0). */
export function proofCalldata(
  proof: Groth16Proof,
  publicSignals: (string | bigint)[],
): readonly [[bigint, bigint], [[bigint, bigint], [bigint, bigint]], [bigint, bigint], bigint[]] {
  const b = (x: string | bigint) => BigInt(x);
  return [
    [b(proof.pi_a[0]), b(proof.pi_a[1])],
    [
      [b(proof.pi_b[0][1]), b(proof.pi_b[0][0])],
      [b(proof.pi_b[1][1]), b(proof.pi_b[1][0])],
    ],
    [b(proof.pi_c[0]), b(proof.pi_c[1])],
    publicSignals.map(b),
  ] as const;
}
