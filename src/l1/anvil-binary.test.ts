import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { anvilBinary } from './anvil-binary.ts';
import { AnvilNotFoundError } from './errors.ts';

describe('anvilBinary', () => {
  afterEach(() => {
    delete process.env.MODEX_ANVIL_BIN;
  });

  it('finds the platform binary from node_modules, which runs', () => {
    const bin = anvilBinary();
    expect(bin).toMatch(/@foundry-rs\/anvil-[a-z0-9]+-[a-z0-9]+\/bin\/anvil(\.exe)?$/);
    expect(execFileSync(bin, ['--version']).toString()).toMatch(/^anvil Version: \d+\.\d+\.\d+/);
  });

  it('honours MODEX_ANVIL_BIN and reports a missing override', () => {
    process.env.MODEX_ANVIL_BIN = '/nonexistent/anvil';
    expect(() => anvilBinary()).toThrow(AnvilNotFoundError);
    expect(() => anvilBinary()).toThrow('MODEX_ANVIL_BIN=/nonexistent/anvil does not exist');
  });
});
