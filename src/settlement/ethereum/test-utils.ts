/** Test helper: assertions on the typed reverts of the settlement contracts. */
import { expect } from 'vitest';
import { BridgeRevertError, SettlementRevertError } from './errors.ts';

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

/** `expectRevert` for the bridge tests: `cls` (BridgeRevertError or InboxRevertError) names the contract. */
export const expectRevertOf = <E extends SettlementRevertError>(
  p: Promise<unknown>,
  cls: new (...a: never[]) => E,
  name: string,
  args?: readonly unknown[],
): Promise<E> =>
  expectRevert(p, (cls as unknown) === BridgeRevertError ? 'Bridge' : 'Inbox', name, args) as Promise<E>;
