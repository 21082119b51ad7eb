import { describe, expect, it } from 'vitest';
import { branchesModule, loopModule, NO_HOST } from '../../../test/wasm/proof-corpus.ts';
import { randomModule } from '../../../test/wasm/random-module.ts';
import { stf } from '../../../test/wasm/wat.ts';
import { commitModule, globalStateHash, MachineCommitter } from '../../vm/wasm/commit.ts';
import { keccak, toHex, word } from '../../vm/wasm/hash.ts';
import { emptyGlobalState, type GlobalState, Machine } from '../../vm/wasm/machine.ts';
import { compileProgram } from '../../vm/wasm/program.ts';
import { cloneGlobalState, initialMachineHash, skipState } from './initial-machine.ts';

const GS: GlobalState = { bytes32: [keccak(word(1)), keccak(word(2))], u64: [7n, 3n] };

const MODULES: [string, Uint8Array][] = [
  ['loop', loopModule()],
  ['branches', branchesModule()],
  ['stf, no globals, 1 page', stf('(drop (call $inbox_read (i32.const 0) (i32.const 0)))')],
  [
    'stf, 3 globals + 2 data segments, 2..5 pages',
    stf(
      '(global.set $a (i32.const 1)) (call $halt)',
      '(global $a (mut i32) (i32.const 5)) (global $b (mut i64) (i64.const 9)) (global $c i32 (i32.const 2)) (data (i32.const 0) "abc") (data (i32.const 64) "xyz")',
      '(memory 2 5)',
    ),
  ],
  ['stf, no memory', stf('(nop)', '', '')],
  ['random 1', randomModule(1, { maxPages: 2 })],
  ['random 2', randomModule(2, { maxPages: 3 })],
];

describe('initialMachineHash', () => {
  for (const [label, bytes] of MODULES) {
    it(`equals a fresh machine's hash: ${label}`, () => {
      const prog = compileProgram(bytes);
      const module = commitModule(prog);
      for (const gs of [emptyGlobalState(), GS]) {
        const fresh = new MachineCommitter(new Machine(prog, cloneGlobalState(gs), NO_HOST)).hash();
        expect(toHex(initialMachineHash(module.fields, globalStateHash(gs)))).toBe(toHex(fresh));
        expect(toHex(initialMachineHash(module, globalStateHash(gs)))).toBe(toHex(fresh));
      }
    });
  }

  it('rejects a field list of the wrong length', () => {
    const fields = commitModule(compileProgram(loopModule())).fields;
    expect(() => initialMachineHash(fields.slice(0, 4), word(0))).toThrow(RangeError);
  });
});

describe('skipState', () => {
  it('moves to the next message, position 0, roots unchanged, input untouched', () => {
    const s = skipState(GS);
    expect(s.u64).toEqual([8n, 0n]);
    expect(s.bytes32.map(toHex)).toEqual(GS.bytes32.map(toHex));
    expect(s.bytes32[0]).not.toBe(GS.bytes32[0]);
    expect(GS.u64).toEqual([7n, 3n]);
  });
});
