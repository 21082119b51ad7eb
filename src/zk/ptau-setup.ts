/**
 * The production key setup (docs/validity.md §4): Groth16 keys from a ceremony's prepared powers of
 * tau (.ptau, phase 2 prepared, e.g. the Hermez/Polygon ceremony's `powersOfTau28_hez_final_16.ptau`),
 * given by path; nothing is downloaded. snarkjs's `zkey new` derives the circuit's key, then one
 * phase-2 contribution with fresh randomness from the OS sets δ (the randomness is not kept: the keys
 * are sound as long as that process was honest; a multi-party phase 2 is `snarkjs zkey contribute`
 * run by each party on the resulting file). Cached by the content hash of the r1cs and the .ptau.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type VerificationKey, zKey } from 'snarkjs';
import { cacheDir, contentHash, fileHash, fileHead, writeAtomically } from './cache.ts';
import { domainPower, type Keys, type SetupOptions } from './dev-setup.ts';
import { ZkInputError, ZkSetupError } from './errors.ts';
import { readR1csHeader } from './r1cs.ts';

export async function ptauSetup(r1csPath: string, ptauPath: string, opts: SetupOptions = {}): Promise<Keys> {
  const t0 = performance.now();
  for (const [what, p] of [
    ['r1cs', r1csPath],
    ['ceremony .ptau', ptauPath],
  ] as const)
    if (!existsSync(p)) throw new ZkInputError(`${what} ${p} does not exist`);
  if (fileHead(ptauPath, 4).toString() !== 'ptau') throw new ZkInputError(`${ptauPath} is not a .ptau file`);
  const hash = contentHash('modex-zk-ptau-setup-v1', [readFileSync(r1csPath), fileHash(ptauPath)]).slice(
    0,
    32,
  );
  const name = basename(r1csPath, '.r1cs');
  const dir = cacheDir(opts.cacheDir);
  const zkeyPath = join(dir, `ceremony-${name}-${hash}.zkey`);
  const vkeyPath = join(dir, `ceremony-${name}-${hash}.vkey.json`);
  const cached = existsSync(zkeyPath) && existsSync(vkeyPath);
  if (cached) opts.log?.(`keys for ${name} from ${basename(ptauPath)}: cached (${hash.slice(0, 12)})`);
  else {
    opts.log?.(`keys for ${name} from the ceremony file ${ptauPath}: snarkjs zkey new…`);
    const errors: string[] = [];
    const logger = {
      info: () => {},
      debug: () => {},
      warn: () => {},
      error: (m: string) => errors.push(m),
    };
    await writeAtomically(zkeyPath, async (tmp) => {
      const initial = `${tmp}.0`;
      try {
        const r = await zKey.newZKey(r1csPath, ptauPath, initial, logger);
        if (r === -1 || errors.length > 0)
          throw new ZkSetupError(`snarkjs zkey new refused ${ptauPath}: ${errors.join('; ') || 'see above'}`);
        opts.log?.('  phase 2: one contribution with fresh randomness…');
        await zKey.contribute(
          initial,
          tmp,
          'modex phase-2 contribution',
          randomBytes(32).toString('hex'),
          logger,
        );
        if (errors.length > 0) throw new ZkSetupError(`snarkjs zkey contribute failed: ${errors.join('; ')}`);
      } finally {
        rmSync(initial, { force: true });
      }
    });
    const vkey = await zKey.exportVerificationKey(zkeyPath);
    await writeAtomically(vkeyPath, async (tmp) => writeFileSync(tmp, JSON.stringify(vkey, null, 1)));
    opts.log?.(`keys for ${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${zkeyPath}`);
  }
  const vkey = JSON.parse(readFileSync(vkeyPath, 'utf8')) as VerificationKey;
  const h = readR1csHeader(new Uint8Array(readFileSync(r1csPath)));
  const power = domainPower(h.nConstraints, h.nPubOut + h.nPubIn);
  return { zkey: zkeyPath, vkey, vkeyPath, insecure: false, power, hash, cached, ms: performance.now() - t0 };
}
