/**
 * Log filters (docs/evm-rpc.md §5): `fromBlock`/`toBlock` or `blockHash`, `address` (one or a
 * list), `topics` (per position: null = any, a hash, or a list of hashes = any of them).
 */
import type { Hex } from 'viem';
import { InvalidParamsError } from '../../../node/errors.ts';
import { EthLimitError } from './errors.ts';
import { type LogJson, logJson } from './json.ts';
import { address, type BlockRef, blockRef, hash32, hex } from './params.ts';
import type { BlockViews } from './view.ts';

/** the most blocks one eth_getLogs (or eth_getFilterLogs) reads */
export const MAX_LOG_RANGE = 10_000;

export interface LogCriteria {
  from: BlockRef;
  to: BlockRef;
  blockHash?: Hex;
  addresses?: Set<string>;
  /** per position: undefined = any, else any of the set */
  topics: (Set<string> | undefined)[];
}

export function logCriteria(x: unknown, name = 'filter'): LogCriteria {
  if (x === undefined) x = {};
  if (typeof x !== 'object' || x === null || Array.isArray(x))
    throw new InvalidParamsError(`${name} must be an object`);
  const o = x as Record<string, unknown>;
  const c: LogCriteria = {
    from: blockRef(o.fromBlock, `${name}.fromBlock`),
    to: blockRef(o.toBlock, `${name}.toBlock`),
    topics: [],
  };
  if (o.blockHash !== undefined && o.blockHash !== null) {
    if (o.fromBlock !== undefined || o.toBlock !== undefined)
      throw new InvalidParamsError(`${name}: blockHash excludes fromBlock and toBlock`);
    c.blockHash = hash32(o.blockHash, `${name}.blockHash`);
  }
  if (o.address !== undefined && o.address !== null) {
    const list = Array.isArray(o.address) ? o.address : [o.address];
    c.addresses = new Set(
      list.map((a, i) => address(a, Array.isArray(o.address) ? `${name}.address[${i}]` : `${name}.address`)),
    );
  }
  if (o.topics !== undefined && o.topics !== null) {
    if (!Array.isArray(o.topics) || o.topics.length > 4)
      throw new InvalidParamsError(`${name}.topics must be a list of at most 4 entries`);
    c.topics = o.topics.map((t, i) => {
      if (t === null) return undefined;
      const list = Array.isArray(t) ? t : [t];
      if (list.length === 0) return undefined;
      return new Set(
        list.map((h, j) => hash32(h, `${name}.topics[${i}]${Array.isArray(t) ? `[${j}]` : ''}`)),
      );
    });
  }
  return c;
}

/** A block reference as a number (`latest` = the head). */
export const resolveNumber = (r: BlockRef, head: number): number =>
  'tag' in r ? (r.tag === 'earliest' ? 0 : head) : 'number' in r ? r.number : head;

/** The logs of blocks `from`..`to` matching `c`. */
export async function logsIn(
  views: BlockViews,
  c: LogCriteria,
  from: number,
  to: number,
): Promise<LogJson[]> {
  if (to - from + 1 > MAX_LOG_RANGE)
    throw new EthLimitError(
      `query returned more than ${MAX_LOG_RANGE} blocks: ask for at most ${MAX_LOG_RANGE} blocks per call`,
    );
  const out: LogJson[] = [];
  for (let n = from; n <= to; n++) {
    const b = await views.block(n);
    if (!b) break;
    for (const t of b.txs)
      t.record.logs.forEach((l, i) => {
        if (c.addresses && !c.addresses.has(hex(l.address))) return;
        for (let k = 0; k < c.topics.length; k++) {
          const want = c.topics[k];
          if (want && (k >= l.topics.length || !want.has(hex(l.topics[k])))) return;
        }
        out.push(logJson(b, t, i));
      });
  }
  return out;
}

/** eth_getLogs: the logs matching `c` (a range of at most MAX_LOG_RANGE blocks, or one block by hash). */
export async function getLogs(views: BlockViews, c: LogCriteria): Promise<LogJson[]> {
  if (c.blockHash) {
    const b = await views.blockByHash(c.blockHash);
    if (!b) throw new InvalidParamsError(`unknown block ${c.blockHash}`);
    return logsIn(views, c, b.number, b.number);
  }
  const head = views.head;
  const from = resolveNumber(c.from, head);
  const to = resolveNumber(c.to, head);
  if (from > to) throw new InvalidParamsError(`filter: fromBlock ${from} is after toBlock ${to}`);
  if (from > head) return [];
  return logsIn(views, c, from, Math.min(to, head));
}
