/**
 * The Ethereum JSON-RPC methods of the modex EVM chain (docs/evm-rpc.md §2), served beside the
 * node's `modex_*` methods. Everything is read from the node's own state through `RpcBackend`
 * (blocks with their messages, the guest's queries), never from L1, so the sequencer and a
 * follower answer alike for the blocks both have.
 */
import { type Hex, hexToBytes } from 'viem';
import { InvalidParamsError } from '../../../node/errors.ts';
import type { Method, RpcBackend } from '../../../node/rpc.ts';
import { callArgs, estimateGas, ethCall } from './call.ts';
import { EthRpcError, EthTxRefusedError, gethMessage } from './errors.ts';
import { Filters } from './filters.ts';
import { BLOCK_GAS_LIMIT } from './header.ts';
import { blockJson, receiptJson, txJson } from './json.ts';
import { getLogs, logCriteria } from './logs.ts';
import { address, arity, type BlockRef, blockRef, bool, data, hash32, hex, qty, quantity } from './params.ts';
import { accountQuery, codeQuery, parseAccount, slotQuery } from './records.ts';
import { type BlockView, BlockViews } from './view.ts';

export const CLIENT_VERSION = 'modex/evm-rpc-v1';

/** eth_feeHistory's most blocks */
const MAX_FEE_HISTORY = 1_024;

/** An Ethereum view and its methods over one backend. */
export interface EthRpc {
  views: BlockViews;
  filters: Filters;
  methods: Record<string, Method>;
}

/** A block with no state at the node yet (−32000 "header not found", as geth). */
class HeaderNotFoundError extends EthRpcError {
  constructor(what: string) {
    super('ETH_HEADER_NOT_FOUND', -32000, `header not found: ${what}`);
  }
}

/** How long eth_getTransactionReceipt waits for a pending transaction's block (ms). */
export const PENDING_RECEIPT_WAIT_MS = 5_000;

/**
 * Waits (at most {@link PENDING_RECEIPT_WAIT_MS}) while transaction `h` is acknowledged but its block
 * not yet stored (docs/evm-rpc.md §2): a client that asks for the receipt right after sending gets it
 * once the block seals, as on a chain whose send returns after the block (ethers' `wait()` otherwise
 * misses a block sealed between its first receipt request and its first block poll, and waits for
 * the next block, which an idle chain never makes).
 */
async function sealed(backend: RpcBackend, h: Hex): Promise<void> {
  const until = Date.now() + PENDING_RECEIPT_WAIT_MS;
  while (backend.receipt(h)?.status === 'pending' && Date.now() < until)
    await new Promise((r) => setTimeout(r, 20));
}

