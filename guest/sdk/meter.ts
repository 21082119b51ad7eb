// The metering seam (docs/app-abi.md §5 "Metering"): every transaction of a batch (and an L1
// deposit's handler) runs through runMetered, and only through it. runMetered runs the thunk under
// the machine's metered call (docs/machine.md §3.7, host function metered_call) with a budget of
// TX_STEP_BUDGET steps: a trap anywhere in the thunk (unreachable, out-of-bounds memory, a division
// by zero, call depth or stack height, a failed host op) or an exhausted budget unwinds the machine
// to the call, and the unit gets TRAPPED or OUT_OF_STEPS instead of stopping the whole message.
// The caller drops the thunk's state writes whenever the status is not OK (stateSnapshot /
// stateRevert, state.ts) and releases the arena after each unit (stf.ts), so a failure of any kind
// leaves no writes; memory and globals are not rolled back by the machine.
import { metered_call } from "./host";

/** One unit of metered work: reads its input from the run loop's context, returns a receipt status. */
export type TxThunk = () => u8;

/** The step budget of one transaction (and of a deposit's handler): 10,000,000 machine steps (docs/app-abi.md §5). */
export const TX_STEP_BUDGET: i64 = 10_000_000;

// receipt codes (stf.ts OUT_OF_STEPS / TRAPPED; not imported: stf.ts imports this file)
const OUT_OF_STEPS_CODE: u8 = 12;
const TRAPPED_CODE: u8 = 13;

function noThunk(): u8 {
  return 0;
}

let current: TxThunk = noThunk;

/** The function metered_call calls (type (i32) -> i32, in the table): runs the current thunk. */
function meteredEntry(arg: i32): i32 {
  return <i32>current();
}

/** Runs `fn` under a step budget and returns its receipt status (OUT_OF_STEPS / TRAPPED when it failed). */
export function runMetered(fn: TxThunk): u8 {
  return runMeteredWith(fn, TX_STEP_BUDGET);
}

/**
 * runMetered with another budget (an app whose units carry their own limit: the EVM app gives a
 * transaction steps in proportion to its gas limit, docs/evm.md §4). The budget must follow from the
 * message alone, so that every run of it agrees.
 */
export function runMeteredWith(fn: TxThunk, budget: i64): u8 {
  current = fn;
  const entry: (arg: i32) => i32 = meteredEntry;
  let r = metered_call(<i32>entry.index, 0, budget);
  // never taken (the machine returns a result >= 0, -1 or -2), but a call through the table of
  // entry's type keeps the optimizer from assuming entry is never called (the table is not
  // exported, so binaryen does not see metered_call call into it)
  if (r == -3) r = entry(0);
  current = noThunk;
  if (r == -2) return OUT_OF_STEPS_CODE;
  if (r < 0) return TRAPPED_CODE;
  return <u8>r;
}
