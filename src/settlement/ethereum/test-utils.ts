/** Test helper: assertions on the typed reverts of the settlement contracts. */
import { expect } from 'vitest';
import { SettlementRevertError } from './errors.ts';

/** Asserts that `p` rejects with `contract`'s custom error `name` (and `args`, when given). */
export async function expectRevert(
  p: Promise<unknown>,
  contract: string,
  name: string,
  args?: readonly unknown[],
): Promise<SettlementRevertError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, `expected ${contract}.${name}`).toBeInstanceOf(SettlementRevertError);
  const r = e as SettlementRevertError;
  expect(r.contract).toBe(contract);
  expect(r.errorName).toBe(name);
  if (args) expect(r.args).toEqual(args);
  return r;
}
