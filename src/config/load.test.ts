import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinAppBytes, builtinAppPath } from '../apps/sdk/builtin-apps.ts';
import { compileGuest } from '../apps/sdk/run-app.ts';
import type { ModexError } from '../core/errors.ts';
import { appWasmPath } from './app.ts';
import { ConfigError, ConfigFileError } from './errors.ts';
import { loadConfig, parseConfigText, validateConfig } from './load.ts';
import { summarizeConfig } from './summary.ts';

const EXAMPLE = new URL('../../examples/devnet.config.json', import.meta.url).pathname;

function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    validateConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe('CONFIG_INVALID');
    return (e as ConfigError).issues;
  }
  throw new Error('expected the config to be rejected');
}

describe('loadConfig', () => {
  it('accepts the example devnet config', () => {
    const c = loadConfig(EXAMPLE);
    expect(c.vm).toMatchObject({ module: 'wasm', app: 'token' });
    expect(c.proof).toEqual({
      module: 'fraud',
      challengePeriodSeconds: 60,
      bond: '1000000000000000000',
      disputes: 'bisection',
    });
    expect(c.settlement).toEqual({ module: 'ethereum', rpcUrl: 'embedded' });
    expect(summarizeConfig(c)).toBe(
      'modex-devnet (chain id 412346): wasm VM with app token, fraud proofs (challenge 1m, bond 1 ETH), ' +
        'l1-calldata DA, ethereum settlement (embedded anvil), single sequencer (forced inclusion after 5m)',
    );
  });

  it('reports a missing file with its path', () => {
    expect(() => loadConfig('/nonexistent/modex.config.json')).toThrow(
      /cannot read config file \/nonexistent\/modex\.config\.json: no such file/,
    );
  });

  it('reports bad JSON with line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'modex-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{\n  "chain": { "name": "x", }\n}\n');
    let err: unknown;
    try {
      loadConfig(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigFileError);
    expect((err as ConfigFileError).code).toBe('CONFIG_UNREADABLE');
    expect((err as Error).message).toContain(`${file} is not valid JSON`);
    expect((err as Error).message).toMatch(/line 2, column \d+/);
  });

  it('resolves vm.stf against the config file and requires it to exist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'modex-config-'));
    writeFileSync(join(dir, 'app.wasm'), builtinAppBytes('kv'));
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ vm: { stf: 'app.wasm' } }));
    expect(loadConfig(join(dir, 'ok.json')).vm).toMatchObject({ stf: join(dir, 'app.wasm') });
    expect(loadConfig(join(dir, 'ok.json')).vm.app).toBeUndefined();
    writeFileSync(join(dir, 'missing.json'), JSON.stringify({ vm: { stf: 'nope.wasm' } }));
    expect(() => loadConfig(join(dir, 'missing.json'))).toThrow(
      `vm.stf: file not found: ${join(dir, 'nope.wasm')}`,
    );
  });

  it('refuses an STF without the app ABI (APP_ABI_MISSING, naming the exports); built-ins pass', () => {
    const dir = mkdtempSync(join(tmpdir(), 'modex-config-'));
    writeFileSync(join(dir, 'fib.wasm'), compileGuest('test-modules/fib.ts'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ vm: { stf: 'fib.wasm' } }));
    let err: unknown;
    try {
      loadConfig(join(dir, 'c.json'));
    } catch (e) {
      err = e;
    }
    expect((err as ModexError).code).toBe('APP_ABI_MISSING');
    expect((err as Error).message).toContain(
      'modex_abi_version, modex_genesis, modex_admit, modex_query, modex_receipt_names',
    );
    expect(loadConfig(join(dir, 'c.json'), { checkApp: false }).vm.stf).toBe(join(dir, 'fib.wasm'));
    for (const app of ['token', 'kv']) {
      writeFileSync(join(dir, `${app}.json`), JSON.stringify({ vm: { app } }));
      expect(loadConfig(join(dir, `${app}.json`)).vm.app).toBe(app);
      expect(appWasmPath({ app: app as 'token' | 'kv' })).toBe(builtinAppPath(app as 'token' | 'kv'));
    }
  });

  it('names the source in the error and lists every problem', () => {
    expect(() => parseConfigText('{"chain": {"chainId": -1}, "vm": {"module": "jvm"}}', 'my.json')).toThrow(
      /2 problems in my\.json:\n {2}- chain\.chainId: got -1; expected an integer from 1 to .*\n {2}- vm\.module: got "jvm"; allowed: "wasm", "evm", "mips"/,
    );
  });
});

