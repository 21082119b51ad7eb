/**
 * Runs WebAssembly spec test scripts (wast2json output) against one or more engines.
 * Every module goes through our parser and validator first; modules the machine rejects on
 * purpose (WasmUnsupportedError) are skipped with all commands that use them, and the reasons
 * are counted per file.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ModexError } from '../../../core/errors.ts';
import type { Import, ValidatedModule, WasmModule } from '../module.ts';
import { parseModule } from '../parse.ts';
import { lowerFloats, usesFloats } from '../softfloat/lower-floats.ts';
import { trapMessageMatches } from '../trap-reasons.ts';
import { validateModule } from '../validate.ts';
import type { SpecEngine, SpecInstance, SpecOutcome } from './engine.ts';
import { SpecScriptError } from './errors.ts';
import { parseScript, type SpecAction, type SpecCommand } from './script.ts';
import {
  limitsMatch,
  resolveSpectestImport,
  SPECTEST_MEMORY,
  SPECTEST_MODULE,
  SPECTEST_TABLE,
  sameFuncType,
} from './spectest-host.ts';
import { compareResults, parseSpecValue, unsupportedType } from './values.ts';

export interface SpecFailure {
  line: number;
  command: string;
  message: string;
}

export interface SpecFileResult {
  /** path of the script */
  file: string;
  engine: string;
  passed: number;
  failed: number;
  skipped: number;
  /** skip reason → number of commands skipped for it */
  skipReasons: Map<string, number>;
  failures: SpecFailure[];
}

export const SKIP_TEXT_MODULE = 'text-format module (binary-only runner)';
/** prefix of the reason an instance is skipped when the engine cannot link it (docs/machine.md §9) */
export const SKIP_LINK = 'the engine cannot link this instance';
export const SKIP_SHARED_STATE =
  'state shared with a skipped cross-module instance (its table, memory or globals may have changed)';

/** A module as the runner tracks it: runnable, skipped (with reason) or broken (failed to load). */
type Loaded =
  | {
      kind: 'ok';
      instance: SpecInstance;
      /** the module as decoded from the script (floats not lowered): imports are checked against it */
      source: WasmModule;
      /** per import of `source`: the instance and export it is linked to (undefined: spectest) */
      links: (ImportLink | undefined)[];
    }
  | { kind: 'skip'; reason: string }
  /** failed to load: rejected by parse/validate, or instantiation did not succeed */
  | {
      kind: 'broken';
      stage: 'rejected' | 'trap' | 'exhaustion' | 'unlinkable' | 'error';
      message: string;
      /** the engine's own message (instantiation failures) */
      reason?: string;
    };

/** An import linked to an export of an earlier instance. */
interface ImportLink {
  from: Loaded & { kind: 'ok' };
  name: string;
}

type Verdict = { kind: 'pass' } | { kind: 'fail'; message: string } | { kind: 'skip'; reason: string };
const PASS: Verdict = { kind: 'pass' };
const fail = (message: string): Verdict => ({ kind: 'fail', message });
const skip = (reason: string): Verdict => ({ kind: 'skip', reason });

/** What parse + validate made of a module binary. */
type Prepared =
  | {
      kind: 'ok';
      module: ValidatedModule;
      bytes: Uint8Array;
      source: WasmModule;
      links: (ImportLink | undefined)[];
    }
  | { kind: 'skip'; reason: string }
  | { kind: 'rejected'; error: unknown }
  | { kind: 'unlinkable'; message: string };

/** Runs every script with every engine; results are ordered by file, then engine. */
export function runSpecFiles(files: readonly string[], engines: readonly SpecEngine[]): SpecFileResult[] {
  return files.flatMap((file) => engines.map((engine) => runSpecFile(file, engine)));
}

/** Runs one script (a wast2json `.json` file; module files are read from its directory). */
export function runSpecFile(file: string, engine: SpecEngine): SpecFileResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpecScriptError(`cannot read spectest script ${file}: ${(e as Error).message}`, { cause: e });
  }
  const script = parseScript(text, file);
  return new ScriptRun(file, engine).run(script.commands);
}

class ScriptRun {
  private readonly result: SpecFileResult;
  private readonly dir: string;
  private current: Loaded | undefined;
  private readonly named = new Map<string, Loaded>();
  /** names modules were registered under with `register` -> the module */
  private readonly registered = new Map<string, Loaded>();
  /**
   * Modules whose exports a skipped cross-module instance imported: that instance would have run
   * its segments and start function against their tables, memories and globals (wasm 2.0 keeps
   * what it wrote even when instantiation traps), so their later results are unknown to the runner.
   */
  private readonly tainted = new Set<Loaded>();

