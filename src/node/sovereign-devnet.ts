/**
 * The sovereign devnet (docs/sovereign.md §8; `modex devnet --config examples/sovereign.config.json`):
 * L1 (embedded anvil or --rpc) holding only the chain's inbox, a batch poster (the sequencer's
 * place: it stores each batch through the DA module and appends it through the sovereign
 * settlement module), two full nodes that derive the chain from L1 and DA exactly as validators do
 * (Derivation over an AppChain) and serve their headers and witnesses on JSON-RPC, and a light
 * client that follows both over HTTP and reads the inputs' accumulators from L1.
 *
 * `scenario: 'fraud'`: full-node-2 announces a wrong state root from block LIE_BLOCK on; the light
 * client sees the disagreement, takes the witnesses, re-executes the block and rejects the lie:
 * result `honest-won`. `demo`: result `confirmed` once the light client accepted the chain's head.
 */

import { appLimitsOf, appSourceOf, loadApp } from '../apps/sdk/app-runtime.ts';
import { batchTransactionsFor } from '../apps/workloads.ts';
import type { ChainConfig } from '../config/types.ts';
import { ModexError } from '../core/errors.ts';
import type { L1 } from '../l1/anvil.ts';
import { openL1 } from '../l1/anvil.ts';
import { createModule } from '../modules.ts';
import { deployInbox, InboxClient } from '../settlement/ethereum/inbox.ts';
import { encodeTxList } from '../settlement/ethereum/message.ts';
import { inboxRecordOf } from '../settlement/ethereum/settlement-module.ts';
import { LightClient, type LightClientEvent, type PeerReport } from '../settlement/sovereign/light-client.ts';
import { RpcPeer } from '../settlement/sovereign/peer.ts';
import type { SovereignInbox } from '../settlement/sovereign/settlement-module.ts';
import { AppChain } from './app-chain.ts';
import { daForConfig } from './da-modules.ts';
import { Derivation } from './derivation.ts';
import { FollowerRpc } from './follower-rpc.ts';
import { type RpcServer, startRpcServer } from './rpc.ts';
import { type SovereignBehaviour, SovereignFullNode, sovereignMethods } from './sovereign-node.ts';

/** the block full-node-2 lies from in the fraud scenario */
export const LIE_BLOCK = 2;
/** batches the workload posts */
export const SOVEREIGN_BATCHES = 5;

export type SovereignResult = 'confirmed' | 'honest-won' | 'timeout' | 'stopped';

export interface SovereignDevnetResult {
  result: SovereignResult;
  scenario: 'demo' | 'fraud';
  settlement: 'sovereign';
  l2_blocks: number;
  batches: number;
  light_client: { head: number | null; proofs_checked: number; proof_ms: number[] };
  peers: (PeerReport & { role: string })[];
  elapsed_s: number;
}

export interface SovereignDevnetOptions {
  config: ChainConfig;
  rpc?: string;
  scenario: 'demo' | 'fraud';
  untilConfirmed: boolean;
  timeoutMs: number;
  /** how witnesses are executed by the light client */
  engine?: 'native' | 'interp';
  log: (line: string) => void;
}

export class SovereignDevnetError extends ModexError {
  constructor(message: string) {
    super('SOVEREIGN_DEVNET', message);
  }
}

/** The inbox as the sovereign settlement module needs it (docs/sovereign.md §1). */
function inboxPort(inbox: InboxClient, l1: L1): SovereignInbox {
  return {
    postBatch: async (posting, opts) => {
      const r = await inbox.postBatch(posting.payload, {
        kind: posting.kind,
        delayedRead: opts.delayedRead,
        sequenceNumber: opts.sequenceNumber,
      });
      return {
        txHash: r.txHash,
        blockNumber: r.blockNumber,
        position: r.position,
        sequenceNumber: r.sequenceNumber,
      };
    },
    sendDelayedMessage: async (txList) => {
      const r = await inbox.sendMessage(txList);
      return { txHash: r.txHash, blockNumber: r.blockNumber, index: r.index };
    },
    readInbox: async (from, to) => (await inbox.readMessages(from, to)).map(inboxRecordOf),
    inboxLength: () => inbox.messageCount(),
    accumulator: (n) => inbox.accumulator(n),
    now: async () => {
      const b = await l1.publicClient.getBlock();
      return { timestamp: b.timestamp, blockNumber: b.number };
    },
  };
}

interface FullNode {
  role: string;
  derivation: Derivation;
  node: SovereignFullNode;
  server: RpcServer;
}

export class SovereignDevnet {
  private stopped = false;

  constructor(private readonly o: SovereignDevnetOptions) {
    if (o.config.settlement.module !== 'sovereign')
      throw new SovereignDevnetError(
        `the sovereign devnet runs settlement.module "sovereign", not "${o.config.settlement.module}"`,
      );
    if (o.config.da.module !== 'l1-calldata')
      throw new SovereignDevnetError(
        `the sovereign devnet posts batches as L1 calldata; set da.module "l1-calldata" (got "${o.config.da.module}")`,
      );
  }

  stop(): void {
    this.stopped = true;
  }

