/**
 * The Ethereum JSON-RPC end to end (docs/evm-rpc.md), driven by viem over HTTP and WebSocket: an
 * in-process chain (a Sequencer running the built-in `evm` app, its server with the extension
 * `rpcExtensionFor('evm')` gives the sequencer role), no L1 (deposits through the delayed path).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeAbiParameters,
  type Hex,
  hexToBytes,
  http,
  keccak256,
  type Log,
  pad,
  toBytes,
  webSocket,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { rpcPost } from '../../../../test/node-utils.ts';
import { getArtifact } from '../../../l1/contracts.ts';
import { AppChain } from '../../../node/app-chain.ts';
import { WorkerExecutor } from '../../../node/block-worker.ts';
import type { DerivedPosition } from '../../../node/derivation.ts';
import { FollowerRpc } from '../../../node/follower-rpc.ts';
import { type RpcServer, startRpcServer } from '../../../node/rpc.ts';
import { type DelayedMessageIn, Sequencer } from '../../../node/sequencer.ts';
import { depositMessage } from '../../../settlement/ethereum/message.ts';
import { rpcExtensionFor } from '../../rpc-extensions.ts';
import { loadApp } from '../../sdk/app-runtime.ts';
import { builtinAppBytes } from '../../sdk/builtin-apps.ts';
import { FILTER_TIMEOUT_MS, Filters } from './filters.ts';
import { logCriteria, logsIn, MAX_LOG_RANGE } from './logs.ts';
import { createEthRpc } from './methods.ts';
import { BlockViews } from './view.ts';

const CHAIN_ID = 31_999;
const FUND = 10n ** 20n;
const alice = privateKeyToAccount(`0x${'a1'.repeat(32)}`);
const BOB = '0x000000000000000000000000000000000000b0b0' as const;
const NOBODY = '0x000000000000000000000000000000000000dead' as const;
const CAROL = '0x000000000000000000000000000000000000ca10' as const;

let dir: string;
let seq: Sequencer;
let server: RpcServer;
const deposits: DelayedMessageIn[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modex-eth-rpc-'));
  const executor = () =>
    new WorkerExecutor({ app: { name: 'evm', bytes: builtinAppBytes('evm') }, chainId: BigInt(CHAIN_ID) });
  seq = await Sequencer.open({
    dataDir: dir,
    executor: executor(),
    // a recovery (the last test) takes a new executor and executes the kept blocks again
    newExecutor: executor,
    maxBlockAgeMs: 50,
    delayed: () => deposits,
    delayedPollMs: 20,
    onError: () => {},
  });
  const ext = await rpcExtensionFor('evm', seq);
  if (!ext) throw new Error('no extension for evm');
  server = await startRpcServer(seq, { methods: ext.methods, upgrade: ext.upgrade });
  deposits.push({ index: 0, data: depositMessage(alice.address, FUND) });
  await seq.pollDelayed();
  while (seq.status().delayedIncluded < 1) await sleep(20);
  await seq.idle();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await seq?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const chain = () =>
  defineChain({
    id: CHAIN_ID,
    name: 'modex-evm-test',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [server.url], webSocket: [server.url.replace('http', 'ws')] } },
  });

/** one raw JSON-RPC answer (result or error with its data) */
const raw = (method: string, params: unknown[]) =>
  rpcPost(server.url, { jsonrpc: '2.0', id: 1, method, params }) as Promise<{
    result?: unknown;
    error?: { code: number; message: string; data?: unknown };
  }>;

