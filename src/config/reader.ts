/**
 * Small hand-written shape checks for untrusted JSON. Each check records an issue (path, bad
 * value, what is allowed) instead of throwing, so one pass reports every problem.
 */
import type { ConfigIssue } from './errors.ts';

export class Issues {
  readonly list: ConfigIssue[] = [];
  add(path: string, message: string): void {
    this.list.push({ path: path || '(root)', message });
  }
}

/** Renders a value for an error message, shortened. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  const s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${show(v)}`;
}

/** An object with only `allowed` keys, or undefined (absent or reported). */
export function obj(
  issues: Issues,
  path: string,
  v: unknown,
  allowed: readonly string[],
): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    issues.add(path, `got ${typeName(v)}; expected an object`);
    return undefined;
  }
  const rec = v as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    if (!allowed.includes(key)) {
      issues.add(join(path, key), `unknown field; allowed here: ${allowed.join(', ')}`);
    }
  }
  return rec;
}

export function str(
  issues: Issues,
  path: string,
  v: unknown,
  opts: { pattern?: RegExp; hint?: string } = {},
) {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0) {
    issues.add(path, `got ${typeName(v)}; expected a non-empty string${opts.hint ? ` (${opts.hint})` : ''}`);
    return undefined;
  }
  if (opts.pattern && !opts.pattern.test(v)) {
    issues.add(path, `got ${show(v)}; expected ${opts.hint ?? `a string matching ${opts.pattern}`}`);
    return undefined;
  }
  return v;
}

export function oneOf<T extends string>(issues: Issues, path: string, v: unknown, allowed: readonly T[]) {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    issues.add(path, `got ${show(v)}; allowed: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
    return undefined;
  }
  return v as T;
}

export function int(issues: Issues, path: string, v: unknown, min: number, max: number, unit = '') {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    const u = unit ? ` ${unit}` : '';
    issues.add(path, `got ${show(v)}; expected an integer from ${min} to ${max}${u}`);
    return undefined;
  }
  return v;
}

export function arr(issues: Issues, path: string, v: unknown): unknown[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    issues.add(path, `got ${typeName(v)}; expected an array`);
    return undefined;
  }
  return v;
}

export const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
export const HTTP_URL = /^https?:\/\/[^\s/]+(\/\S*)?$/;
export const RPC_URL = /^(https?|wss?):\/\/[^\s/]+(\/\S*)?$/;
