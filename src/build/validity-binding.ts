/**
 * Compiles an app's L1 binding (the `validity.binding` Solidity of modex.app.json, docs/validity.md
 * §8) with the npm solc and the settings of contracts/ (`SOLC_SETTINGS`). Imports resolve against the
 * app directory first, then the modex package (so `contracts/validity/IValidityBinding.sol` and the
 * libraries beside it are modex's), then its node_modules. The artifact of the contract named like
 * the file is cached in `DIR/build/validity/`, keyed by every source solc read (content hashes), the
 * solc version and the settings.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative, sep } from 'node:path';
import type { Abi, Hex } from 'viem';
import type { Artifact } from '../l1/contracts.ts';
import { SOLC_SETTINGS } from '../l1/contracts.ts';
import { PACKAGE_ROOT } from '../util/package-root.ts';
import { type AppValidity, AppValidityError } from './validity-manifest.ts';

const SOLC_VERSION = (createRequire(import.meta.url)('solc/package.json') as { version: string }).version;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

interface BindingCache {
  key: string;
  /** source unit → sha256 of what solc read (null: it asked and the file did not exist) */
  inputs: Record<string, { file: string; sha256: string } | null>;
  artifact: Artifact;
}

export async function compileAppBinding(
  v: AppValidity,
  o: { log?: (line: string) => void } = {},
): Promise<{ artifact: Artifact; cached: boolean } | undefined> {
  if (v.binding === undefined) return undefined;
  const binding = v.binding;
  const unit = relative(v.appDir, binding).split(sep).join('/');
  const contractName = basename(binding, '.sol');
  const key = sha256(JSON.stringify({ SOLC_VERSION, SOLC_SETTINGS, unit, contractName }));
  const cacheFile = join(v.appDir, 'build', 'validity', `${contractName}.json`);
  const find = (path: string): string | undefined =>
    [v.appDir, PACKAGE_ROOT, join(PACKAGE_ROOT, 'node_modules')]
      .map((b) => join(b, path))
      .find((f) => existsSync(f));
  const old = readCache(cacheFile);
  if (
    old?.key === key &&
    Object.entries(old.inputs).every(([p, i]) => {
      const f = find(p);
      return i === null ? f === undefined : f === i.file && sha256(readFileSync(f, 'utf8')) === i.sha256;
    })
  ) {
    o.log?.(`binding ${unit}: cached`);
    return { artifact: old.artifact, cached: true };
  }
  o.log?.(`binding ${unit}: compiling ${contractName} with solc ${SOLC_VERSION}…`);
  const inputs: BindingCache['inputs'] = {};
  const mainText = readFileSync(binding, 'utf8');
  inputs[unit] = { file: binding, sha256: sha256(mainText) };
  const findImports = (path: string) => {
    const f = find(path);
    if (f === undefined) {
      inputs[path] = null;
      return {
        error: `file not found: ${path} (searched ${v.appDir}, ${PACKAGE_ROOT} and its node_modules)`,
      };
    }
    const contents = readFileSync(f, 'utf8');
    inputs[path] = { file: f, sha256: sha256(contents) };
    return { contents };
  };
  const { default: solc } = await import('solc');
  const input = { language: 'Solidity', sources: { [unit]: { content: mainText } }, settings: SOLC_SETTINGS };
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0)
    throw new AppValidityError(
      'VALIDITY_BINDING_COMPILE_FAILED',
      `the binding of ${v.manifest} ("validity.binding") does not compile:\n${errors.map((e) => e.formattedMessage.trim()).join('\n')}`,
    );
  const c = out.contracts?.[unit]?.[contractName];
  if (c === undefined)
    throw new AppValidityError(
      'VALIDITY_BINDING_COMPILE_FAILED',
      `${binding} defines no contract ${contractName} ("validity.binding" of ${v.manifest}: the contract is named like its file)`,
    );
  const artifact: Artifact = {
    contractName,
    sourceName: unit,
    abi: c.abi,
    bytecode: `0x${c.evm.bytecode.object}` as Hex,
    deployedBytecode: `0x${c.evm.deployedBytecode.object}` as Hex,
  };
  mkdirSync(join(v.appDir, 'build', 'validity'), { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ key, inputs, artifact } satisfies BindingCache));
  renameSync(tmp, cacheFile);
  return { artifact, cached: false };
}

function readCache(file: string): BindingCache | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BindingCache;
  } catch {
    return undefined;
  }
}

interface SolcOutput {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
}