  constructor(
    file: string,
    private readonly engine: SpecEngine,
  ) {
    this.dir = dirname(file);
    this.result = {
      file,
      engine: engine.name,
      passed: 0,
      failed: 0,
      skipped: 0,
      skipReasons: new Map(),
      failures: [],
    };
  }

  run(commands: readonly SpecCommand[]): SpecFileResult {
    this.engine.reset?.();
    for (const cmd of commands) this.record(cmd, this.execute(cmd));
    return this.result;
  }

  private record(cmd: SpecCommand, v: Verdict): void {
    const r = this.result;
    if (v.kind === 'pass') r.passed++;
    else if (v.kind === 'skip') {
      r.skipped++;
      r.skipReasons.set(v.reason, (r.skipReasons.get(v.reason) ?? 0) + 1);
    } else {
      r.failed++;
      r.failures.push({ line: cmd.line, command: cmd.type, message: v.message });
    }
  }

  private execute(cmd: SpecCommand): Verdict {
    switch (cmd.type) {
      case 'module':
        return this.moduleCommand(cmd.filename, cmd.name);
      case 'register':
        return this.register(cmd.name, cmd.as);
      case 'action':
        return this.action(cmd.action, (out) => (out.kind === 'ok' ? PASS : fail(describe(out))));
      case 'assert_return':
        return this.action(cmd.action, (out) => {
          if (out.kind !== 'ok') return fail(`expected a return, got ${describe(out)}`);
          const mismatch = compareResults(cmd.expected, out.values);
          return mismatch ? fail(mismatch) : PASS;
        });
      case 'assert_trap':
        // the trap and its message (the spec's wording, trap-reasons.ts)
        return this.action(cmd.action, (out) =>
          out.kind === 'trap' && trapMessageMatches(out.message, cmd.text)
            ? PASS
            : fail(`expected trap "${cmd.text}", got ${describe(out)}`),
        );
      case 'assert_exhaustion':
        return this.action(cmd.action, (out) =>
          out.kind === 'exhaustion' ? PASS : fail(`expected exhaustion "${cmd.text}", got ${describe(out)}`),
        );
      case 'assert_invalid':
      case 'assert_malformed':
        return this.assertRejected(cmd.type, cmd.filename, cmd.module_type, cmd.text);
      case 'assert_uninstantiable':
        return this.assertUninstantiable(cmd.filename, cmd.text);
      case 'assert_unlinkable':
        return this.assertUnlinkable(cmd.filename, cmd.text);
    }
  }

  // --- modules ---------------------------------------------------------------------------

  private moduleCommand(filename: string, name: string | undefined): Verdict {
    const loaded = this.load(filename);
    this.current = loaded;
    if (name !== undefined) this.named.set(name, loaded);
    if (loaded.kind === 'ok') return PASS;
    return loaded.kind === 'skip' ? skip(loaded.reason) : fail(loaded.message);
  }

  private load(filename: string): Loaded {
    if (!filename.endsWith('.wasm')) return { kind: 'skip', reason: SKIP_TEXT_MODULE };
    const bytes = this.readModule(filename);
    const prepared = this.prepare(bytes);
    if (prepared.kind === 'skip') return prepared;
    if (prepared.kind === 'rejected') {
      return {
        kind: 'broken',
        stage: 'rejected',
        message: `${filename} rejected: ${errorMessage(prepared.error)}`,
      };
    }
    if (prepared.kind === 'unlinkable') {
      return { kind: 'broken', stage: 'unlinkable', message: `${filename} unlinkable: ${prepared.message}` };
    }
    const out = this.engine.instantiate({
      bytes: prepared.bytes,
      module: prepared.module,
      links: prepared.links.map((l) => l && { instance: l.from.instance, name: l.name }),
    });
    if (out.kind === 'ok') {
      return { kind: 'ok', instance: out.instance, source: prepared.source, links: prepared.links };
    }
    if (out.kind === 'unsupported') {
      this.taintExporters(prepared.links);
      return { kind: 'skip', reason: `${SKIP_LINK}: ${out.message}` };
    }
    return {
      kind: 'broken',
      stage: out.kind,
      message: `${filename}: instantiation failed (${out.kind}): ${out.message}`,
      reason: out.message,
    };
  }

