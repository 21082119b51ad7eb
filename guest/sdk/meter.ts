// The metering seam (docs/app-abi.md §5 "Metering"): every transaction of a batch (and an L1
// deposit's handler) runs through runMetered, and only through it. Today it calls the thunk
// directly; a machine-level metered call (a step budget per transaction, a trap or an exhausted
// budget caught and turned into the receipt codes OUT_OF_STEPS / TRAPPED) replaces its body
// without changing any caller. The caller drops the thunk's state writes whenever the status is not
// OK (stateSnapshot / stateRevert, state.ts), so a failure of any kind leaves no writes.

/** One unit of metered work: reads its input from the run loop's context, returns a receipt status. */
export type TxThunk = () => u8;

/** Runs `fn` (metered, later) and returns its receipt status. */
export function runMetered(fn: TxThunk): u8 {
  return fn();
}
