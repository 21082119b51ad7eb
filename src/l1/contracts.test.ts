import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildContracts, getArtifact } from './contracts.ts';
import { ArtifactNotFoundError, ContractsCompileError } from './errors.ts';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'modex-contracts-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const A =
  '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.28;\nimport "./B.sol";\ncontract A is B { function f() external pure returns (uint256) { return 1; } }\n';
const B =
  '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.28;\nabstract contract B { uint256 public x; }\n';

describe('buildContracts', () => {
  it('compiles every contracts/**/*.sol, then serves the cache until a source changes', async () => {
    const root = project({ 'contracts/A.sol': A, 'contracts/lib/../B.sol': B });
    const first = await buildContracts({ root });
    expect(first.compiled).toBe(true);
    expect(first.contracts).toEqual(['contracts/A.sol:A', 'contracts/B.sol:B']);
    expect(first.solcVersion).toMatch(/^0\.8\.37/);
    const second = await buildContracts({ root });
    expect(second.compiled).toBe(false);
    expect(second.hash).toBe(first.hash);

    const a = await getArtifact('A', { root });
    expect(a.sourceName).toBe('contracts/A.sol');
    expect(a.bytecode).toMatch(/^0x60[0-9a-f]+$/);
    expect(a.abi.map((x) => ('name' in x ? x.name : x.type)).sort()).toEqual(['f', 'x']);
    expect((await getArtifact('B', { root })).bytecode).toBe('0x');

    writeFileSync(join(root, 'contracts/A.sol'), A.replace('return 1', 'return 2'));
    const third = await buildContracts({ root });
    expect(third.compiled).toBe(true);
    expect(third.hash).not.toBe(first.hash);
  });

  it("raises solc's formatted errors", async () => {
    const root = project({
      'contracts/Bad.sol': 'pragma solidity ^0.8.0;\ncontract Bad { function f() { x = 1; } }\n',
    });
    const err = await buildContracts({ root }).catch((e) => e);
    expect(err).toBeInstanceOf(ContractsCompileError);
    expect(err.code).toBe('CONTRACTS_COMPILE_FAILED');
    expect(err.message).toContain('contracts/Bad.sol:2:');
    expect(err.messages.length).toBeGreaterThanOrEqual(1);
  });

  it('names the built contracts when an artifact is missing', async () => {
    const root = project({ 'contracts/A.sol': A, 'contracts/B.sol': B });
    const err = await getArtifact('Nope', { root }).catch((e) => e);
    expect(err).toBeInstanceOf(ArtifactNotFoundError);
    expect(err.message).toBe('no contract named "Nope" in contracts/; built: A, B');
  });
});