describe('validateConfig: shape', () => {
  it('fills defaults for an empty config', () => {
    const c = validateConfig({});
    expect(c.chain).toEqual({ name: 'modex-devnet', chainId: 412346 });
    expect(c.vm.app).toBe('token');
    expect(c.proof.challengePeriodSeconds).toBe(7 * 86400);
    expect(c.da).toEqual({ module: 'l1-calldata' });
    expect(c.sequencing.batch).toEqual({ maxBytes: 100000, maxAgeSeconds: 10 });
  });

  it('rejects a non-object document', () => {
    expect(issuesOf([])).toEqual([{ path: '(root)', message: 'got an array; expected an object' }]);
  });

  it('rejects unknown fields, naming what is allowed', () => {
    expect(issuesOf({ proof: { module: 'fraud', challengePeriod: 10 } })).toEqual([
      {
        path: 'proof.challengePeriod',
        message:
          'unknown field; allowed here: module, challengePeriodSeconds, bond, attested, disputes, validity',
      },
    ]);
  });

  it('reports each bad field with its value and what is allowed', () => {
    const issues = issuesOf({
      chain: { name: 'My Chain', chainId: 1.5 },
      proof: { challengePeriodSeconds: 100 * 86400, bond: 1e30 },
      settlement: { rpcUrl: 'ftp://x' },
      da: {
        committee: {
          members: [{ url: 'http://a', publicKey: '0x12', proofOfPossession: `0x${'ab'.repeat(128)}` }],
        },
      },
    });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(Object.keys(byPath).sort()).toEqual([
      'chain.chainId',
      'chain.name',
      'da.committee.members[0].publicKey',
      'proof.bond',
      'proof.challengePeriodSeconds',
      'settlement.rpcUrl',
    ]);
    expect(byPath['chain.name']).toContain('got "My Chain"; expected lowercase letters');
    expect(byPath['proof.challengePeriodSeconds']).toBe(
      'got 8640000; expected an integer from 0 to 5184000 seconds (60 days at most)',
    );
    expect(byPath['proof.bond']).toContain('decimal string');
    expect(byPath['settlement.rpcUrl']).toContain('"embedded" or an http(s)/ws(s) JSON-RPC URL');
    expect(byPath['da.committee.members[0].publicKey']).toContain('got "0x12"');
  });

  it('accepts a bond as a decimal string beyond 2^53', () => {
    expect(validateConfig({ proof: { bond: '123456789012345678901234567890' } }).proof.bond).toBe(
      '123456789012345678901234567890',
    );
  });

  it('the example file round-trips through validateConfig unchanged', () => {
    const raw = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    expect(validateConfig(validateConfig(raw))).toEqual(validateConfig(raw));
  });
});

describe('examples/attested.config.json', () => {
  it('is valid: 100 local validators, committees of 20 with 2 assumed honest, epochs of 4 L1 blocks', () => {
    const file = join(import.meta.dirname, '..', '..', 'examples', 'attested.config.json');
    const c = loadConfig(file, { checkApp: false });
    expect(c.proof.module).toBe('attested');
    expect(c.proof.attested).toMatchObject({
      localValidators: 100,
      activeSize: 20,
      assumedHonest: 2,
      epochBlocks: 4,
    });
    // short batches, so assertions (and their attestations) follow the transactions quickly
    expect(c.sequencing.batch.maxAgeSeconds).toBe(1);
  });
});