  /** Parses and validates, with imports resolved against the spectest host. */
  private prepare(bytes: Uint8Array): Prepared {
    let mod: WasmModule;
    try {
      mod = parseModule(bytes);
    } catch (error) {
      return isUnsupported(error) ? { kind: 'skip', reason: skipReason(error) } : { kind: 'rejected', error };
    }
    // imports from registered test modules are linked to their instances (docs/machine.md §9);
    // the link check (export, type, current limits) is the spec's, before instantiation
    const links: (ImportLink | undefined)[] = [];
    for (const imp of mod.imports) {
      const exporter = imp.module === SPECTEST_MODULE ? undefined : this.registered.get(imp.module);
      if (exporter === undefined) {
        const problem = resolveSpectestImport(mod, imp);
        if (problem !== true) return { kind: 'unlinkable', message: problem };
        links.push(undefined);
        continue;
      }
      if (exporter.kind === 'skip') return { kind: 'skip', reason: exporter.reason };
      if (exporter.kind === 'broken' || this.tainted.has(exporter))
        return { kind: 'skip', reason: SKIP_SHARED_STATE };
      const problem = linkProblem(mod, imp, exporter);
      if (problem !== undefined) return { kind: 'unlinkable', message: problem };
      links.push({ from: exporter, name: imp.name });
    }
    try {
      if (!usesFloats(mod))
        return {
          kind: 'ok',
          module: validateModule(mod, { resolveImport: () => true }),
          bytes,
          source: mod,
          links,
        };
      // floats: type-checked as they are, then run as the lowered integer module (docs/softfloat.md)
      validateModule(mod, { resolveImport: () => true, allowFloats: true });
      const lowered = lowerFloats(bytes);
      return {
        kind: 'ok',
        module: validateModule(parseModule(lowered), { resolveImport: () => true }),
        bytes: lowered,
        source: mod,
        links,
      };
    } catch (error) {
      return isUnsupported(error) ? { kind: 'skip', reason: skipReason(error) } : { kind: 'rejected', error };
    }
  }

  /**
   * Marks the instances a skipped instance (one the engine could not link) could have changed
   * (see `tainted`): those it imports a table, memory or mutable global from, and with a start
   * function every one it imports from (the start function may call their functions).
   */
  private taintExporters(links: readonly (ImportLink | undefined)[]): void {
    for (const link of links) if (link) this.tainted.add(link.from);
  }

  private readModule(filename: string): Uint8Array {
    if (basename(filename) !== filename)
      throw new SpecScriptError(`module path "${filename}" must be a file name`);
    try {
      return readFileSync(join(this.dir, filename));
    } catch (e) {
      throw new SpecScriptError(`cannot read module ${filename}: ${(e as Error).message}`, { cause: e });
    }
  }

  private register(name: string | undefined, as: string): Verdict {
    const target = name === undefined ? this.current : this.named.get(name);
    if (!target) return fail(`register: no module ${name ?? '(current)'}`);
    this.registered.set(as, target);
    if (target.kind === 'ok') return PASS;
    return target.kind === 'skip'
      ? skip(target.reason)
      : fail(`register: module failed to load: ${target.message}`);
  }

  // --- actions ---------------------------------------------------------------------------

  private action(action: SpecAction, check: (out: SpecOutcome) => Verdict): Verdict {
    const target = action.module === undefined ? this.current : this.named.get(action.module);
    if (!target) return fail(`no module ${action.module ?? '(current)'} to run "${action.field}" on`);
    if (target.kind === 'skip') return skip(target.reason);
    if (target.kind === 'broken') return fail(`module failed to load: ${target.message}`);
    if (this.tainted.has(target)) return skip(SKIP_SHARED_STATE);
    const bad = unsupportedType(action.args) ?? unsupportedType(action.expected);
    if (bad !== undefined) return skip(`${bad} values`);
    let out: SpecOutcome;
    if (action.type === 'get') {
      out = { kind: 'ok', values: [target.instance.getGlobal(action.field)] };
    } else {
      out = target.instance.invoke(action.field, (action.args ?? []).map(parseSpecValue));
    }
    return check(out);
  }

  // --- module assertions -----------------------------------------------------------------

  private assertRejected(
    kind: 'assert_invalid' | 'assert_malformed',
    filename: string,
    moduleType: string | undefined,
    text: string,
  ): Verdict {
    if (moduleType === 'text' || !filename.endsWith('.wasm')) return skip(SKIP_TEXT_MODULE);
    const bytes = this.readModule(filename);
    // to the letter: a malformed binary fails decoding (WASM_MALFORMED), an invalid module fails
    // validation (WASM_INVALID); being refused as unsupported, or the other way, is a failure
    const want = kind === 'assert_malformed' ? 'WASM_MALFORMED' : 'WASM_INVALID';
    try {
      validateModule(parseModule(bytes), { resolveImport: () => true });
    } catch (e) {
      const code = e instanceof ModexError ? e.code : undefined;
      if (code === want) return PASS;
      return fail(`${filename}: expected ${want} ("${text}"), got ${code ?? 'an error'}: ${errorMessage(e)}`);
    }
    return fail(`${filename} was accepted, expected rejection: "${text}"`);
  }

  private assertUninstantiable(filename: string, text: string): Verdict {
    const loaded = this.load(filename);
    if (loaded.kind === 'skip') return skip(loaded.reason);
    if (loaded.kind === 'ok') return fail(`${filename} instantiated, expected "${text}"`);
    return (loaded.stage === 'trap' || loaded.stage === 'exhaustion') &&
      trapMessageMatches(loaded.reason ?? '', text)
      ? PASS
      : fail(`${filename}: expected a trap "${text}", got: ${loaded.message}`);
  }

