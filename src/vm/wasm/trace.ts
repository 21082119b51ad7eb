/**
 * `hashAt(k)`: the machine hash after k steps, with checkpoints (docs/machine.md §8). A trace keeps
 * a snapshot (machine + its commitments) every `interval` steps, so "run from a checkpoint to step k"
 * costs at most `interval` steps, as bisection needs.
 */
import { MachineCommitter } from './commit.ts';
import type { Word } from './hash.ts';
import { type Machine, Status } from './machine.ts';

export interface TraceOptions {
  /** steps between checkpoints (default 2^16) */
  interval?: number;
}

export class ExecutionTrace {
  readonly interval: number;
  /** checkpoints[i] is the state after i * interval steps (or the final state, if it stopped earlier) */
  private readonly checkpoints: MachineCommitter[] = [];
  /** total steps of the run, once known */
  private finalSteps: number | undefined;

  /** `initial` is the machine before step 0; it is not modified. */
  constructor(initial: Machine, opts: TraceOptions = {}) {
    this.interval = opts.interval ?? 1 << 16;
    if (!(this.interval >= 1)) throw new RangeError('checkpoint interval must be >= 1');
    const c = new MachineCommitter(initial.clone());
    c.sync();
    this.checkpoints.push(c);
  }

  /** the number of steps until the machine stopped, running it to the end if needed */
  totalSteps(): number {
    while (this.finalSteps === undefined) this.extend();
    return this.finalSteps;
  }

  private extend(): void {
    const last = this.checkpoints[this.checkpoints.length - 1].fork();
    if (last.m.status !== Status.Running) {
      this.finalSteps = last.m.steps;
      return;
    }
    last.m.run(this.interval);
    last.sync();
    this.checkpoints.push(last);
    if (last.m.status !== Status.Running) this.finalSteps = last.m.steps;
  }

  /** A committer positioned after min(k, total) steps (a fresh copy: the caller may run it on). */
  at(k: number): MachineCommitter {
    const ci = Math.floor(k / this.interval);
    while (this.checkpoints.length <= ci && this.finalSteps === undefined) this.extend();
    const base = this.checkpoints[Math.min(ci, this.checkpoints.length - 1)].fork();
    const remaining = k - base.m.steps;
    if (remaining > 0 && base.m.status === Status.Running) base.m.run(remaining);
    return base;
  }

  /** The machine hash after k steps (a stopped machine's hash no longer changes). */
  hashAt(k: number): Word {
    return this.at(k).hash();
  }
}
