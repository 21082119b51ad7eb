/**
 * The module registry (src/modules.ts) and the seams it stands for:
 * - every config name of every layer is registered, implemented or planned, and the config's
 *   status table is the registry's; planned modules are refused with "not implemented yet";
 * - the import graph: no module folder (src/<layer>/<name>/) imports another module's folder, and
 *   src/core imports nothing outside src/core;
 * - one error base: every error class extends ModexError (src/core/errors.ts);
 * - the node's roles create their modules through the registry from the chain config, and refuse
 *   a config naming a planned module before anything starts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { builtinAppBytes } from './apps/sdk/builtin-apps.ts';
import { withDefaults } from './config/defaults.ts';
import { MODULE_STATUS } from './config/modules.ts';
import {
  DA_MODULES,
  PROOF_MODULES,
  SEQUENCING_MODULES,
  SETTLEMENT_MODULES,
  VM_MODULES,
} from './config/types.ts';
import { ModexError } from './core/errors.ts';
import { L1BlobDa } from './da/l1-blob/l1-blob.ts';
import { L1CalldataDa } from './da/l1-calldata/l1-calldata.ts';
import {
  assertModules,
  createDa,
  createModule,
  createProof,
  LAYERS,
  lookupModule,
  ModuleConfigError,
  ModuleNotImplementedError,
  moduleProblems,
  modulesWithStatus,
  REGISTRY,
} from './modules.ts';
import { type ChainClients, roleModules, startSequencerRole, startValidatorRole } from './node/roles.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/** The layers whose subfolders are modules. */
const MODULE_LAYERS = ['vm', 'proof', 'da', 'settlement', 'sequencing'];

/**
 * Cross-module imports that exist today, each with what removes it. The test fails on any import
 * not listed here AND on a listed one that is gone (so the list only shrinks). Do not add to it:
 * move the shared code to src/core, src/crypto or a shared folder instead.
 */