export function createEthRpc(backend: RpcBackend): EthRpc {
  const views = new BlockViews(backend);
  const filters = new Filters(views);

  /** the Ethereum number of a block reference whose state the node has */
  const stateNumber = async (r: BlockRef): Promise<number> => {
    if ('hash' in r) {
      const b = await views.blockByHash(r.hash);
      if (!b) throw new HeaderNotFoundError(`block ${r.hash}`);
      return b.number;
    }
    if ('tag' in r) return r.tag === 'earliest' ? 0 : views.head;
    if (r.number > views.head) throw new HeaderNotFoundError(`block ${r.number} (head ${views.head})`);
    return r.number;
  };

  /** the block of a reference, or null (a number past the head, an unknown hash) */
  const blockOf = async (r: BlockRef): Promise<BlockView | null> => {
    if ('hash' in r) return views.blockByHash(r.hash);
    if ('tag' in r) return views.block(r.tag === 'earliest' ? 0 : views.head);
    return views.block(r.number);
  };

  /** the applied transaction of hash `h` with its block, or null (unknown, pending, refused) */
  const txOf = async (h: Hex) => {
    const r = backend.receipt(h);
    if (!r || !('code' in r) || r.code !== 0) return null;
    const b = await views.block(r.block + 1);
    const t = b?.txs.find((x) => x.batchIndex === r.index && x.hash === h);
    return b && t ? { b, t } : null;
  };

  const query = async (q: Uint8Array, number: number): Promise<Uint8Array> => {
    const r = await backend.query(q, number - 1);
    if (r.status !== 0)
      throw new EthRpcError(
        'ETH_QUERY_FAILED',
        -32603,
        `the EVM app answered status ${backend.receiptNames[r.status] || r.status}`,
      );
    return r.result;
  };

  const txByIndex = async (r: BlockRef, i: unknown) => {
    const b = await blockOf(r);
    const k = Number(quantity(i, 'index'));
    const t = b?.txs[k];
    return b && t ? txJson(b, t) : null;
  };

  const methods: Record<string, Method> = {
    web3_clientVersion: (_s, p) => {
      arity(p, 0, 0);
      return CLIENT_VERSION;
    },
    net_version: (_s, p) => {
      arity(p, 0, 0);
      return backend.chainId.toString();
    },
    net_listening: () => true,
    eth_chainId: (_s, p) => {
      arity(p, 0, 0);
      return qty(backend.chainId);
    },
    eth_syncing: () => false,
    eth_accounts: () => [],
    eth_blockNumber: (_s, p) => {
      arity(p, 0, 0);
      return qty(views.head);
    },
    eth_gasPrice: () => '0x0',
    eth_maxPriorityFeePerGas: () => '0x0',
    eth_blobBaseFee: () => '0x0',
    eth_feeHistory: async (_s, p) => {
      arity(p, 2, 3);
      const count = Number(typeof p[0] === 'number' ? BigInt(p[0]) : quantity(p[0], 'blockCount'));
      if (!Number.isSafeInteger(count) || count < 0)
        throw new InvalidParamsError('blockCount must be a non-negative quantity');
      const newest = await stateNumber(blockRef(p[1], 'newestBlock'));
      const percentiles = p[2] === undefined || p[2] === null ? undefined : p[2];
      if (
        percentiles !== undefined &&
        (!Array.isArray(percentiles) || percentiles.some((x) => typeof x !== 'number' || x < 0 || x > 100))
      )
        throw new InvalidParamsError('rewardPercentiles must be a list of numbers from 0 to 100');
      const n = Math.min(count, MAX_FEE_HISTORY, newest + 1);
      const oldest = newest - n + 1;
      const ratios: number[] = [];
      for (let k = oldest; k <= newest; k++) {
        const b = await views.block(k);
        ratios.push(b ? Number(b.header.gasUsed) / Number(BLOCK_GAS_LIMIT) : 0);
      }
      return {
        oldestBlock: qty(oldest),
        baseFeePerGas: Array(n + 1).fill('0x0'),
        gasUsedRatio: ratios,
        baseFeePerBlobGas: Array(n + 1).fill('0x0'),
        blobGasUsedRatio: Array(n).fill(0),
        ...(percentiles ? { reward: ratios.map(() => (percentiles as number[]).map(() => '0x0')) } : {}),
      };
    },
    eth_getBlockByNumber: async (_s, p) => {
      arity(p, 1, 2);
      const b = await blockOf(blockRef(p[0], 'block'));
      return b ? blockJson(b, bool(p[1], 'fullTransactions')) : null;
    },
    eth_getBlockByHash: async (_s, p) => {
      arity(p, 1, 2);
      const b = await views.blockByHash(hash32(p[0], 'blockHash'));
      return b ? blockJson(b, bool(p[1], 'fullTransactions')) : null;
    },
    eth_getBlockTransactionCountByNumber: async (_s, p) => {
      arity(p, 1, 1);
      const b = await blockOf(blockRef(p[0], 'block'));
      return b ? qty(b.txs.length) : null;
    },
    eth_getBlockTransactionCountByHash: async (_s, p) => {
      arity(p, 1, 1);
      const b = await views.blockByHash(hash32(p[0], 'blockHash'));
      return b ? qty(b.txs.length) : null;
    },
    eth_getTransactionByBlockNumberAndIndex: (_s, p) => {
      arity(p, 2, 2);
      return txByIndex(blockRef(p[0], 'block'), p[1]);
    },
    eth_getTransactionByBlockHashAndIndex: (_s, p) => {
      arity(p, 2, 2);
      return txByIndex({ hash: hash32(p[0], 'blockHash') }, p[1]);
    },
    eth_getBlockReceipts: async (_s, p) => {
      arity(p, 1, 1);
      const b = await blockOf(blockRef(p[0], 'block'));
      return b ? b.txs.map((t) => receiptJson(b, t)) : null;
    },
    eth_getUncleCountByBlockNumber: () => '0x0',
    eth_getUncleCountByBlockHash: () => '0x0',
    eth_getBalance: async (_s, p) => {
      arity(p, 1, 2);
      const a = hexToBytes(address(p[0], 'address'));
      const n = await stateNumber(blockRef(p[1], 'block'));
      return qty(parseAccount(await query(accountQuery(a), n)).balance);
    },
    eth_getTransactionCount: async (_s, p) => {
      arity(p, 1, 2);
      const a = address(p[0], 'address');
      if (p[1] === 'pending') return qty(await backend.nonceOf(a, 'pending'));
      const n = await stateNumber(blockRef(p[1], 'block'));
      return qty(parseAccount(await query(accountQuery(hexToBytes(a)), n)).nonce);
    },
    eth_getCode: async (_s, p) => {
      arity(p, 1, 2);
      const a = hexToBytes(address(p[0], 'address'));
      return hex(await query(codeQuery(a), await stateNumber(blockRef(p[1], 'block'))));
    },
    eth_getStorageAt: async (_s, p) => {
      arity(p, 2, 3);
      const a = hexToBytes(address(p[0], 'address'));
      const slot = quantity(p[1], 'slot');
      const key = Uint8Array.from(Buffer.from(slot.toString(16).padStart(64, '0'), 'hex'));
      const v = await query(slotQuery(a, key), await stateNumber(blockRef(p[2], 'block')));
      return hex(v.length === 32 ? v : new Uint8Array(32));
    },
    eth_call: async (_s, p) => {
      arity(p, 1, 3);
      if (p[2] !== undefined && p[2] !== null)
        throw new InvalidParamsError('state overrides are not supported');
      return ethCall(backend, callArgs(p[0]), await stateNumber(blockRef(p[1], 'block')));
    },
    eth_estimateGas: async (_s, p) => {
      arity(p, 1, 3);
      if (p[2] !== undefined && p[2] !== null)
        throw new InvalidParamsError('state overrides are not supported');
      return qty(await estimateGas(backend, callArgs(p[0]), await stateNumber(blockRef(p[1], 'block'))));
    },
    eth_sendRawTransaction: async (_s, p) => {
      arity(p, 1, 1);
      const raw = data(p[0], 'transaction');
      try {
        return (await backend.submit(raw)).hash;
      } catch (e) {
        const x = e as { reason?: unknown; receiptCode?: unknown; code?: unknown };
        if (typeof x.reason === 'string' && typeof x.receiptCode === 'number')
          throw new EthTxRefusedError(gethMessage(x.reason), x.reason, x.receiptCode);
        if (x.code === 'NODE_DUPLICATE_TX') throw new EthRpcError('ETH_TX_KNOWN', -32000, 'already known');
        throw e;
      }
    },
    eth_getTransactionByHash: async (_s, p) => {
      arity(p, 1, 1);
      const x = await txOf(hash32(p[0], 'hash'));
      return x ? txJson(x.b, x.t) : null;
    },
    eth_getTransactionReceipt: async (_s, p) => {
      arity(p, 1, 1);
      const h = hash32(p[0], 'hash');
      await sealed(backend, h);
      const x = await txOf(h);
      return x ? receiptJson(x.b, x.t) : null;
    },
    eth_getLogs: (_s, p) => {
      arity(p, 1, 1);
      return getLogs(views, logCriteria(p[0]));
    },
    eth_newFilter: (_s, p) => {
      arity(p, 1, 1);
      return filters.newLogFilter(logCriteria(p[0]));
    },
    eth_newBlockFilter: (_s, p) => {
      arity(p, 0, 0);
      return filters.newBlockFilter();
    },
    eth_getFilterChanges: (_s, p) => {
      arity(p, 1, 1);
      return filters.changes(p[0]);
    },
    eth_getFilterLogs: (_s, p) => {
      arity(p, 1, 1);
      return filters.logs(p[0]);
    },
    eth_uninstallFilter: (_s, p) => {
      arity(p, 1, 1);
      return filters.uninstall(p[0]);
    },
  };
  return { views, filters, methods };
}

/** The Ethereum JSON-RPC methods over `backend` (the contract's entry point). */
export const ethRpcMethods = (backend: RpcBackend): Record<string, Method> => createEthRpc(backend).methods;
