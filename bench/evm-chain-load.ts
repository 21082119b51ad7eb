/**
 * The load generator of `modex bench evm-chain`: raw transactions sent over HTTP JSON-RPC
 * (`eth_sendRawTransaction` or `modex_sendRawTransaction`) from a worker thread, so its CPU is not
 * the measured node's event loop. A minimal HTTP/1.1 client on keep-alive sockets (node:http's
 * client costs about three times the CPU per request, and the generator shares the machine with
 * the chain it measures), one request in flight per connection. The transactions come in lanes:
 * each lane is sent one after the other (a sender's transactions are all in one lane, so they
 * arrive in nonce order), all lanes at once. An answer with a `result` is an acknowledgment; a
 * −32005 (busy) answer is retried after 2 ms; any other error is recorded with its code.
 */
import { Worker } from 'node:worker_threads';

export interface LoadSpec {
  url: string;
  /** the JSON-RPC method taking one raw transaction */
  method: string;
  txs: string[];
  /** indexes into `txs`, each lane sent in order, the lanes concurrently (one connection each) */
  lanes: number[][];
}

export interface LoadOut {
  /** first attempt of each transaction (ms since the epoch, sub-ms) */
  sentAt: Float64Array;
  /** its acknowledgment (or error answer) */
  ackAt: Float64Array;
  /** 0 acknowledged, else the JSON-RPC error code (−1 transport error, −2 not sent) */
  code: Int32Array;
  /** −32005 answers retried */
  busy: number;
  /** the first error messages (transport or JSON-RPC) */
  errors: string[];
}

const LOADGEN = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { url, method, txs, lanes } = workerData;
const u = new URL(url);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const n = txs.length;
const sentAt = new Float64Array(n);
const ackAt = new Float64Array(n);
const code = new Int32Array(n).fill(-2);
let busy = 0;
const errors = [];
const head = (len) => 'POST ' + (u.pathname || '/') + ' HTTP/1.1\\r\\nhost: ' + u.host +
  '\\r\\ncontent-type: application/json\\r\\ncontent-length: ' + len + '\\r\\n\\r\\n';
class Conn {
  constructor() {
    this.buf = null;
    this.pending = null;
    this.sock = net.connect(Number(u.port), u.hostname);
    this.sock.setNoDelay(true);
    this.sock.on('data', (c) => this.data(c));
    this.sock.on('error', (e) => this.fail(e));
    this.sock.on('close', () => this.fail(new Error('connection closed')));
  }
  request(body) {
    if (this.dead) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.sock.write(head(Buffer.byteLength(body)) + body);
    });
  }
  data(c) {
    this.buf = this.buf ? Buffer.concat([this.buf, c]) : c;
    const end = this.buf.indexOf('\\r\\n\\r\\n');
    if (end < 0) return;
    const h = this.buf.toString('latin1', 0, end);
    const m = /content-length: *(\\d+)/i.exec(h);
    const len = m ? Number(m[1]) : 0;
    if (this.buf.length < end + 4 + len) return;
    const text = this.buf.toString('utf8', end + 4, end + 4 + len);
    this.buf = this.buf.length > end + 4 + len ? this.buf.subarray(end + 4 + len) : null;
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    if (!/^HTTP\\/1\\.1 2/.test(h)) return p.reject(new Error(h.split('\\r\\n')[0]));
    try { p.resolve(JSON.parse(text)); } catch (e) { p.reject(e); }
  }
  fail(e) {
    this.dead = true;
    const p = this.pending;
    this.pending = null;
    if (p) p.reject(e);
  }
}
const note = (m) => { if (errors.length < 5) errors.push(m); };
async function lane(idxs, c) {
  for (const i of idxs) {
    const body = JSON.stringify({ jsonrpc: '2.0', id: i, method, params: [txs[i]] });
    sentAt[i] = now();
    for (;;) {
      let r;
      try { r = await c.request(body); } catch (e) {
        note(String((e && e.message) || e));
        code[i] = -1;
        ackAt[i] = now();
        c = new Conn();
        break;
      }
      if (r.error && r.error.code === -32005) { busy++; await sleep(2); continue; }
      ackAt[i] = now();
      if (r.result !== undefined && r.result !== null) code[i] = 0;
      else { code[i] = r.error ? r.error.code : -1; note(JSON.stringify(r.error || r)); }
      break;
    }
  }
  c.sock.destroy();
}
// the connections open before the first transaction is sent
const conns = lanes.map(() => new Conn());
Promise.all(conns.map((c) => new Promise((r) => { c.sock.once('connect', r); c.sock.once('error', r); })))
  .then(() => Promise.all(lanes.map((l, k) => lane(l, conns[k]))))
  .then(() => parentPort.postMessage({ sentAt, ackAt, code, busy, errors }));
`;

/** Runs the load in a worker thread; resolves with each transaction's times and answer. */
export function runLoad(spec: LoadSpec): Promise<LoadOut> {
  return new Promise((resolve, reject) => {
    const w = new Worker(LOADGEN, { eval: true, workerData: spec });
    w.once('message', (m: LoadOut) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (c) => {
      if (c !== 0 && c !== 1) reject(new Error(`load generator exited with ${c}`));
    });
  });
}

/**
 * Lanes for `senders` (the sender index of each transaction): every sender's transactions in one
 * lane, in order; senders spread round-robin over `min(concurrency, distinct senders)` lanes.
 */
export function lanesOf(senders: number[], concurrency: number): number[][] {
  const distinct = new Set(senders).size;
  const lanes: number[][] = Array.from({ length: Math.max(1, Math.min(concurrency, distinct)) }, () => []);
  senders.forEach((k, i) => {
    lanes[k % lanes.length].push(i);
  });
  return lanes.filter((l) => l.length > 0);
}
