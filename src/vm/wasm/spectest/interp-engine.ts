/**
 * The step interpreter as a spectest engine: lowers the validated module with the `spectest` host
 * bindings (print functions are no-ops, imported globals take the host's values) and runs exports
 * with host-driven invocations (`Machine.invoke`).
 *
 * Linking (docs/machine.md §9): the machine runs one module, so instances that share state are
 * one *group*, run by one machine on the module `merge.ts` makes of them. An instance joins the
 * groups of the instances it imports a memory, a table, a mutable or reference global, or a
 * function it calls or references from. An immutable i32/i64 global is imported by value, and a
 * function import nothing calls (only re-exported) is a trap stub: neither shares state. When a
 * group grows, its merged module is lowered anew and every command the group ran so far (each
 * member's instantiation, each invocation) is run again on the new machine, in order, before the
 * new member's instantiation: the machine is deterministic, so the new machine holds exactly the
 * state the old one had. A group of one instance that links nothing runs its own module, lowered
 * as before.
 */
import { LoweringError, type LowerOptions, lower, type Program } from '../lower.ts';
import { Machine, Status } from '../machine.ts';
import { type Import, type ValidatedModule, ValType, type WasmModule } from '../module.ts';
import { Op } from '../opcodes.ts';
import { validateModule } from '../validate.ts';
import type { InstantiateOutcome, SpecEngine, SpecInstance, SpecModule, SpecOutcome } from './engine.ts';
import { SpecLinkError } from './errors.ts';
import { type ImportTarget, type MergedModule, mergeModules } from './merge.ts';
import { SPECTEST_GLOBALS, SPECTEST_MEMORY, SPECTEST_TABLE } from './spectest-host.ts';

function outcomeOf(m: Machine): SpecOutcome | undefined {
  if (m.status === Status.Errored) {
    const reason = m.trap ?? 'trap';
    return reason === 'call stack exhausted' || reason === 'value stack exhausted'
      ? { kind: 'exhaustion', message: reason }
      : { kind: 'trap', message: reason };
  }
  return undefined;
}

type Kind = Import['kind'];

/** An instance: its module, and per import the instance and index (in its index space) it links to. */
interface Member {
  module: ValidatedModule;
  links: ({ member: Member; index: number } | undefined)[];
  /** functions the module calls or references (an import outside it is only re-exported) */
  used: Set<number>;
  group: Group;
  /** creation order (members and history entries share it) */
  seq: number;
}

/** A command a group ran: a member's instantiation (no `func`) or an invocation. */
interface Entry {
  seq: number;
  member: Member;
  func?: number;
  args?: bigint[];
}

interface Group {
  members: Member[];
  history: Entry[];
  prog: Program;
  machine: Machine;
  /** undefined: a group of one instance running its own module */
  merged?: MergedModule;
}

/** The definition an index of `member` stands for: a member's own, or a spectest import. */
type Resolved = { member: Member; index: number; host?: Import };

function nthImport(mod: WasmModule, kind: Kind, index: number): number | undefined {
  let n = 0;
  for (const [i, imp] of mod.imports.entries()) {
    if (imp.kind !== kind) continue;
    if (n++ === index) return i;
  }
  return undefined;
}

function resolve(member: Member, kind: Kind, index: number): Resolved {
  const i = nthImport(member.module, kind, index);
  if (i === undefined) return { member, index };
  const link = member.links[i];
  return link ? resolve(link.member, kind, link.index) : { member, index, host: member.module.imports[i] };
}

function usedFuncs(mod: WasmModule): Set<number> {
  const used = new Set<number>();
  for (const f of mod.funcs)
    for (const x of f.body) if (x.op === Op.Call || x.op === Op.RefFunc) used.add(x.a!);
  for (const s of mod.elems) for (const f of s.funcIndices) if (f !== null) used.add(f);
  for (const g of mod.globals)
    if (g.init.kind === 'other' && g.init.op === Op.RefFunc) used.add(g.init.index!);
  if (mod.start !== undefined) used.add(mod.start);
  return used;
}

const SPECTEST_LOWER: Omit<LowerOptions, 'bindFunc' | 'importedGlobal'> = {
  entry: null,
  importedMemory: SPECTEST_MEMORY,
  importedTable: SPECTEST_TABLE.limits,
};

export interface InterpEngineOptions {
  /**
   * Runs a machine the engine has set up (an instantiation or an invocation) until it stops;
   * default `m.run()`. `merged`: the machine runs a group's merged module. Tests step it with
   * one-step proofs (proof.test.ts).
   */
  run?: (m: Machine, merged: boolean) => void;
}

