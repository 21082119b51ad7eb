/**
 * Write-ahead log (docs/node.md §2): an append-only log of records (opaque bytes), each acknowledged
 * only once it is on disk (fdatasync), replayed on restart.
 *
 * - Framing: `len u32 ‖ crc u32 ‖ payload` (big-endian; crc = CRC-32 of `len ‖ payload`). A record
 *   whose header or payload is cut short or whose checksum fails is a torn write: it and everything
 *   appended after it (which was not acknowledged either: appends are acknowledged in order) is
 *   dropped at open, and the file is truncated to the last good record.
 * - Group commit: `append` queues the record; one flusher writes every queued record with one write
 *   per file (synchronous: a copy into the page cache) and one fdatasync (in the thread pool), then
 *   resolves all of them. Concurrent appends therefore share an
 *   fsync, and the throughput does not depend on the disk's fsync latency.
 * - Segments: the log is a sequence of files `<dir>/<segment id, 16 digits>.wal`; `rotate(id)`
 *   sends the next appends to a new segment (created lazily, the directory fsynced when it is).
 *   The caller numbers segments so that a segment's records all lie below the next segment's id
 *   (the sequencer uses the inbox position of its open block); `truncate(bound)` then deletes every
 *   segment whose records are all below `bound` (the positions persisted elsewhere).
 */

import { mkdirSync, writeSync } from 'node:fs';
import {
  constants,
  type FileHandle,
  open,
  readdir,
  readFile,
  truncate as truncateFile,
  unlink,
} from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

const HEADER = 8;
const NAME = /^(\d{16})\.wal$/;
const segmentName = (id: number) => `${String(id).padStart(16, '0')}.wal`;

export interface WalRecord {
  segment: number;
  payload: Uint8Array;
}

export interface WalReplay {
  /** the intact records, in append order */
  records: WalRecord[];
  /** bytes dropped from a torn tail (0 when the log was clean) */
  tornBytes: number;
}

export interface WalStats {
  /** records made durable */
  records: number;
  /** fdatasync rounds (group commits) */
  fsyncs: number;
  /** bytes written */
  bytes: number;
  /** total / largest / last time of a write + fdatasync round, ms */
  fsyncMsTotal: number;
  fsyncMsMax: number;
  fsyncMsLast: number;
  /** segment files on disk */
  segments: number;
}

export interface WalOptions {
  /** records larger than this are refused on append and treated as torn on replay (default 16 MiB) */
  maxRecordBytes?: number;
}

/** `len ‖ crc ‖ payload` */
export function frameRecord(payload: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(HEADER + payload.length);
  buf.writeUInt32BE(payload.length, 0);
  buf.set(payload, HEADER);
  buf.writeUInt32BE(crc32(payload, crc32(buf.subarray(0, 4))), 4);
  return buf;
}

