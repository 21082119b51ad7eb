import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { M, MOP_COUNT, mopName } from './isa.ts';

describe('isa', () => {
  it('opcode numbers are dense and named', () => {
    expect(MOP_COUNT).toBe(Object.keys(M).length);
    for (const [name, n] of Object.entries(M)) expect(mopName(n)).toBe(name);
  });

  it("the run loop's literal opcodes match isa.ts", () => {
    const src = readFileSync(new URL('./machine.ts', import.meta.url), 'utf8');
    const uses = [...src.matchAll(/\b(\d+) \/\* ([a-z0-9_.]+) \*\//g)];
    expect(uses.length).toBeGreaterThan(100);
    for (const [, n, name] of uses) expect([name, Number(n)]).toEqual([name, M[name as keyof typeof M]]);
    // every opcode has a case in the run loop
    const cased = new Set([...src.matchAll(/case (\d+) \/\*/g)].map((m) => Number(m[1])));
    for (let op = 0; op < MOP_COUNT; op++) expect([op, cased.has(op)]).toEqual([op, true]);
  });
});