export function createInterpEngine(opts: InterpEngineOptions = {}): SpecEngine {
  const run = opts.run ?? ((m: Machine) => m.run());
  let seq = 0;
  let members = new WeakMap<SpecInstance, Member>();

  /** the current value of an immutable i32/i64 global an import resolves to, else undefined */
  function importedValue(imp: Import, d: Resolved): bigint | undefined {
    if (imp.kind !== 'global' || imp.type.mutable) return undefined;
    if (imp.type.type !== ValType.I32 && imp.type.type !== ValType.I64) return undefined;
    if (d.host) return SPECTEST_GLOBALS[d.host.name]?.value ?? 0n;
    return globalValue(d.member, d.index);
  }

  /** whether import `i` of `m` shares state with the instance it links to */
  function shares(m: Member, i: number): Resolved | undefined {
    const link = m.links[i];
    if (!link) return undefined;
    const imp = m.module.imports[i];
    const d = resolve(link.member, imp.kind, link.index);
    if (imp.kind === 'func') {
      const fi = m.module.imports.slice(0, i).filter((x) => x.kind === 'func').length;
      if (!m.used.has(fi)) return undefined;
    } else if (importedValue(imp, d) !== undefined) return undefined;
    if (d.host)
      throw new SpecLinkError(`import ${imp.module}.${imp.name}: a re-exported spectest ${imp.kind}`);
    return d;
  }

  function targetsOf(m: Member, order: Map<Member, number>): ImportTarget[] {
    return m.module.imports.map((imp, i): ImportTarget => {
      const link = m.links[i];
      if (!link) return { kind: 'host' };
      const d = shares(m, i);
      if (d) return { kind: 'member', member: order.get(d.member)!, index: d.index };
      if (imp.kind === 'func') return { kind: 'stub' };
      return { kind: 'value', value: importedValue(imp, resolve(link.member, imp.kind, link.index))! };
    });
  }

  /** A group of one member running its own module (its instantiation is the entry stub). */
  function single(m: Member): { prog: Program; machine: Machine } {
    const values = new Map<Import, bigint>();
    for (const [i, imp] of m.module.imports.entries()) {
      const link = m.links[i];
      if (link) values.set(imp, importedValue(imp, resolve(link.member, imp.kind, link.index)) ?? 0n);
    }
    const prog = lower(m.module, {
      ...SPECTEST_LOWER,
      bindFunc: () => ({ kind: 'nop' }),
      importedGlobal: (g) => values.get(g) ?? SPECTEST_GLOBALS[g.name]?.value ?? 0n,
    });
    const machine = new Machine(prog);
    run(machine, false);
    return { prog, machine };
  }

  /** Lowers the merged module of `list` and runs `history` on it (each member's instantiation, each invocation). */
  function build(list: Member[], history: Entry[]): Group {
    const order = new Map(list.map((m, k) => [m, k]));
    const merged = mergeModules(list.map((m) => ({ module: m.module, targets: targetsOf(m, order) })));
    const prog = lower(validateModule(merged.module, { resolveImport: () => true }), {
      ...SPECTEST_LOWER,
      bindFunc: () => ({ kind: 'nop' }),
      importedGlobal: (g) => SPECTEST_GLOBALS[g.name]?.value ?? 0n,
    });
    const machine = new Machine(prog);
    run(machine, true);
    if (machine.status === Status.Errored) throw new SpecLinkError(`merged module: ${machine.trap}`);
    const group: Group = { members: list, history, prog, machine, merged };
    for (const e of history) exec(group, e);
    return group;
  }

  function exec(g: Group, e: Entry): SpecOutcome {
    const k = g.members.indexOf(e.member);
    const fn = e.func === undefined ? g.merged!.init[k] : g.merged ? g.merged.funcs[k][e.func] : e.func;
    const m = g.machine;
    m.invoke(fn, e.args ?? []);
    run(m, g.merged !== undefined);
    const bad = outcomeOf(m);
    if (bad) return bad;
    if (e.func === undefined) return { kind: 'ok', values: [] };
    const results = funcType(e.member.module, e.func).results;
    const values = results.map((t, i) => {
      const v = m.stackValue(m.sp - results.length + i);
      return t === ValType.I32 ? v & 0xffffffffn : v;
    });
    return { kind: 'ok', values };
  }

  function globalValue(member: Member, index: number): bigint {
    const g = member.group;
    const v = g.machine.globalValue(g.merged ? g.merged.globals[g.members.indexOf(member)][index] : index);
    return globalType(member.module, index) === ValType.I32 ? v & 0xffffffffn : v;
  }

  /** Makes `member`'s group a merged one (so its tables have size functions). */
  function promote(member: Member): Group {
    const g = member.group;
    if (g.merged) return g;
    const next = build(g.members, g.history);
    for (const m of next.members) m.group = next;
    return next;
  }

  function instanceOf(member: Member): SpecInstance {
    const instance: SpecInstance = {
      invoke(field, args) {
        const ex = member.module.exports.find((e) => e.name === field && e.kind === 'func');
        if (!ex) return { kind: 'trap', message: `no exported function "${field}"` };
        const d = resolve(member, 'func', ex.index);
        if (d.host) return { kind: 'ok', values: [] }; // a re-exported spectest print function
        const entry: Entry = { seq: seq++, member: d.member, func: d.index, args };
        d.member.group.history.push(entry);
        return exec(d.member.group, entry);
      },
      getGlobal(field) {
        const ex = member.module.exports.find((e) => e.name === field && e.kind === 'global');
        if (!ex) throw new Error(`no exported global "${field}"`);
        const d = resolve(member, 'global', ex.index);
        return d.host ? (SPECTEST_GLOBALS[d.host.name]?.value ?? 0n) : globalValue(d.member, d.index);
      },
      size(field) {
        const ex = member.module.exports.find((e) => e.name === field);
        if (ex?.kind !== 'memory' && ex?.kind !== 'table')
          throw new Error(`no exported memory or table "${field}"`);
        const d = resolve(member, ex.kind, ex.index);
        if (d.host) return ex.kind === 'memory' ? SPECTEST_MEMORY.min : SPECTEST_TABLE.limits.min;
        if (ex.kind === 'memory') return d.member.group.machine.pages;
        const g = promote(d.member);
        const m = g.machine;
        m.invoke(g.merged!.tableSize[g.merged!.tables[g.members.indexOf(d.member)][d.index]], []);
        run(m, true);
        return Number(m.stackValue(m.sp - 1) & 0xffffffffn);
      },
    };
    members.set(instance, member);
    return instance;
  }

  return {
    name: 'interp',
    reset() {
      seq = 0;
      members = new WeakMap();
    },
    instantiate(sm: SpecModule): InstantiateOutcome {
      const member: Member = {
        module: sm.module,
        links: sm.module.imports.map((_, i) => {
          const link = sm.links?.[i];
          if (!link) return undefined;
          const from = members.get(link.instance);
          const ex = from?.module.exports.find((e) => e.name === link.name);
          if (!from || !ex) throw new Error(`spectest interp engine: no export "${link.name}" to link`);
          return { member: from, index: ex.index };
        }),
        used: usedFuncs(sm.module),
        group: undefined as unknown as Group,
        seq: seq++,
      };
      const init: Entry = { seq: member.seq, member };
      let joined: Group[];
      try {
        joined = [
          ...new Set(
            sm.module.imports.flatMap((_, i) => {
              const d = shares(member, i);
              return d ? [d.member.group] : [];
            }),
          ),
        ];
      } catch (e) {
        if (e instanceof SpecLinkError) return { kind: 'unsupported', message: e.message };
        throw e;
      }
      if (joined.length === 0) {
        let s: ReturnType<typeof single>;
        try {
          s = single(member);
        } catch (e) {
          if (e instanceof LoweringError && /element segment/.test(e.message)) {
            return { kind: 'trap', message: e.message };
          }
          return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
        }
        const bad = outcomeOf(s.machine);
        if (bad) return bad as InstantiateOutcome;
        member.group = { members: [member], history: [init], ...s };
        return { kind: 'ok', instance: instanceOf(member) };
      }
      // join the groups: one merged module for all their members and this one
      const list = [...joined.flatMap((g) => g.members), member].sort((a, b) => a.seq - b.seq);
      const history = joined.flatMap((g) => g.history).sort((a, b) => a.seq - b.seq);
      let group: Group;
      try {
        group = build(list, history);
      } catch (e) {
        if (e instanceof SpecLinkError || e instanceof LoweringError)
          return { kind: 'unsupported', message: e.message };
        return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
      }
      for (const m of list) m.group = group;
      // the instantiation stays in the history even when it traps: what it wrote persists (wasm 2.0)
      group.history.push(init);
      const out = exec(group, init);
      if (out.kind !== 'ok') return out;
      return { kind: 'ok', instance: instanceOf(member) };
    },
  };
}

function funcType(mod: WasmModule, funcIndex: number) {
  const i = nthImport(mod, 'func', funcIndex);
  const imp = i === undefined ? undefined : mod.imports[i];
  const nImported = mod.imports.filter((x) => x.kind === 'func').length;
  return mod.types[imp?.kind === 'func' ? imp.typeIndex : mod.funcs[funcIndex - nImported].typeIndex];
}

function globalType(mod: WasmModule, index: number): number {
  const i = nthImport(mod, 'global', index);
  const imp = i === undefined ? undefined : mod.imports[i];
  if (imp?.kind === 'global') return imp.type.type;
  const nImported = mod.imports.filter((x) => x.kind === 'global').length;
  return mod.globals[index - nImported].type.type;
}
