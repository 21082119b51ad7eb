/**
 * The step interpreter as a spectest engine: lowers the validated module with the `spectest` host
 * bindings (print functions are no-ops, imported globals take the host's values) and runs exports
 * with host-driven invocations (`Machine.invoke`).
 */
import { LoweringError, lower } from '../lower.ts';
import { Machine, Status } from '../machine.ts';
import {
  type InstantiateOutcome,
  linkKey,
  type SpecEngine,
  type SpecInstance,
  type SpecModule,
  type SpecOutcome,
} from './engine.ts';
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

export function createInterpEngine(): SpecEngine {
  return {
    name: 'interp',
    instantiate(sm: SpecModule): InstantiateOutcome {
      let prog: ReturnType<typeof lower>;
      try {
        prog = lower(sm.module, {
          entry: null,
          bindFunc: (imp) => {
            const values = sm.constFuncs?.get(linkKey(imp.module, imp.name));
            return values ? { kind: 'const', values: [...values] } : { kind: 'nop' };
          },
          importedGlobal: (g) => SPECTEST_GLOBALS[g.name]?.value ?? 0n,
          importedMemory: SPECTEST_MEMORY,
          importedTable: SPECTEST_TABLE.limits,
        });
      } catch (e) {
        if (e instanceof LoweringError && /element segment/.test(e.message)) {
          return { kind: 'trap', message: e.message };
        }
        return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
      }
      const m = new Machine(prog);
      m.run();
      const bad = outcomeOf(m);
      if (bad) return bad as InstantiateOutcome;
      const instance: SpecInstance = {
        invoke(field, args) {
          const ex = prog.exports.get(field);
          if (ex?.kind !== 'func') return { kind: 'trap', message: `no exported function "${field}"` };
          m.invoke(ex.index, args);
          m.run();
          const o = outcomeOf(m);
          if (o) return o;
          const n = prog.funcs[ex.index].numResults;
          const values: bigint[] = [];
          for (let i = m.sp - n; i < m.sp; i++) {
            const isI64 = sm.module.types[typeIndexOf(sm, ex.index)].results[i - (m.sp - n)] === 0x7e;
            values.push(isI64 ? m.stackValue(i) : m.stackValue(i) & 0xffffffffn);
          }
          return { kind: 'ok', values };
        },
        getGlobal(field) {
          const ex = prog.exports.get(field);
          if (ex?.kind !== 'global') throw new Error(`no exported global "${field}"`);
          const v = m.globalValue(ex.index);
          return prog.globalIsI64[ex.index] ? v : v & 0xffffffffn;
        },
      };
      return { kind: 'ok', instance };
    },
  };
}

function typeIndexOf(sm: SpecModule, funcIndex: number): number {
  const imports = sm.module.imports.filter((i) => i.kind === 'func');
  if (funcIndex < imports.length) {
    const imp = imports[funcIndex];
    return imp.kind === 'func' ? imp.typeIndex : 0;
  }
  return sm.module.funcs[funcIndex - imports.length].typeIndex;
}
