/** The JSON form of a spec test script (wast2json output), checked into typed commands. */
import { SpecScriptError } from './errors.ts';
import type { SpecValueJson } from './values.ts';

export interface SpecAction {
  type: 'invoke' | 'get';
  /** a named module (`$name`), else the last module */
  module?: string;
  field: string;
  args?: SpecValueJson[];
  /** copied from the command, so the runner can skip unsupported result types */
  expected?: SpecValueJson[];
}

export type SpecCommand = { line: number } & (
  | { type: 'module'; filename: string; name?: string }
  | { type: 'register'; name?: string; as: string }
  | { type: 'action'; action: SpecAction }
  | { type: 'assert_return'; action: SpecAction; expected: SpecValueJson[] }
  | { type: 'assert_trap' | 'assert_exhaustion'; action: SpecAction; text: string }
  | { type: 'assert_invalid' | 'assert_malformed'; filename: string; module_type?: string; text: string }
  | { type: 'assert_uninstantiable' | 'assert_unlinkable'; filename: string; text: string }
);

export interface SpecScript {
  source_filename?: string;
  commands: SpecCommand[];
}

const COMMAND_TYPES = new Set([
  'module',
  'register',
  'action',
  'assert_return',
  'assert_trap',
  'assert_exhaustion',
  'assert_invalid',
  'assert_malformed',
  'assert_uninstantiable',
  'assert_unlinkable',
]);

/** Parses a script, checking the fields the runner relies on. `file` is for error messages. */
export function parseScript(text: string, file: string): SpecScript {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SpecScriptError(`${file}: not JSON: ${(e as Error).message}`, { cause: e });
  }
  const commands = (json as { commands?: unknown })?.commands;
  if (!Array.isArray(commands)) throw new SpecScriptError(`${file}: no "commands" array`);
  return { ...(json as object), commands: commands.map((c, i) => checkCommand(c, `${file}: command ${i}`)) };
}

function checkCommand(c: unknown, where: string): SpecCommand {
  const cmd = c as Record<string, unknown>;
  if (
    typeof cmd !== 'object' ||
    cmd === null ||
    typeof cmd.type !== 'string' ||
    !COMMAND_TYPES.has(cmd.type)
  ) {
    throw new SpecScriptError(`${where}: unknown command ${JSON.stringify(cmd?.type)}`);
  }
  if (typeof cmd.line !== 'number') throw new SpecScriptError(`${where}: no line number`);
  const str = (k: string): void => {
    if (typeof cmd[k] !== 'string')
      throw new SpecScriptError(`${where} (${cmd.type}): "${k}" must be a string`);
  };
  switch (cmd.type) {
    case 'module':
    case 'assert_invalid':
    case 'assert_malformed':
    case 'assert_uninstantiable':
    case 'assert_unlinkable':
      str('filename');
      break;
    case 'register':
      str('as');
      break;
    default: {
      const action = cmd.action as Record<string, unknown> | undefined;
      if (typeof action?.field !== 'string' || (action.type !== 'invoke' && action.type !== 'get')) {
        throw new SpecScriptError(`${where} (${cmd.type}): bad "action"`);
      }
      checkValues(action.args, `${where}: args`);
      checkValues(cmd.expected, `${where}: expected`);
      if (cmd.type === 'assert_return' && !Array.isArray(cmd.expected)) {
        throw new SpecScriptError(`${where}: assert_return without "expected"`);
      }
      // the runner decides skips on both lists
      return { ...cmd, action: { ...action, expected: cmd.expected } } as unknown as SpecCommand;
    }
  }
  return cmd as unknown as SpecCommand;
}

function checkValues(v: unknown, where: string): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || !v.every((x) => typeof x?.type === 'string')) {
    throw new SpecScriptError(`${where}: must be a list of typed values`);
  }
}
