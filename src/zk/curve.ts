/**
 * The BN254 curve as snarkjs uses it (ffjavascript's WebAssembly curve with worker threads), shared
 * by the setup and snarkjs's own prover and verifier. `releaseCurve()` stops its workers.
 */
import { curves } from 'snarkjs';

// ffjavascript's curve object (untyped)
// biome-ignore lint/suspicious/noExplicitAny: ffjavascript ships no types
export type Curve = any;

export function getCurve(): Promise<Curve> {
  return curves.getCurveFromName('bn128');
}

/** Stops the shared curve's worker threads (a later call starts them again). */
export async function releaseCurve(): Promise<void> {
  const g = globalThis as { curve_bn128?: Curve };
  if (g.curve_bn128) await g.curve_bn128.terminate();
}