describe('the Ethereum JSON-RPC with viem (docs/evm-rpc.md)', () => {
  it('deploys an ERC-20, transfers, reads receipts, logs, blocks, state; watches events by filter and WebSocket', {
    timeout: 120_000,
  }, async () => {
    const pub = createPublicClient({ chain: chain(), transport: http(server.url), pollingInterval: 50 });
    const wallet = createWalletClient({ chain: chain(), transport: http(server.url), account: alice });
    expect(await pub.getChainId()).toBe(CHAIN_ID);
    expect(await pub.getBalance({ address: alice.address })).toBe(FUND);
    // the deposit is modex block 0: Ethereum block 1
    expect(await pub.getBlockNumber()).toBe(1n);
    // genesis: balance 0 at block 0
    expect(await pub.getBalance({ address: alice.address, blockNumber: 0n })).toBe(0n);

    const art = await getArtifact('BenchErc20');
    const abi = erc20Abi;
    const deployHash = await wallet.deployContract({
      abi,
      bytecode: art.bytecode as Hex,
      args: [[alice.address, CAROL], 1000n],
    });
    const deployed = await pub.waitForTransactionReceipt({ hash: deployHash, pollingInterval: 50 });
    expect(deployed.status).toBe('success');
    const token = deployed.contractAddress as Hex;
    expect(token).toMatch(/^0x[0-9a-f]{40}$/);
    expect(deployed.logs.map((l) => Number(l.logIndex))).toEqual([0, 1]);
    expect(await pub.getCode({ address: token })).toBe(art.deployedBytecode);
    expect(
      await pub.readContract({ address: token, abi, functionName: 'balanceOf', args: [alice.address] }),
    ).toBe(1000n);

    // watchers, before the transfer: polled filter (HTTP) and eth_subscribe (WebSocket)
    const wsClient = createPublicClient({
      chain: chain(),
      transport: webSocket(server.url.replace('http', 'ws')),
    });
    const seenHttp: Log[] = [];
    const seenWs: Log[] = [];
    const heads: bigint[] = [];
    const stops = [
      pub.watchContractEvent({
        address: token,
        abi,
        eventName: 'Transfer',
        pollingInterval: 50,
        onLogs: (l) => seenHttp.push(...l),
      }),
      wsClient.watchContractEvent({
        address: token,
        abi,
        eventName: 'Transfer',
        onLogs: (l) => seenWs.push(...l),
      }),
      wsClient.watchBlockNumber({ onBlockNumber: (n) => heads.push(n) }),
    ];
    await sleep(300);

    const gas = await pub.estimateContractGas({
      address: token,
      abi,
      functionName: 'transfer',
      args: [BOB, 10n],
      account: alice,
    });
    expect(gas).toBeGreaterThan(21_000n);
    const hash = await wallet.writeContract({
      address: token,
      abi,
      functionName: 'transfer',
      args: [BOB, 10n],
    });
    const r = await pub.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    expect(r).toMatchObject({
      status: 'success',
      from: alice.address.toLowerCase(),
      to: token,
      transactionIndex: 0,
    });
    // the estimate is enough, and geth's search keeps it within 1.5% of the least that is
    expect(gas).toBeGreaterThanOrEqual(r.gasUsed);
    expect(r.logs).toHaveLength(1);
    expect(await pub.readContract({ address: token, abi, functionName: 'balanceOf', args: [BOB] })).toBe(10n);
    // balanceOf is slot 1: keccak256(pad(bob) ‖ pad(1))
    const slot = keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [BOB, 1n]));
    expect(BigInt((await pub.getStorageAt({ address: token, slot })) as Hex)).toBe(10n);
    expect(await pub.getTransactionCount({ address: alice.address })).toBe(2);

    // logs: the two mints and the transfer
    const logs = await pub.getContractEvents({ address: token, abi, eventName: 'Transfer', fromBlock: 0n });
    expect(logs.map((l) => [l.args.to?.toLowerCase(), l.args.value])).toEqual([
      [alice.address.toLowerCase(), 1000n],
      [CAROL, 1000n],
      [BOB, 10n],
    ]);
    const toBob = await pub.getContractEvents({
      address: token,
      abi,
      eventName: 'Transfer',
      args: { to: BOB },
      fromBlock: 0n,
    });
    expect(toBob.map((l) => l.transactionHash)).toEqual([hash]);

    // blocks by number and by hash agree; the chain of parent hashes holds
    const byNumber = await pub.getBlock({ blockNumber: r.blockNumber, includeTransactions: true });
    const byHash = await pub.getBlock({ blockHash: r.blockHash, includeTransactions: true });
    expect(byHash).toEqual(byNumber);
    expect(byNumber.hash).toBe(r.blockHash);
    expect(byNumber.transactions.map((t) => t.hash)).toEqual([hash]);
    expect(byNumber.gasUsed).toBe(r.gasUsed);
    const parent = await pub.getBlock({ blockNumber: r.blockNumber - 1n });
    expect(byNumber.parentHash).toBe(parent.hash);
    const tx = await pub.getTransaction({ hash });
    expect(tx).toMatchObject({
      from: alice.address.toLowerCase(),
      to: token,
      nonce: 1,
      blockHash: r.blockHash,
    });

    // the watchers saw the transfer, the WebSocket saw the new head
    for (
      let i = 0;
      i < 100 && (seenHttp.length === 0 || seenWs.length === 0 || !heads.includes(r.blockNumber));
      i++
    )
      await sleep(50);
    for (const stop of stops) stop();
    expect(seenHttp.map((l) => l.transactionHash)).toEqual([hash]);
    expect(seenWs.map((l) => l.transactionHash)).toEqual([hash]);
    expect(heads).toContain(r.blockNumber);
    await wsClient.transport.getRpcClient().then((c) => c.close());
  });

  it('bad params, a refused transaction, a reverted call and a range too large get clear errors', {
    timeout: 60_000,
  }, async () => {
    const badAddress = await raw('eth_getBalance', ['0x12', 'latest']);
    expect(badAddress.error).toMatchObject({ code: -32602 });
    expect(badAddress.error?.message).toMatch(/address must be a 0x-prefixed 20-byte address/);
    const badTag = await raw('eth_getBlockByNumber', ['newest', false]);
    expect(badTag.error?.message).toMatch(/block must be a 0x quantity/);
    expect((await raw('eth_getBlockByNumber', ['0x99999', false])).result).toBeNull();
    expect((await raw('eth_getBalance', [alice.address, '0x99999'])).error).toMatchObject({ code: -32000 });

    // a nonce already used: geth's message, the app's reason in data
    const stale = await alice.signTransaction({
      chainId: CHAIN_ID,
      nonce: 0,
      gas: 21_000n,
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
      to: BOB,
      value: 1n,
    });
    const refused = await raw('eth_sendRawTransaction', [stale]);
    expect(refused.error).toMatchObject({
      code: -32000,
      message: 'nonce too low',
      data: { reason: 'nonce_too_low' },
    });
    const wrongChain = await alice.signTransaction({
      chainId: CHAIN_ID + 1,
      nonce: 5,
      gas: 21_000n,
      gasPrice: 1n,
      to: BOB,
    });
    expect((await raw('eth_sendRawTransaction', [wrongChain])).error).toMatchObject({
      code: -32000,
      data: { reason: 'wrong_chain_id' },
    });

    // a call that reverts: code 3 with the revert data (InsufficientBalance(0, 1))
    // a range past the head is cut at the head; one past the bound is refused before any block is read
    expect(
      (await raw('eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x5000', address: BOB }])).result,
    ).toEqual([]);
    await expect(logsIn(new BlockViews(seq), logCriteria({}), 0, MAX_LOG_RANGE)).rejects.toMatchObject({
      rpcCode: -32005,
      message: expect.stringMatching(/more than 10000 blocks/),
    });
    expect((await raw('eth_getLogs', [{ fromBlock: '0x3', toBlock: '0x2' }])).error?.message).toMatch(
      /fromBlock 3 is after toBlock 2/,
    );
    const code = (await raw('eth_getLogs', [{ fromBlock: '0x0', topics: ['0x12'] }])).error;
    expect(code?.message).toMatch(/filter.topics\[0\] must be 0x-prefixed 32-byte hex/);
    const logs = (await raw('eth_getLogs', [{ fromBlock: '0x0' }])).result as { address: Hex }[];
    const token = logs[0].address;
    const data = `0xa9059cbb${BOB.slice(2).padStart(64, '0')}${'1'.padStart(64, '0')}` as Hex;
    const reverted = await raw('eth_call', [{ from: NOBODY, to: token, data }, 'latest']);
    expect(reverted.error).toMatchObject({ code: 3, message: 'execution reverted' });
    expect(String(reverted.error?.data)).toMatch(/^0x[0-9a-f]{8}/);
    expect((await raw('eth_estimateGas', [{ from: NOBODY, to: token, data }])).error).toMatchObject({
      code: 3,
    });
    const poor = await raw('eth_call', [{ from: NOBODY, to: token, value: '0x1' }]);
    expect(poor.error).toMatchObject({ code: -32000, data: { reason: 'insufficient_funds' } });
  });

  it('filters report new blocks and logs; a block a recovery rewrote is rebuilt with a new hash', {
    timeout: 60_000,
  }, async () => {
    const blockFilter = (await raw('eth_newBlockFilter', [])).result as string;
    // a raw WebSocket subscription to newHeads: the rewritten block is announced again
    const socket = new WebSocket(server.url.replace('http', 'ws'));
    const heads: { number: Hex; hash: Hex }[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('open', () => {
        socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }));
      });
      socket.on('message', (d) => {
        const m = JSON.parse(String(d));
        if (m.id === 1) resolve();
        else heads.push(m.params.result);
      });
    });
    const logFilter = (await raw('eth_newFilter', [{ topics: [null, null, null] }])).result as string;
    expect((await raw('eth_getFilterChanges', [blockFilter])).result).toEqual([]);
    const head = Number((await raw('eth_blockNumber', [])).result);
    const before = (await raw('eth_getBlockByNumber', [`0x${head.toString(16)}`, false])).result as {
      hash: Hex;
      parentHash: Hex;
      transactions: Hex[];
    };
    expect(before.transactions).toHaveLength(1);
    const moved = before.transactions[0];
    // L1 holds a deposit at the position of the last block (a forced inclusion under it): the
    // sequencer re-executes from there and replays the transfer in a later block
    const position = head - 1;
    await seq.recover(position, [
      { kind: 'delayed', message: depositMessage(CAROL, 5n), txs: [], delayedIndex: 1 },
    ]);
    deposits.push({ index: 1, data: depositMessage(CAROL, 5n) });
    seq.sealNow();
    await seq.idle();
    for (let i = 0; i < 100 && seq.head < position + 1; i++) await sleep(20);
    const after = (await raw('eth_getBlockByNumber', [`0x${head.toString(16)}`, false]))
      .result as typeof before;
    expect(after.parentHash).toBe(before.parentHash);
    expect(after.hash).not.toBe(before.hash);
    expect(after.transactions).toEqual([]);
    expect((await raw('eth_getBalance', [CAROL, 'latest'])).result).toBe('0x5');
    const r = (await raw('eth_getTransactionReceipt', [moved])).result as {
      blockNumber: Hex;
      blockHash: Hex;
    };
    expect(Number(r.blockNumber)).toBe(head + 1);
    const replayed = (await raw('eth_getBlockByHash', [r.blockHash, false])).result as typeof before & {
      hash: Hex;
    };
    expect(replayed.parentHash).toBe(after.hash);
    expect(replayed.transactions).toEqual([moved]);
    for (let i = 0; i < 100 && !heads.some((h) => h.hash === replayed.hash); i++) await sleep(50);
    socket.close();
    // announced: the rewritten block at its number (going back, as a reorg), then the replayed one
    expect(heads.map((h) => [Number(h.number), h.hash])).toEqual([
      [head, after.hash],
      [head + 1, replayed.hash],
    ]);
    // the filters saw the new blocks (and the replayed transfer's log); uninstalled, they are gone
    const hashes = (await raw('eth_getFilterChanges', [blockFilter])).result as Hex[];
    expect(hashes).toContain(r.blockHash);
    const newLogs = (await raw('eth_getFilterChanges', [logFilter])).result as { transactionHash: Hex }[];
    expect(newLogs.map((l) => l.transactionHash)).toEqual([moved]);
    expect((await raw('eth_uninstallFilter', [blockFilter])).result).toBe(true);
    expect((await raw('eth_getFilterChanges', [blockFilter])).error).toMatchObject({
      code: -32000,
      message: 'filter not found',
    });
  });

  it('a follower that derived the same messages answers as the sequencer (blocks, receipts, logs, state, calls)', {
    timeout: 60_000,
  }, async () => {
    const follower = new FollowerRpc({
      chain: new AppChain({ app: loadApp(builtinAppBytes('evm'), 'evm'), chainId: BigInt(CHAIN_ID) }),
    });
    const entries: DerivedPosition[] = [];
    follower.attach({
      get head() {
        return BigInt(entries.length);
      },
      entry: (p) => entries[Number(p)],
    });
    // the sequencer's stored messages handed to the follower's executor, as derivation does
    for (let p = 0; p <= seq.head; p++) {
      const b = seq.block(p, true) as { kind: 'batch' | 'delayed'; message: Hex };
      const message = hexToBytes(b.message);
      const resolved = b.kind === 'batch' ? message.subarray(1) : undefined;
      await follower.executor.execute(message, { position: BigInt(p), resolved });
      entries.push({
        position: BigInt(p),
        source: b.kind,
        sourceIndex: 0n,
        message,
        l1BlockNumber: 1n,
        l1Timestamp: 1n,
        txHash: `0x${'ab'.repeat(32)}`,
      } as DerivedPosition);
    }
    const eth = createEthRpc(follower).methods;
    const ask = (method: string, params: unknown[]) => eth[method](follower, params);
    const same = async (method: string, params: unknown[]) => {
      const theirs = await raw(method, params);
      expect(theirs.error).toBeUndefined();
      expect(JSON.parse(JSON.stringify(await ask(method, params)))).toEqual(theirs.result);
      return theirs.result;
    };
    const head = (await same('eth_blockNumber', [])) as Hex;
    for (let n = 0; n <= Number(head); n++) await same('eth_getBlockByNumber', [`0x${n.toString(16)}`, true]);
    const logs = (await same('eth_getLogs', [{ fromBlock: '0x0' }])) as {
      transactionHash: Hex;
      address: Hex;
    }[];
    expect(logs.length).toBeGreaterThanOrEqual(3);
    for (const l of logs) await same('eth_getTransactionReceipt', [l.transactionHash]);
    await same('eth_getBalance', [alice.address, 'latest']);
    await same('eth_getCode', [logs[0].address, 'latest']);
    await same('eth_call', [
      { to: logs[0].address, data: `0x70a08231${alice.address.slice(2).padStart(64, '0')}` },
      'latest',
    ]);
    // a follower refuses transactions (read-only), with the node's code
    await expect(ask('eth_sendRawTransaction', ['0x01'])).rejects.toMatchObject({ code: 'NODE_READ_ONLY' });
  });

  it('the small methods answer as geth does; a filter not polled for 5 minutes is gone', async () => {
    const r = async (method: string, params: unknown[] = []) => {
      const x = await raw(method, params);
      expect(x.error).toBeUndefined();
      return x.result;
    };
    expect(await r('net_version')).toBe(String(CHAIN_ID));
    expect(await r('eth_chainId')).toBe(`0x${CHAIN_ID.toString(16)}`);
    expect(await r('web3_clientVersion')).toMatch(/^modex\//);
    expect(await r('eth_syncing')).toBe(false);
    expect(await r('eth_accounts')).toEqual([]);
    expect(await r('eth_gasPrice')).toBe('0x0');
    expect(await r('eth_maxPriorityFeePerGas')).toBe('0x0');
    const head = Number(await r('eth_blockNumber'));
    const history = (await r('eth_feeHistory', ['0x4', 'latest', [50]])) as Record<string, unknown[]> & {
      oldestBlock: Hex;
    };
    expect(Number(history.oldestBlock)).toBe(head - 3);
    expect(history.baseFeePerGas).toEqual(['0x0', '0x0', '0x0', '0x0', '0x0']);
    expect(history.gasUsedRatio).toHaveLength(4);
    expect(history.reward).toEqual([['0x0'], ['0x0'], ['0x0'], ['0x0']]);
    // a block with a transaction: by index, its receipts, its count
    const logs = (await r('eth_getLogs', [{ fromBlock: '0x0' }])) as {
      blockNumber: Hex;
      blockHash: Hex;
      transactionHash: Hex;
    }[];
    const at = logs[logs.length - 1];
    expect(await r('eth_getTransactionByBlockNumberAndIndex', [at.blockNumber, '0x0'])).toMatchObject({
      hash: at.transactionHash,
    });
    expect(await r('eth_getTransactionByBlockHashAndIndex', [at.blockHash, '0x0'])).toMatchObject({
      hash: at.transactionHash,
    });
    expect(await r('eth_getTransactionByBlockNumberAndIndex', [at.blockNumber, '0x5'])).toBeNull();
    expect(await r('eth_getBlockTransactionCountByHash', [at.blockHash])).toBe('0x1');
    const receipts = (await r('eth_getBlockReceipts', [at.blockNumber])) as { transactionHash: Hex }[];
    expect(receipts.map((x) => x.transactionHash)).toEqual([at.transactionHash]);
    expect(await r('eth_getBlockByHash', [`0x${'00'.repeat(32)}`, false])).toBeNull();
    // topics: OR-lists per position, null = any; addresses: any of a list
    const token = (logs[0] as unknown as { address: Hex }).address;
    const TRANSFER = keccak256(toBytes('Transfer(address,address,uint256)'));
    const word = (a: Hex) => pad(a, { size: 32 });
    const toBobOrCarol = (await r('eth_getLogs', [
      { fromBlock: '0x0', address: [NOBODY, token], topics: [[TRANSFER], null, [word(BOB), word(CAROL)]] },
    ])) as { topics: Hex[] }[];
    expect(toBobOrCarol.map((l) => l.topics[2])).toEqual([word(CAROL), word(BOB)]);
    expect(await r('eth_getLogs', [{ fromBlock: '0x0', topics: [null, null, word(NOBODY)] }])).toEqual([]);
    expect(await r('eth_getLogs', [{ fromBlock: '0x0', address: NOBODY }])).toEqual([]);
    // filters expire: 5 minutes without a poll
    let now = 0;
    const filters = new Filters(new BlockViews(seq), () => now);
    const id = filters.newBlockFilter();
    now = FILTER_TIMEOUT_MS;
    expect(await filters.changes(id)).toEqual([]);
    now += FILTER_TIMEOUT_MS + 1;
    await expect(filters.changes(id)).rejects.toThrow('filter not found');
  });
});

