/**
 * Trap messages as WebAssembly's spec words them (docs/machine.md §3.6 "Trap reasons"). Trap reasons
 * are diagnostics: they are not committed and no proof depends on them. Two things make both engines
 * report the spec's message:
 *
 * - V8's messages (the native runner) are mapped to the spec's (`specTrapMessage`);
 * - an `unreachable` that stands for another trap says so: the bulk-memory helpers of the
 *   interpreter (lower.ts) carry their reason, and a module may name, in its custom section
 *   `modex.traps`, functions whose `unreachable` means something else. The float lowering
 *   (docs/softfloat.md §6) names its truncation checks ("invalid conversion to integer") and the
 *   library's range checks ("integer overflow").
 */
import { uleb } from './meter-native.ts';

/** the custom section that names the trap of an `unreachable` per function */
export const TRAP_SECTION = 'modex.traps';

/** reasons an `unreachable` may stand for (anything else in the section is ignored) */
export const UNREACHABLE_REASONS = ['integer overflow', 'invalid conversion to integer'] as const;
export type UnreachableReason = (typeof UNREACHABLE_REASONS)[number];

export const isUnreachableReason = (s: string): s is UnreachableReason =>
  (UNREACHABLE_REASONS as readonly string[]).includes(s);

/**
 * The `modex.traps` section's content: a vector of (function index u32, reason name), where the
 * name is one of {@link UNREACHABLE_REASONS} (wasm's `name` encoding: u32 length, UTF-8 bytes).
 */
export function encodeTrapSection(entries: ReadonlyMap<number, UnreachableReason>): number[] {
  const name = (out: number[], s: string) => {
    const b = new TextEncoder().encode(s);
    uleb(out, b.length);
    out.push(...b);
  };
  const body: number[] = [];
  name(body, TRAP_SECTION);
  uleb(body, entries.size);
  for (const [f, reason] of [...entries].sort((x, y) => x[0] - y[0])) {
    uleb(body, f);
    name(body, reason);
  }
  const section = [0];
  uleb(section, body.length);
  section.push(...body);
  return section;
}

/** V8's RuntimeError messages → the spec's (test/core's `assert_trap` texts) */
const V8_TO_SPEC = new Map<string, string>([
  ['memory access out of bounds', 'out of bounds memory access'],
  ['divide by zero', 'integer divide by zero'],
  ['remainder by zero', 'integer divide by zero'],
  ['divide result unrepresentable', 'integer overflow'],
  ['float unrepresentable in integer range', 'integer overflow'],
  // call_indirect past the table's end, and table.get/set/fill/copy past it: one V8 message
  ['table index is out of bounds', 'undefined element or out of bounds table access'],
  ['element segment out of bounds', 'out of bounds table access'],
  ['data segment out of bounds', 'out of bounds memory access'],
  // Node 20's V8 at instantiation (an active segment past a table's or memory's end)
  ['data segment is out of bounds', 'out of bounds memory access'],
  // V8 does not tell a null slot from a signature mismatch: the message names both
  ['null function or function signature mismatch', 'uninitialized element or indirect call type mismatch'],
]);

/** the spec's wording of a V8 trap message (unknown messages unchanged) */
export function specTrapMessage(v8Message: string): string {
  // a trap while instantiating names the API call first
  const message = v8Message.replace(/^WebAssembly\.Instance\(\): /, '');
  return V8_TO_SPEC.get(message) ?? message;
}

/**
 * Whether `message` reports the trap the spec words as `expected`: equal, or a message that names
 * two traps V8 cannot tell apart ("A or B") naming it.
 */
export function trapMessageMatches(message: string, expectedText: string): boolean {
  // the reference interpreter names a table slot in some texts ("uninitialized element 2", bulk.wast)
  const expected = expectedText.replace(/^(uninitialized element|undefined element) \d+$/, '$1');
  if (message === expected || message.startsWith(expected)) return true;
  return message.split(' or ').some((m) => m === expected);
}
