/** Loading a chain config: read the file, parse JSON, check shape, apply defaults, check rules. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { checkConfigApp } from './app.ts';
import { withDefaults } from './defaults.ts';
import { ConfigError, ConfigFileError } from './errors.ts';
import { parseConfigShape } from './parse.ts';
import { Issues } from './reader.ts';
import { checkRules } from './rules.ts';
import type { ChainConfig } from './types.ts';

/**
 * Validates a parsed JSON document and returns the complete config (defaults applied).
 * Throws ConfigError (CONFIG_INVALID) listing every problem found.
 */
export function validateConfig(raw: unknown, source = 'config', o: { baseDir?: string } = {}): ChainConfig {
  const issues = new Issues();
  const input = parseConfigShape(raw, issues);
  // Rules run on the defaulted config only when the shape is sound, so each problem is reported once.
  const config = withDefaults(input);
  if (issues.list.length === 0) checkRules(config, issues, o);
  if (issues.list.length > 0) throw new ConfigError(issues.list, source);
  return config;
}

/** Parses JSON text (reporting line and column of a syntax error) and validates it. */
export function parseConfigText(text: string, source = 'config', o: { baseDir?: string } = {}): ChainConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigFileError(`${source} is not valid JSON: ${describeJsonError(text, e)}`, { cause: e });
  }
  return validateConfig(raw, source, o);
}

/**
 * Reads and validates a config file; `vm.stf` is resolved against the file's directory and must exist.
 * The app (`vm.stf`, or the built-in `vm.app`) must speak the app ABI (docs/app-abi.md §1) unless
 * `checkApp` is false. Throws ConfigFileError (CONFIG_UNREADABLE), ConfigError (CONFIG_INVALID) or
 * the app check's error (APP_ABI_MISSING; a wasm parse or validation error).
 */
export function loadConfig(file: string, opts: { checkApp?: boolean } = {}): ChainConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new ConfigFileError(`cannot read config file ${file}: ${reason}`, { cause: e });
  }
  const config = parseConfigText(text, file, { baseDir: dirname(file) });
  if (config.vm.stf !== undefined && !isAbsolute(config.vm.stf)) {
    config.vm.stf = resolve(dirname(file), config.vm.stf);
  }
  if (config.vm.stf !== undefined && !existsSync(config.vm.stf)) {
    throw new ConfigError([{ path: 'vm.stf', message: `file not found: ${config.vm.stf}` }], file);
  }
  const ptau = config.proof.validity?.ptau;
  if (ptau !== undefined && config.proof.validity) {
    config.proof.validity.ptau = isAbsolute(ptau) ? ptau : resolve(dirname(file), ptau);
    if (!existsSync(config.proof.validity.ptau))
      throw new ConfigError(
        [{ path: 'proof.validity.ptau', message: `file not found: ${config.proof.validity.ptau}` }],
        file,
      );
  }
  if (opts.checkApp !== false && config.vm.module === 'wasm') checkConfigApp(config.vm);
  return config;
}

function describeJsonError(text: string, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /position (\d+)/.exec(msg);
  if (!m) return msg;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${msg.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}
