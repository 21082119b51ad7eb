/**
 * RFC 7932's static dictionary (guest/sdk/brotli-dictionary.bin, 122,784 bytes), which the STF's
 * brotli decoder (guest/sdk/brotli.ts, message kind 0x04) reads as the keccak256 preimage
 * {@link BROTLI_DICTIONARY_KECCAK}: every App serves it from its preimage store.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../util/package-root.ts';

/** RFC 7932 Appendix A: SHA-256 of the static dictionary */
export const BROTLI_DICTIONARY_SHA256 = '20e42eb1b511c21806d4d227d07e5dd06877d8ce7b3a817f378f313653f35c70';
/** keccak256 of the dictionary: the preimage hash the STF reads it by (guest/sdk/brotli-tables.ts) */
export const BROTLI_DICTIONARY_KECCAK = '0x1aedcad9f01d3a1866833f8fa3bfee6ee9cb2183d6873db22cfd786fcff0a258';

let dictionary: Uint8Array | undefined;

/** The RFC 7932 static dictionary (guest/sdk/brotli-dictionary.bin, 122,784 bytes, SHA-256 checked). */
export function brotliDictionary(): Uint8Array {
  if (!dictionary) {
    const d = new Uint8Array(readFileSync(join(PACKAGE_ROOT, 'guest', 'sdk', 'brotli-dictionary.bin')));
    const sha = createHash('sha256').update(d).digest('hex');
    if (sha !== BROTLI_DICTIONARY_SHA256)
      throw new Error(`brotli dictionary: SHA-256 ${sha}, not RFC 7932's`);
    dictionary = d;
  }
  return dictionary;
}