  private assertUnlinkable(filename: string, text: string): Verdict {
    if (!filename.endsWith('.wasm')) return skip(SKIP_TEXT_MODULE);
    const bytes = this.readModule(filename);
    const prepared = this.prepare(bytes);
    if (prepared.kind === 'skip') return skip(prepared.reason);
    if (prepared.kind === 'unlinkable') return PASS;
    if (prepared.kind === 'rejected') return fail(`${filename}: invalid, expected valid but unlinkable`);
    const out = this.engine.instantiate({
      bytes: prepared.bytes,
      module: prepared.module,
      links: prepared.links.map((l) => l && { instance: l.from.instance, name: l.name }),
    });
    return out.kind === 'unlinkable' ? PASS : fail(`${filename}: expected "${text}", got ${out.kind}`);
  }
}

function isUnsupported(e: unknown): e is ModexError {
  return e instanceof ModexError && e.code === 'WASM_UNSUPPORTED_FEATURE';
}

/** A short, groupable reason: the error's bare reason (no location) when it has one. */
function skipReason(e: ModexError): string {
  const reason = (e as { reason?: unknown }).reason;
  return `unsupported: ${typeof reason === 'string' ? reason : e.message}`;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function describe(out: SpecOutcome): string {
  return out.kind === 'ok' ? `return [${out.values.join(', ')}]` : `${out.kind}: ${out.message}`;
}

/**
 * Why import `imp` of `mod` does not link to the export of the same name of `exporter`, or
 * undefined if it does (wasm 2.0 §4.5.4: the export exists, is of the import's kind and its type
 * matches: the same function type, the same global type, the same reference type and current
 * limits within the import's). Checked on the modules as written, floats included.
 */
function linkProblem(mod: WasmModule, imp: Import, exporter: Loaded & { kind: 'ok' }): string | undefined {
  const what = `import "${imp.module}"."${imp.name}"`;
  const ex = exporter.source.exports.find((e) => e.name === imp.name);
  if (!ex) return `${what}: unknown import`;
  const incompatible = `${what}: incompatible import type`;
  if (ex.kind !== imp.kind) return incompatible;
  const src = exporter.source;
  const own = nthOwn(src, ex.kind, ex.index);
  switch (imp.kind) {
    case 'func': {
      const have = own.imported
        ? src.types[(own.imported as Import & { kind: 'func' }).typeIndex]
        : src.types[src.funcs[own.index].typeIndex];
      return sameFuncType(have, mod.types[imp.typeIndex]) ? undefined : incompatible;
    }
    case 'global': {
      const have = own.imported
        ? (own.imported as Import & { kind: 'global' }).type
        : src.globals[own.index].type;
      return have.type === imp.type.type && have.mutable === imp.type.mutable ? undefined : incompatible;
    }
    case 'table': {
      const have = own.imported
        ? (own.imported as Import & { kind: 'table' }).elemType
        : src.tables[own.index].elemType;
      if (have !== imp.elemType) return incompatible;
      const actual = { min: exporter.instance.size(imp.name), max: maxOf(exporter, 'table', ex.index) };
      return limitsMatch(actual, imp.limits) ? undefined : incompatible;
    }
    case 'memory': {
      const actual = { min: exporter.instance.size(imp.name), max: maxOf(exporter, 'memory', ex.index) };
      return limitsMatch(actual, imp.limits) ? undefined : incompatible;
    }
  }
}

/** The import (if index `i` of `kind` is imported) or the index among the module's own definitions. */
function nthOwn(
  mod: WasmModule,
  kind: Import['kind'],
  i: number,
): { imported?: Import; importIndex?: number; index: number } {
  let n = 0;
  for (const [k, imp] of mod.imports.entries()) {
    if (imp.kind !== kind) continue;
    if (n++ === i) return { imported: imp, importIndex: k, index: i };
  }
  return { index: i - n };
}

/** The declared maximum of the memory or table an instance's index stands for (following imports to its definition). */
function maxOf(inst: Loaded & { kind: 'ok' }, kind: 'table' | 'memory', index: number): number | undefined {
  const own = nthOwn(inst.source, kind, index);
  if (own.importIndex !== undefined) {
    const link = inst.links[own.importIndex];
    if (!link) return kind === 'memory' ? SPECTEST_MEMORY.max : SPECTEST_TABLE.limits.max;
    const ex = link.from.source.exports.find((e) => e.name === link.name)!;
    return maxOf(link.from, kind, ex.index);
  }
  return kind === 'memory' ? inst.source.memories[own.index].max : inst.source.tables[own.index].limits.max;
}
