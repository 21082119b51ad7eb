/**
 * V8 CPU profiles for the benches: record one with the inspector, and split its time by category
 * (each sample goes to the innermost frame on its stack that a rule puts in a category).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** A frame's category, or undefined to look at its caller. */
export type FrameRule = (f: CpuProfileNode['callFrame']) => string | undefined;

export interface ProfileShare {
  category: string;
  fraction: number;
  us_per_tx: number;
}

/** Self time by category; frames no rule matches (up to the root) go to `fallback`. */
export function profileShares(p: CpuProfile, rule: FrameRule, txs: number, fallback: string): ProfileShare[] {
  const parent = new Map<number, number>();
  const byId = new Map<number, CpuProfileNode>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const cat = new Map<number, string>();
  const category = (id: number): string => {
    const known = cat.get(id);
    if (known) return known;
    let cur: number | undefined = id;
    let c: string | undefined;
    while (cur !== undefined && !c) {
      const node = byId.get(cur);
      c = node ? rule(node.callFrame) : undefined;
      cur = parent.get(cur);
    }
    const out = c ?? fallback;
    cat.set(id, out);
    return out;
  };
  const time = new Map<string, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  let total = 0;
  // timeDeltas[i] is the time before sample i: charge it to sample i - 1
  for (let i = 0; i + 1 < samples.length; i++) {
    const dt = deltas[i + 1] ?? 0;
    const c = category(samples[i]);
    time.set(c, (time.get(c) ?? 0) + dt);
    total += dt;
  }
  return [...time.entries()]
    .map(([category, us]) => ({ category, fraction: us / total, us_per_tx: us / txs }))
    .sort((a, b) => b.fraction - a.fraction);
}

/** Starts sampling this thread (every `intervalUs` µs). */
export async function startProfile(intervalUs = 200): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return session;
}

/** Stops sampling; with `MODEX_BENCH_CPUPROFILE` set, also writes the raw profile there (DevTools, speedscope). */
export async function stopProfile(session: Session): Promise<CpuProfile> {
  const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
  session.disconnect();
  if (process.env.MODEX_BENCH_CPUPROFILE)
    writeFileSync(process.env.MODEX_BENCH_CPUPROFILE, JSON.stringify(profile));
  return profile;
}