const KNOWN_CROSS_MODULE_IMPORTS: Record<string, string> = {
  // the committee's L1 contract uses the ethereum settlement's contract plumbing: move
  // contract-client.ts, the revert registry of errors.ts and readContractTx/sendContractTx to src/l1
  'src/da/committee/keysets.ts -> src/settlement/ethereum/contract-client.ts': 'contract plumbing',
  'src/da/committee/keysets.ts -> src/settlement/ethereum/errors.ts': 'contract plumbing',
  'src/da/committee/keysets.ts -> src/settlement/ethereum/inbox.ts': 'contract plumbing',
  // fraud proofs drive the wasm machine directly and the ethereum contracts' clients: the cut is
  // the core SteppableMachine (vm/wasm/vm-module.ts) and a settlement-side dispute interface
  'src/proof/fraud/challenger.ts -> src/settlement/ethereum/dispute-hash.ts': 'fraud over ethereum',
  'src/proof/fraud/challenger.ts -> src/settlement/ethereum/inbox.ts': 'fraud over ethereum',
  'src/proof/fraud/challenger.ts -> src/settlement/ethereum/preimage-oracle.ts': 'fraud over ethereum',
  'src/proof/fraud/challenger.ts -> src/settlement/ethereum/rollup.ts': 'fraud over ethereum',
  'src/proof/fraud/proof-system.ts -> src/settlement/ethereum/dispute-hash.ts': 'fraud over ethereum',
  'src/proof/fraud/claim.ts -> src/vm/wasm/commit.ts': 'fraud over wasm',
  'src/proof/fraud/claim.ts -> src/vm/wasm/hash.ts': 'fraud over wasm',
  'src/proof/fraud/claim.ts -> src/vm/wasm/lower.ts': 'fraud over wasm',
  'src/proof/fraud/claim.ts -> src/vm/wasm/machine.ts': 'fraud over wasm',
  'src/proof/fraud/claim.ts -> src/vm/wasm/proof.ts': 'fraud over wasm',
  'src/proof/fraud/history.ts -> src/vm/wasm/hash.ts': 'fraud over wasm',
  'src/proof/fraud/history.ts -> src/vm/wasm/merkle.ts': 'fraud over wasm',
  'src/proof/fraud/initial-machine.ts -> src/vm/wasm/commit.ts': 'fraud over wasm',
  'src/proof/fraud/initial-machine.ts -> src/vm/wasm/hash.ts': 'fraud over wasm',
  'src/proof/fraud/initial-machine.ts -> src/vm/wasm/machine.ts': 'fraud over wasm',
  'src/proof/fraud/machine-history.ts -> src/vm/wasm/commit.ts': 'fraud over wasm',
  'src/proof/fraud/machine-history.ts -> src/vm/wasm/hash.ts': 'fraud over wasm',
  'src/proof/fraud/machine-history.ts -> src/vm/wasm/lower.ts': 'fraud over wasm',
  'src/proof/fraud/machine-history.ts -> src/vm/wasm/machine.ts': 'fraud over wasm',
  // the ethereum contracts' encodings of machine data and the token follower (an app client)
  'src/settlement/ethereum/dispute-hash.ts -> src/vm/wasm/machine.ts': 'GlobalState is in src/core',
  'src/settlement/ethereum/message.ts -> src/vm/wasm/proof.ts': 'messageHash (machine §6.2)',
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

/** Tests and test helpers wire modules together on purpose; only the modules' own code counts. */
const isTestCode = (rel: string) =>
  /\.test\.ts$|\.test-helper\.ts$|(^|\/)test-utils(\.ts|\/)|(^|\/)spectest\/|(^|\/)osp-harness\.ts$/.test(
    rel,
  );

/** `src/<layer>/<name>` of a module folder file, else undefined. */
function moduleOf(rel: string): string | undefined {
  const m = /^src\/([^/]+)\/([^/]+)\//.exec(rel);
  return m && MODULE_LAYERS.includes(m[1]) ? `src/${m[1]}/${m[2]}` : undefined;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.\.?\/[^'"]+)['"]/g;

/** Relative imports of every non-test source file under src/, as repo-relative paths. */
function importGraph(): { from: string; to: string }[] {
  const edges: { from: string; to: string }[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = relative(ROOT, file).split('\\').join('/');
    if (isTestCode(from)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = relative(ROOT, resolve(dirname(file), m[1]))
        .split('\\')
        .join('/');
      edges.push({ from, to });
    }
  }
  return edges;
}

describe('the module registry', () => {
  it('registers every config name of every layer; the config status table is the registry', () => {
    const names = {
      vm: VM_MODULES,
      proof: PROOF_MODULES,
      da: DA_MODULES,
      settlement: SETTLEMENT_MODULES,
      sequencing: SEQUENCING_MODULES,
    };
    for (const layer of LAYERS) {
      expect(Object.keys(REGISTRY[layer]).sort(), layer).toEqual([...names[layer]].sort());
      for (const name of names[layer]) {
        const m = lookupModule(layer, name);
        expect(m, `${layer}/${name}`).toMatchObject({ layer, name });
        expect((MODULE_STATUS[layer] as Record<string, string>)[name]).toBe(m?.status);
      }
    }
    expect(modulesWithStatus('da', 'implemented')).toEqual(['l1-calldata', 'l1-blob', 'committee']);
    expect(modulesWithStatus('proof', 'implemented')).toEqual(['fraud', 'validity', 'attested', 'none']);
    expect(modulesWithStatus('proof', 'planned')).toEqual([]);
    expect(modulesWithStatus('settlement', 'implemented')).toEqual(['ethereum', 'sovereign']);
  });

  it('refuses planned and unknown modules with "not implemented yet"', () => {
    expect(() => createModule('vm', 'evm', { config: undefined as never })).toThrow(
      ModuleNotImplementedError,
    );
    try {
      createModule('settlement', 'modex', undefined as never);
    } catch (e) {
      expect((e as ModexError).code).toBe('MODULE_NOT_IMPLEMENTED');
      expect((e as Error).message).toBe(
        '"modex" is not implemented yet (planned); implemented: "ethereum", "sovereign"',
      );
    }
    expect(() => createModule('vm', 'risc-v', undefined)).toThrow(/"risc-v" is not a vm module/);
    const config = {
      vm: { module: 'evm' },
      proof: { module: 'fraud' },
      da: { module: 'committee' },
      settlement: { module: 'ethereum' },
      sequencing: { module: 'single' },
    } as never;
    expect(moduleProblems(config)).toEqual([
      { path: 'vm.module', message: '"evm" is not implemented yet (planned); implemented: "wasm"' },
      { path: 'da.committee', message: 'required for da.module "committee": its members and fallback' },
    ]);
  });

  it('creates DA modules by config name; the committee gets its fallback through the registry', () => {
    const ctx = { rpcUrl: 'http://127.0.0.1:1' };
    expect(createDa({ ...ctx, config: { da: { module: 'l1-calldata' } } })).toBeInstanceOf(L1CalldataDa);
    expect(createDa({ ...ctx, config: { da: { module: 'l1-blob' } } })).toBeInstanceOf(L1BlobDa);
    const member = { url: 'http://127.0.0.1:1', publicKey: `0x${'11'.repeat(256)}`, proofOfPossession: '0x' };
    const committee = createDa({
      ...ctx,
      config: {
        da: {
          module: 'committee',
          committee: { members: [member as never], assumedHonest: 1, fallback: 'l1-blob', timeoutMs: 100 },
        },
      },
    });
    expect(committee.name).toBe('committee');
    expect(committee.fallback).toBeInstanceOf(L1BlobDa);
  });

  it('creates attested proofs with their fallback (fraud) through the registry', async () => {
    const fraud = vi.spyOn(REGISTRY.proof.fraud, 'create');
    const config = withDefaults({ proof: { module: 'attested' } });
    expect(moduleProblems(config)).toEqual([]);
    const settlement = { rollup: {} } as never;
    const gs = (root: number) =>
      ({ bytes32: [new Uint8Array(32).fill(root), new Uint8Array(32)], u64: [1n, 0n] }) as never;
    const held = {
      digest: `0x${'ab'.repeat(32)}` as const,
      signatures: [{ memberIndex: 3, signature: '0x01' as const }],
    };
    const end = gs(7);
    const proof = createProof({
      config,
      settlement,
      attestations: { signaturesFor: (prev, e) => (prev === '0x01' && e === end ? held : undefined) },
    });
    expect(proof).toMatchObject({
      name: 'attested',
      finality: 'attestation',
      needsSettlementContracts: true,
    });
    // the fallback is the fraud module, created through the registry with the same settlement clients
    expect(fraud).toHaveBeenCalledOnce();
    expect(fraud.mock.calls[0][0].settlement).toBe(settlement);
    expect(proof.verify(gs(1), gs(2))).toMatchObject({
      agree: false,
      reason: expect.stringMatching(/^stateRoot/),
    });
    const claim = (prev: string, end: unknown) =>
      ({ prevAssertionHash: prev, endState: end, blockCount: 1n }) as never;
    expect(await proof.evidence(claim('0x01', end))).toEqual({ kind: 'attestation', ...held });
    expect(await proof.evidence(claim('0x02', end))).toEqual({ kind: 'none' });
    fraud.mockRestore();
    // the module needs its fallback from the context; the config needs proof.attested
    expect(() => createModule('proof', 'attested', { config })).toThrow(/fallback proof module/);
    const bare = withDefaults({});
    bare.proof.module = 'attested';
    expect(moduleProblems(bare)).toEqual([
      { path: 'proof.attested', message: 'required for proof.module "attested": the validator committee' },
    ]);
  });

  it('creates the other layers: wasm VM, fraud proofs, single sequencing', () => {
    expect(createModule('vm', 'wasm', undefined).name).toBe('wasm');
    const proof = createModule('proof', 'fraud', { config: { proof: {} } as never });
    expect(proof).toMatchObject({
      name: 'fraud',
      finality: 'challenge-period',
      needsSettlementContracts: true,
    });
    const gs = (root: number) =>
      ({ bytes32: [new Uint8Array(32).fill(root), new Uint8Array(32)], u64: [1n, 0n] }) as never;
    expect(proof.verify(gs(1), gs(1))).toEqual({ agree: true });
    expect(proof.verify(gs(1), gs(2))).toMatchObject({
      agree: false,
      reason: expect.stringMatching(/^stateRoot/),
    });

    const seq = createModule('sequencing', 'single', {
      config: {
        sequencing: { module: 'single', maxDelaySeconds: 60, batch: { maxBytes: 100, maxAgeSeconds: 2 } },
        vm: { limits: { maxTransactionsPerBlock: 3 } },
      } as never,
    });
    expect(seq.fits({ bytes: 5, transactions: 0, ageSeconds: 0 }, 91)).toBe(true);
    expect(seq.fits({ bytes: 5, transactions: 0, ageSeconds: 0 }, 92)).toBe(false);
    expect(seq.shouldSeal({ bytes: 50, transactions: 3, ageSeconds: 0 })).toBe(true);
    expect(seq.shouldSeal({ bytes: 50, transactions: 1, ageSeconds: 2 })).toBe(true);
    expect(seq.shouldSeal({ bytes: 50, transactions: 1, ageSeconds: 1 })).toBe(false);
    const msg = (t: bigint) => ({ l1Timestamp: t }) as never;
    expect(seq.forcedMessages([msg(0n), msg(50n)], 100n)).toEqual([msg(0n)]);
  });
});

describe('the roles create their modules through the registry', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** a deployed chain's clients, enough for what the roles do before they touch the settlement layer */
  const fakeChain = () =>
    ({
      rollup: { clients: { walletClient: { account: { address: `0x${'0a'.repeat(20)}` } } } },
      challenges: {},
      inbox: {},
      oracle: {},
      bridge: {},
      deployBlock: 0n,
      params: { heights: [4, 8] },
      settlement: { name: 'ethereum' },
    }) as unknown as ChainClients;
  const PLANNED = { vm: 'evm', settlement: 'modex', sequencing: 'committee-rotation' };

  it('refuses a config naming a planned module for any layer, before anything starts', async () => {
    expect(() => assertModules(withDefaults({}))).not.toThrow();
    for (const [layer, name] of Object.entries(PLANNED)) {
      const config = withDefaults({});
      (config as unknown as Record<string, { module: string }>)[layer].module = name;
      expect(() => roleModules(config, fakeChain()), layer).toThrow(ModuleConfigError);
      expect(() => roleModules(config, fakeChain()), layer).toThrow(
        `${layer}.module: "${name}" is not implemented yet (planned)`,
      );
      const app = { name: 'token', bytes: builtinAppBytes('token') };
      expect(() => startValidatorRole({ chain: fakeChain(), app, chainId: 1n, config, name: 'v' })).toThrow(
        ModuleConfigError,
      );
      // the sequencer role is refused before its workers, its data dir or its RPC server exist
      await expect(
        startSequencerRole({
          chain: fakeChain(),
          app,
          chainId: 1n,
          config,
          rpcUrl: 'http://127.0.0.1:1',
          sequencerKey: `0x${'01'.repeat(32)}`,
          dataDir: '/nonexistent/modex-roles',
        }),
      ).rejects.toThrow(ModuleConfigError);
    }
  });

  it('the validator role disputes through the proof system the registry creates for proof.module', () => {
    const create = vi.spyOn(REGISTRY.proof.fraud, 'create');
    const vm = vi.spyOn(REGISTRY.vm.wasm, 'create');
    const chain = fakeChain();
    const role = startValidatorRole({
      chain,
      app: { name: 'token', bytes: builtinAppBytes('token') },
      chainId: 1n,
      config: withDefaults({}),
      name: 'v',
    });
    expect(create).toHaveBeenCalledOnce();
    // the fraud module gets the contracts' clients it disputes through in its context
    expect(create.mock.calls[0][0].settlement).toMatchObject({
      rollup: chain.rollup,
      challenges: chain.challenges,
      inbox: chain.inbox,
      oracle: chain.oracle,
    });
    expect(role.validator.proof).toBe(create.mock.results[0].value);
    expect(role.modules.proof.name).toBe('fraud');
    expect(vm).toHaveBeenCalledOnce();
    expect(role.modules.vm.name).toBe('wasm');
    expect(role.modules.settlement).toBe(chain.settlement);
  });

  it('the sequencer takes its sealing rules from the sequencing module the registry creates', () => {
    const create = vi.spyOn(REGISTRY.sequencing.single, 'create');
    const config = withDefaults({ sequencing: { batch: { maxBytes: 1234 } } });
    const m = roleModules(config, fakeChain(), { sequencer: `0x${'0b'.repeat(20)}` });
    expect(create).toHaveBeenCalledOnce();
    expect(m.sequencing).toBe(create.mock.results[0].value);
    expect(m.sequencing.limits).toEqual({
      maxTransactionsPerBlock: config.vm.limits.maxTransactionsPerBlock,
      maxBlockBytes: 1234,
      maxAgeSeconds: config.sequencing.batch.maxAgeSeconds,
    });
    expect(m.sequencing.sequencerAt(0n)).toBe(`0x${'0b'.repeat(20)}`);
  });
});

describe('the import graph', () => {
  const edges = importGraph();

  it('no module folder imports another module folder (except the known ones, which only shrink)', () => {
    const cross = edges
      .filter((e) => moduleOf(e.from) && moduleOf(e.to) && moduleOf(e.from) !== moduleOf(e.to))
      .map((e) => `${e.from} -> ${e.to}`);
    const unknown = cross.filter((c) => !(c in KNOWN_CROSS_MODULE_IMPORTS));
    expect(unknown, 'new imports of another module folder: move the shared code out of the module').toEqual(
      [],
    );
    const gone = Object.keys(KNOWN_CROSS_MODULE_IMPORTS).filter((k) => !cross.includes(k));
    expect(gone, 'fixed: remove these from KNOWN_CROSS_MODULE_IMPORTS').toEqual([]);
  });

  it('src/core imports nothing outside src/core', () => {
    const out = edges.filter((e) => e.from.startsWith('src/core/') && !e.to.startsWith('src/core/'));
    expect(out).toEqual([]);
  });

  it('the DA modules import no other DA module and no settlement module', () => {
    const da = edges.filter((e) => e.from.startsWith('src/da/') && moduleOf(e.from));
    const bad = da.filter(
      (e) =>
        ((e.to.startsWith('src/da/') && moduleOf(e.to) && moduleOf(e.to) !== moduleOf(e.from)) ||
          e.to.startsWith('src/node/derivation') ||
          e.to.startsWith('src/node/batch')) &&
        !(`${e.from} -> ${e.to}` in KNOWN_CROSS_MODULE_IMPORTS),
    );
    expect(bad).toEqual([]);
  });
});

describe('one error base', () => {
  it('every error class in src/ extends ModexError (src/core/errors.ts) or another modex error', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const rel = relative(ROOT, file);
      if (isTestCode(rel) || rel === join('src', 'core', 'errors.ts')) continue;
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/class\s+(\w+)\s+extends\s+(\w*Error)\b/g)) {
        if (['Error', 'RangeError', 'TypeError', 'SyntaxError'].includes(m[2]))
          offenders.push(`${rel}: ${m[1]} extends ${m[2]}`);
      }
    }
    expect(offenders).toEqual([]);
    expect(new ModuleNotImplementedError('vm', 'evm')).toBeInstanceOf(ModexError);
  });
});
