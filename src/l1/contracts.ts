/**
 * Contracts build: compiles every contracts/**\/*.sol with solc-js into artifacts/ (one JSON per
 * contract), cached by a hash of the sources and compiler settings so a repeated build is instant.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import type { Abi, Hex } from 'viem';
import { PACKAGE_ROOT } from '../util/package-root.ts';
import { ArtifactNotFoundError, ContractsCompileError } from './errors.ts';

/** The repository root (where contracts/ and artifacts/ live). */
export const REPO_ROOT = PACKAGE_ROOT;

export interface Artifact {
  contractName: string;
  /** Source unit, e.g. `contracts/test/Counter.sol`. */
  sourceName: string;
  abi: Abi;
  bytecode: Hex;
  deployedBytecode: Hex;
}

export interface BuildOptions {
  /** Directory containing contracts/ (default: the repository root). */
  root?: string;
  /** Output directory (default: `<root>/artifacts`). */
  outDir?: string;
  /** Compile even when the cache is up to date. */
  force?: boolean;
}

export interface BuildResult {
  /** False when the cache was up to date and nothing was compiled. */
  compiled: boolean;
  /** Contracts produced as `source.sol:Name`, sorted. */
  contracts: string[];
  sources: string[];
  hash: string;
  outDir: string;
  solcVersion: string;
}

/** Compiler settings; part of the cache key. */
export const SOLC_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'prague',
  viaIR: false,
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const;

const SOLC_PACKAGE_VERSION = (createRequire(import.meta.url)('solc/package.json') as { version: string })
  .version;

interface BuildInfo {
  hash: string;
  solcVersion: string;
  sources: string[];
  /** `source.sol:Name` -> artifact file name (relative to outDir). */
  contracts: Record<string, string>;
}

/** Compiles contracts/ if anything changed since the last build. Throws ContractsCompileError on solc errors. */
export async function buildContracts(opts: BuildOptions = {}): Promise<BuildResult> {
  const root = resolve(opts.root ?? REPO_ROOT);
  const outDir = resolve(opts.outDir ?? join(root, 'artifacts'));
  const sources = collectSources(root);
  const hash = sourcesHash(sources);
  const infoFile = join(outDir, 'build-info.json');
  const cached = readBuildInfo(infoFile);
  const names = Object.keys(sources).sort();
  if (
    !opts.force &&
    cached?.hash === hash &&
    Object.values(cached.contracts).every((f) => existsSync(join(outDir, f)))
  ) {
    return {
      compiled: false,
      contracts: Object.keys(cached.contracts).sort(),
      sources: names,
      hash,
      outDir,
      solcVersion: cached.solcVersion,
    };
  }

  const { default: solc } = await import('solc');
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(names.map((n) => [n, { content: sources[n] }])),
    settings: SOLC_SETTINGS,
  };
  const findImports = (path: string) => {
    for (const base of [root, join(root, 'node_modules')]) {
      const file = join(base, path);
      if (existsSync(file)) return { contents: readFileSync(file, 'utf8') };
    }
    return { error: `file not found: ${path}` };
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new ContractsCompileError(errors.map((e) => e.formattedMessage.trim()));

  mkdirSync(outDir, { recursive: true });
  const contracts: Record<string, string> = {};
  for (const [sourceName, byName] of Object.entries(output.contracts ?? {})) {
    for (const [contractName, c] of Object.entries(byName)) {
      const file = `${sourceName.replace(/\.sol$/, '').replaceAll('/', '__')}__${contractName}.json`;
      const artifact: Artifact = {
        contractName,
        sourceName,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      };
      writeAtomic(join(outDir, file), JSON.stringify(artifact, null, 2));
      contracts[`${sourceName}:${contractName}`] = file;
    }
  }
  const solcVersion = solc.version() as string;
  const info: BuildInfo = { hash, solcVersion, sources: names, contracts };
  writeAtomic(infoFile, JSON.stringify(info, null, 2));
  return {
    compiled: true,
    contracts: Object.keys(contracts).sort(),
    sources: names,
    hash,
    outDir,
    solcVersion,
  };
}

/** The artifact of `name` (a contract name, or `source.sol:Name` when names clash), building first if needed. */
export async function getArtifact(name: string, opts: BuildOptions = {}): Promise<Artifact> {
  const build = await buildContracts(opts);
  const info = readBuildInfo(join(build.outDir, 'build-info.json'));
  const all = info?.contracts ?? {};
  const matches = name.includes(':')
    ? [name].filter((q) => q in all)
    : Object.keys(all).filter((q) => q.endsWith(`:${name}`));
  if (matches.length === 0) {
    const built = build.contracts.map((q) => q.split(':')[1]).join(', ') || '(none)';
    throw new ArtifactNotFoundError(`no contract named "${name}" in contracts/; built: ${built}`);
  }
  if (matches.length > 1) {
    throw new ArtifactNotFoundError(
      `contract name "${name}" is ambiguous; use one of: ${matches.join(', ')}`,
    );
  }
  const file = all[matches[0]];
  return JSON.parse(readFileSync(join(build.outDir, file), 'utf8')) as Artifact;
}

/** All `.sol` files under `<root>/contracts`, keyed by their path relative to root with `/` separators. */
function collectSources(root: string): Record<string, string> {
  const dir = join(root, 'contracts');
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (entry.endsWith('.sol')) out[relative(root, p).split(sep).join('/')] = readFileSync(p, 'utf8');
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

function sourcesHash(sources: Record<string, string>): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ solc: SOLC_PACKAGE_VERSION, settings: SOLC_SETTINGS }));
  for (const name of Object.keys(sources).sort()) h.update(`\0${name}\0${sources[name]}`);
  return h.digest('hex');
}

function readBuildInfo(file: string): BuildInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BuildInfo;
  } catch {
    return undefined;
  }
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

interface SolcOutput {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
}
