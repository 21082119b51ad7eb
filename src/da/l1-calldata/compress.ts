/**
 * Batch compression (docs/stf.md "Inbox message format", kind 0x04): the batcher posts a
 * transaction list `count u32 ‖ (len u32 ‖ tx)*` as `0x04 ‖ brotli(list)` when that is smaller than
 * `0x00 ‖ list`. The STF inflates it with its own RFC 7932 decoder (guest/sdk/brotli.ts), capped at
 * {@link MAX_INFLATED_TX_LIST} bytes; a list the STF could not inflate is never compressed.
 *
 * The STF reads RFC 7932's static dictionary as a keccak256 preimage (preimage kind 0): every `App`
 * (src/apps/sdk/run-app.ts) serves it from its preimage store (src/apps/sdk/brotli-dictionary.ts).
 */
import { brotliCompressSync, constants } from 'node:zlib';
import { MAX_INFLATED_TX_LIST } from '../batch-message.ts';

export interface CompressOptions {
  /** brotli quality 0..11 (default {@link DEFAULT_QUALITY}) */
  quality?: number;
  /** log2 of the window, 10..24 (default {@link DEFAULT_WINDOW_BITS}) */
  windowBits?: number;
}

/**
 * Measured on 500 token transfers (69.5 KB, src/da/l1-calldata/compress.test.ts): every quality from 4 up
 * gives 50–51% (the signatures do not compress); 5 takes ~3 ms, 11 ~170 ms for 0.1% more.
 */
export const DEFAULT_QUALITY = 5;
/** 4 MiB, larger than any list (MAX_INFLATED): the decoder keeps the whole output, so no cost */
export const DEFAULT_WINDOW_BITS = 22;

/** brotli(list) with the batcher's parameters (the stream only, without the kind byte) */
export function brotli(list: Uint8Array, opts: CompressOptions = {}): Uint8Array {
  const out = brotliCompressSync(list, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: opts.quality ?? DEFAULT_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: opts.windowBits ?? DEFAULT_WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: list.length,
    },
  });
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * The payload of a kind 0x04 batch message for the transaction list `list` (the message is
 * `0x04 ‖ payload`), or undefined when compression does not pay (the payload is not smaller than
 * the list, so `0x00 ‖ list` is posted) or the list is larger than the STF inflates.
 */
export function compressBatch(list: Uint8Array, opts: CompressOptions = {}): Uint8Array | undefined {
  if (list.length > MAX_INFLATED_TX_LIST) return undefined;
  const payload = brotli(list, opts);
  return payload.length < list.length ? payload : undefined;
}