const erc20Abi = [
  {
    type: 'constructor',
    inputs: [
      { name: 'holders', type: 'address[]' },
      { name: 'perHolder', type: 'uint256' },
    ],
    stateMutability: 'nonpayable',
  },
  {
    type: 'function',
    name: 'balanceOf',
    inputs: [{ name: '', type: 'address' }],
    outputs: [{ name: '', type: 'uint256' }],
    stateMutability: 'view',
  },
  {
    type: 'function',
    name: 'transfer',
    inputs: [
      { name: 'to', type: 'address' },
      { name: 'value', type: 'uint256' },
    ],
    outputs: [{ name: '', type: 'bool' }],
    stateMutability: 'nonpayable',
  },
  {
    type: 'event',
    name: 'Transfer',
    inputs: [
      { name: 'from', type: 'address', indexed: true },
      { name: 'to', type: 'address', indexed: true },
      { name: 'value', type: 'uint256', indexed: false },
    ],
  },
] as const;

describe('a receipt asked for before its block seals (docs/evm-rpc.md §2)', () => {
  it('eth_getTransactionReceipt waits for the pending block instead of answering null', async () => {
    const d = mkdtempSync(join(tmpdir(), 'modex-eth-rpc-wait-'));
    const own: DelayedMessageIn[] = [{ index: 0, data: depositMessage(alice.address, FUND) }];
    const slow = await Sequencer.open({
      dataDir: d,
      executor: new WorkerExecutor({
        app: { name: 'evm', bytes: builtinAppBytes('evm') },
        chainId: BigInt(CHAIN_ID),
      }),
      // a block seals 1.5 s after its first transaction: well inside the receipt's 5 s wait
      maxBlockAgeMs: 1_500,
      delayed: () => own,
      delayedPollMs: 20,
      onError: () => {},
    });
    const ext = await rpcExtensionFor('evm', slow);
    const srv = await startRpcServer(slow, { methods: ext?.methods });
    try {
      await slow.pollDelayed();
      while (slow.status().delayedIncluded < 1) await sleep(20);
      await slow.idle();
      const tx = await alice.signTransaction({
        chainId: CHAIN_ID,
        nonce: 0,
        to: BOB,
        value: 5n,
        gas: 21_000n,
        maxFeePerGas: 1n,
        maxPriorityFeePerGas: 1n,
      });
      const call = (method: string, params: unknown[]) =>
        rpcPost(srv.url, { jsonrpc: '2.0', id: 1, method, params }) as Promise<{ result?: unknown }>;
      const hash = (await call('eth_sendRawTransaction', [tx])).result as Hex;
      expect(slow.receipt(hash)?.status).toBe('pending');
      // asked at once, answered once the block is stored (not null)
      const receipt = (await call('eth_getTransactionReceipt', [hash])).result as { status: Hex; to: Hex };
      expect(receipt).toMatchObject({ status: '0x1', to: BOB });
      // an unknown hash does not wait and stays null
      expect((await call('eth_getTransactionReceipt', [`0x${'ab'.repeat(32)}`])).result).toBeNull();
    } finally {
      await srv.close();
      await slow.close();
      rmSync(d, { recursive: true, force: true });
    }
  }, 60_000);
});