  async run(): Promise<SovereignDevnetResult> {
    const { config, log } = this.o;
    const t0 = Date.now();
    const l1 = await openL1(this.o.rpc ?? config.settlement.rpcUrl ?? 'embedded');
    const nodes: FullNode[] = [];
    try {
      log(`L1: ${l1.rpcUrl}${l1.embedded ? ' (embedded anvil)' : ''}, chain id ${l1.chainId}`);
      const d = await deployInbox(l1, {
        sequencer: l1.accounts[0].address,
        maxDelaySeconds: config.sequencing.maxDelaySeconds,
      });
      log(`Inbox deployed at ${d.address} (the only contract of a sovereign chain: no rollup, no bridge)`);
      const attach = () => InboxClient.attach(l1, d.address, { fromBlock: d.deployBlock });
      const settlement = createModule('settlement', 'sovereign', {
        config,
        inbox: inboxPort(await attach(), l1),
      });
      const source = appSourceOf(config.vm);
      const chainId = BigInt(config.chain.chainId);
      const limits = appLimitsOf(config.vm.limits);
      const behaviours: [string, SovereignBehaviour][] = [
        ['full-node-1', {}],
        ['full-node-2', this.o.scenario === 'fraud' ? { lieFrom: LIE_BLOCK } : {}],
      ];
      for (const [role, behaviour] of behaviours) {
        const inbox = await attach();
        const chain = new AppChain({ app: loadApp(source.bytes, source.name, { limits }), chainId });
        const rpc = new FollowerRpc({ chain });
        const da = daForConfig(config, {
          rpcUrl: l1.rpcUrl,
          rpc: inbox.publicClient,
          publicClient: inbox.publicClient,
        });
        const derivation = new Derivation({ inbox, executor: rpc.executor, da });
        rpc.attach(derivation);
        const node = new SovereignFullNode(chain, behaviour);
        const server = await startRpcServer(rpc, { port: 0, methods: sovereignMethods(node) });
        nodes.push({ role, derivation, node, server });
        log(
          `${role}: derives from L1, serves headers and proofs at ${server.url}${behaviour.lieFrom !== undefined ? ` (lies from block ${behaviour.lieFrom})` : ''}`,
        );
      }
      const roleOf = new Map(nodes.map((n) => [n.server.url, n.role]));
      const lcInbox = await attach();
      const lcApp = loadApp(source.bytes, source.name, { limits });
      const lc = new LightClient({
        app: lcApp,
        genesis: lcApp.genesis(chainId),
        l1: { accumulator: (n) => lcInbox.accumulator(n) },
        peers: nodes.map((n) => new RpcPeer(n.server.url)),
        engine: this.o.engine,
        onEvent: (e) => log(`light client: ${describeEvent(e, roleOf)}`),
      });

      // the workload: batches stored through the DA module and appended through the settlement module
      const da = daForConfig(config, {
        rpcUrl: l1.rpcUrl,
        rpc: l1.publicClient,
        publicClient: l1.publicClient,
      });
      const user = l1.accounts[2].account;
      // a built-in app with batch transactions (kv: signed writes) gets them; any other app empty
      // batches (each still a block)
      const batchTxs = await batchTransactionsFor(config.vm.app);
      let batches = 0;
      for (let i = 0; i < SOVEREIGN_BATCHES; i++) {
        const txs = batchTxs ? await batchTxs(i, user, chainId) : [];
        const stored = await da.store(encodeTxList(txs));
        const r = await settlement.postBatch(da.posting(stored), { delayedRead: 0n });
        batches++;
        log(
          `batch ${r.sequenceNumber} posted at inbox position ${r.position} (${txs.length} txs, L1 block ${r.blockNumber})`,
        );
      }
      const lastBlock = batches - 1;
      const deadline = t0 + this.o.timeoutMs;
      let result: SovereignResult = 'stopped';
      const liar = nodes.find((n) => n.node.behaviour.lieFrom !== undefined);
      for (;;) {
        if (this.stopped) break;
        if (Date.now() > deadline) {
          result = 'timeout';
          break;
        }
        for (const n of nodes) await n.derivation.poll();
        await lc.sync();
        const reports = lc.peerReports();
        const atHead = lc.head?.number === lastBlock;
        if (this.o.untilConfirmed && atHead) {
          if (!liar && reports.every((p) => p.honest)) {
            result = 'confirmed';
            break;
          }
          const caught = liar && reports.find((p) => p.name === liar.server.url);
          if (caught && !caught.honest && caught.reason === 'wrong-root') {
            result = 'honest-won';
            break;
          }
        }
        await new Promise((r) => setTimeout(r, 300));
      }
      return {
        result,
        scenario: this.o.scenario,
        settlement: 'sovereign',
        l2_blocks: Math.max(...nodes.map((n) => n.node.length)),
        batches,
        light_client: {
          head: lc.head?.number ?? null,
          proofs_checked: lc.proofTimes.length,
          proof_ms: lc.proofTimes.map((p) => Math.round(p.ms * 10) / 10),
        },
        peers: lc.peerReports().map((p) => ({ role: roleOf.get(p.name) ?? p.name, ...p })),
        elapsed_s: (Date.now() - t0) / 1000,
      };
    } finally {
      await Promise.all(nodes.map((n) => n.server.close().catch(() => {})));
      await l1.stop();
    }
  }
}

function describeEvent(e: LightClientEvent, roleOf: Map<string, string>): string {
  const who = (u: string) => roleOf.get(u) ?? u;
  switch (e.kind) {
    case 'accepted':
      return `accepted block ${e.number} (state root ${e.stateRoot.slice(0, 10)}…, by ${e.by})`;
    case 'disagreement':
      return `peers disagree on block ${e.number}: ${e.roots.map((r) => `${who(r.peer)} ${r.stateRoot.slice(0, 10)}…`).join(', ')}; asking for proofs`;
    case 'proof':
      return `${who(e.peer)}'s proof of block ${e.number} ${e.ok ? `re-executed in ${e.ms.toFixed(1)} ms` : `refused: ${e.error}`}`;
    case 'dishonest':
      return `${who(e.peer)} is dishonest (${e.reason} at block ${e.number}): ${e.detail}`;
    case 'unreachable':
      return `${who(e.peer)} unreachable: ${e.detail}`;
  }
}