/** Parses framed records from `data`; returns them and the offset where the intact prefix ends. */
export function parseRecords(
  data: Uint8Array,
  maxRecordBytes: number,
): { payloads: Uint8Array[]; end: number } {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const payloads: Uint8Array[] = [];
  let off = 0;
  while (off + HEADER <= buf.length) {
    const len = buf.readUInt32BE(off);
    if (len > maxRecordBytes || off + HEADER + len > buf.length) break;
    const payload = buf.subarray(off + HEADER, off + HEADER + len);
    if (crc32(payload, crc32(buf.subarray(off, off + 4))) !== buf.readUInt32BE(off + 4)) break;
    payloads.push(new Uint8Array(payload));
    off += HEADER + len;
  }
  return { payloads, end: off };
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class Wal {
  private readonly handles = new Map<number, FileHandle>();
  /** segment ids with a file on disk, ascending */
  private readonly segments: number[];
  private current: number;
  private queue: { segment: number; buf: Buffer }[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private failed: unknown;
  private closed = false;
  private readonly maxRecordBytes: number;
  private readonly s = { records: 0, fsyncs: 0, bytes: 0, fsyncMsTotal: 0, fsyncMsMax: 0, fsyncMsLast: 0 };
  /** called after each group commit with its time (write + fdatasync, ms), records and bytes (the node's metrics) */
  onFlush?: (ms: number, records: number, bytes: number) => void;

  private constructor(
    readonly dir: string,
    segments: number[],
    opts: WalOptions,
  ) {
    this.segments = segments;
    this.current = segments.at(-1) ?? 0;
    this.maxRecordBytes = opts.maxRecordBytes ?? 16 * 1024 * 1024;
  }

  /** Opens (creating) the log in `dir`, drops a torn tail, and returns the intact records. */
  static async open(dir: string, opts: WalOptions = {}): Promise<{ wal: Wal; replay: WalReplay }> {
    mkdirSync(dir, { recursive: true });
    const max = opts.maxRecordBytes ?? 16 * 1024 * 1024;
    const ids = (await readdir(dir))
      .map((n) => NAME.exec(n)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const records: WalRecord[] = [];
    let tornBytes = 0;
    const kept: number[] = [];
    for (const [i, id] of ids.entries()) {
      const path = join(dir, segmentName(id));
      const data = await readFile(path);
      const { payloads, end } = parseRecords(data, max);
      for (const payload of payloads) records.push({ segment: id, payload });
      kept.push(id);
      if (end < data.length) {
        // a torn write: nothing after it was acknowledged (appends are acknowledged in order)
        tornBytes += data.length - end;
        await truncateFile(path, end);
        for (const later of ids.slice(i + 1)) {
          const p = join(dir, segmentName(later));
          tornBytes += (await readFile(p)).length;
          await unlink(p);
        }
        await fsyncDir(dir);
        break;
      }
    }
    return { wal: new Wal(dir, kept, opts), replay: { records, tornBytes } };
  }

  get stats(): WalStats {
    return { ...this.s, segments: this.segments.length };
  }

  /** The segment new records go to. */
  get segment(): number {
    return this.current;
  }

  /** Appends a record; resolves once it (and every record appended before it) is durable. */
  append(payload: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('wal: closed'));
    if (this.failed) return Promise.reject(this.failed);
    if (payload.length > this.maxRecordBytes)
      return Promise.reject(
        new RangeError(`wal: record of ${payload.length} bytes > ${this.maxRecordBytes}`),
      );
    this.queue.push({ segment: this.current, buf: frameRecord(payload) });
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.flushing ??= this.flushLoop();
    return p;
  }

  /** Resolves when every record appended so far is durable (later appends are not waited for). */
  sync(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (!this.flushing && this.queue.length === 0) return Promise.resolve();
    // a barrier: resolved with the group that holds the last queued record, or after the one in flight
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.flushing ??= this.flushLoop();
    return p;
  }

  /** Sends the next appends to segment `id` (≥ the current one; a no-op when equal). */
  rotate(id: number): void {
    if (id < this.current) throw new RangeError(`wal: segment ${id} < current ${this.current}`);
    this.current = id;
  }

  /**
   * Deletes every segment all of whose records lie below `bound` (a segment's records lie below
   * the next segment's id); never the current segment. Returns the number of files deleted.
   */
  async truncate(bound: number): Promise<number> {
    let n = 0;
    while (this.segments.length > 0) {
      const id = this.segments[0];
      const next = this.segments[1] ?? this.current;
      if (id === this.current || next > bound) break;
      this.segments.shift();
      const fh = this.handles.get(id);
      this.handles.delete(id);
      await fh?.close();
      await unlink(join(this.dir, segmentName(id)));
      n++;
    }
    return n;
  }

  /** Waits for pending appends, then closes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing) await this.flushing;
    this.closed = true;
    for (const fh of this.handles.values()) await fh.close();
    this.handles.clear();
  }

  private async handle(id: number): Promise<FileHandle> {
    let fh = this.handles.get(id);
    if (fh) return fh;
    fh = await open(join(this.dir, segmentName(id)), 'a');
    this.handles.set(id, fh);
    if (!this.segments.includes(id)) {
      this.segments.push(id);
      this.segments.sort((a, b) => a - b);
      await fsyncDir(this.dir);
    }
    return fh;
  }

  private async flushLoop(): Promise<void> {
    await null; // let the caller store this promise in `flushing` before the loop can end
    while (this.queue.length > 0 || this.waiters.length > 0) {
      const batch = this.queue;
      const waiters = this.waiters;
      this.queue = [];
      this.waiters = [];
      try {
        const t0 = performance.now();
        const bytes0 = this.s.bytes;
        const touched: FileHandle[] = [];
        let i = 0;
        while (i < batch.length) {
          const seg = batch[i].segment;
          let j = i;
          while (j < batch.length && batch[j].segment === seg) j++;
          const fh = await this.handle(seg);
          const buf = j - i === 1 ? batch[i].buf : Buffer.concat(batch.slice(i, j).map((b) => b.buf));
          // the write only copies into the page cache (microseconds): done on this thread, so that a
          // group commit costs one thread-pool round trip (the fdatasync), not two
          let off = 0;
          while (off < buf.length) off += writeSync(fh.fd, buf, off, buf.length - off);
          if (!touched.includes(fh)) touched.push(fh);
          this.s.bytes += buf.length;
          i = j;
        }
        for (const fh of touched) await fh.datasync();
        if (batch.length > 0) {
          const ms = performance.now() - t0;
          this.s.fsyncs++;
          this.s.records += batch.length;
          this.s.fsyncMsTotal += ms;
          this.s.fsyncMsLast = ms;
          if (ms > this.s.fsyncMsMax) this.s.fsyncMsMax = ms;
          this.onFlush?.(ms, batch.length, this.s.bytes - bytes0);
        }
        for (const w of waiters) w.resolve();
      } catch (e) {
        // a failed write leaves the log's tail unknown: refuse everything from now on
        this.failed = e;
        for (const w of [...waiters, ...this.waiters]) w.reject(e);
        this.queue = [];
        this.waiters = [];
      }
    }
    this.flushing = undefined;
  }
}
