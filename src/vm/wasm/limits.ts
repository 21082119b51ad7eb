/**
 * Run-time limits of the machine (docs/machine.md §2.4). They are committed in the module root,
 * so every party and the on-chain verifier apply the same ones. Hitting a limit is a deterministic
 * trap (status Errored), never a host crash.
 */
export interface MachineLimits {
  /** upper bound on linear memory, in 64 KiB pages (the module's own maximum may be lower) */
  maxMemoryPages: number;
  /** maximum call depth (frames) */
  maxFrames: number;
  /** maximum operand-stack height, in values, across all frames */
  maxStackHeight: number;
  /** maximum number of steps a run may take; the step that would exceed it traps */
  maxSteps: bigint;
}

export const DEFAULT_LIMITS: Readonly<MachineLimits> = Object.freeze({
  maxMemoryPages: 1024,
  maxFrames: 16_384,
  maxStackHeight: 1 << 20,
  maxSteps: 1n << 48n,
});

/** Hard ceilings: values above these are refused by `resolveLimits`. */
const CEILINGS = {
  maxMemoryPages: 65536,
  maxFrames: 1 << 20,
  maxStackHeight: 1 << 24,
  maxSteps: (1n << 64n) - 1n,
};

import { ModexError } from '../../core/errors.ts';

export class MachineLimitsError extends ModexError {
  constructor(message: string) {
    super('MACHINE_LIMITS_INVALID', message);
  }
}

export function resolveLimits(partial?: Partial<MachineLimits>): MachineLimits {
  const l = { ...DEFAULT_LIMITS, ...partial };
  for (const k of ['maxMemoryPages', 'maxFrames', 'maxStackHeight'] as const) {
    const v = l[k];
    if (!Number.isInteger(v) || v < 1 || v > CEILINGS[k]) {
      throw new MachineLimitsError(`limit ${k} = ${v} is invalid: expected an integer in 1..${CEILINGS[k]}`);
    }
  }
  if (typeof l.maxSteps !== 'bigint' || l.maxSteps < 1n || l.maxSteps > CEILINGS.maxSteps) {
    throw new MachineLimitsError(`limit maxSteps = ${l.maxSteps} is invalid: expected a bigint in 1..2^64-1`);
  }
  return l;
}
