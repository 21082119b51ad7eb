/**
 * The explorer served by every node's JSON-RPC port (docs/explorer.md): the page at `GET /` and
 * the JSON-RPC methods it polls, which read the chain's L1 contracts through the settlement clients
 * the node already has. `startRpcServer(backend, { methods: x.methods, get: x.serve })`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChainConfig } from '../config/types.ts';
import type { EthereumContracts } from '../settlement/ethereum/settlement-module.ts';
import { serveExplorer } from './assets.ts';
import { CommitteeHealth } from './committee.ts';
import { L1Events } from './l1-events.ts';
import { type ExplorerMethod, explorerMethods } from './methods.ts';
import { ExplorerViews } from './views.ts';

export interface ExplorerOptions {
  /** the chain's contracts' clients (`attachChain`): only their reads are used */
  contracts: Pick<
    EthereumContracts,
    'inbox' | 'rollup' | 'challenges' | 'oracle' | 'bridge' | 'deployBlock' | 'params'
  >;
  config: Pick<ChainConfig, 'da' | 'proof' | 'chain'>;
  /** requests within this many ms of the last L1 read share it (default 400) */
  syncIntervalMs?: number;
}

export interface Explorer {
  /** the explorer's JSON-RPC methods (methods.ts) */
  methods: Record<string, ExplorerMethod>;
  /** answers `GET /` and `/explorer/…`; false for any other request */
  serve: (req: IncomingMessage, res: ServerResponse) => boolean;
  views: ExplorerViews;
}

export function createExplorer(o: ExplorerOptions): Explorer {
  const c = o.contracts;
  const publicClient = c.inbox.publicClient;
  const l1 = new L1Events({
    publicClient,
    contracts: {
      inbox: { address: c.inbox.address, abi: c.inbox.abi },
      rollup: { address: c.rollup.address, abi: c.rollup.abi },
      challenges: { address: c.challenges.address, abi: c.challenges.abi },
    },
    deployBlock: c.deployBlock,
    minIntervalMs: o.syncIntervalMs,
  });
  let maxDelay: Promise<bigint> | undefined;
  const maxDelaySeconds = () => {
    maxDelay ??= c.inbox.maxDelaySeconds();
    maxDelay.catch(() => {
      maxDelay = undefined;
    });
    return maxDelay;
  };
  let fixed: Promise<Record<string, unknown>> | undefined;
  const settlement = () => {
    fixed ??= (async () => {
      const [chainId, sequencer, delay] = await Promise.all([
        publicClient.getChainId(),
        c.inbox.sequencer(),
        maxDelaySeconds(),
      ]);
      return {
        l1ChainId: chainId,
        chainId: String(o.config.chain.chainId),
        sequencer: sequencer.toLowerCase(),
        contracts: {
          inbox: c.inbox.address,
          rollup: c.rollup.address,
          challengeManager: c.challenges.address,
          oracle: c.oracle.address,
          bridge: c.bridge.address,
        },
        deployBlock: Number(c.deployBlock),
        modules: { da: o.config.da.module, proof: o.config.proof.module },
        params: {
          heights: c.params.heights,
          challengePeriod: Number(c.params.challengePeriod),
          assertionBond: c.params.assertionBond.toString(),
          edgeBond: c.params.edgeBond.toString(),
          maxDelaySeconds: Number(delay),
        },
      };
    })();
    fixed.catch(() => {
      fixed = undefined;
    });
    return fixed;
  };
  const views = new ExplorerViews(l1, {
    inbox: { address: c.inbox.address, abi: c.inbox.abi },
    params: c.params,
    daModule: o.config.da.module,
    maxDelaySeconds,
  });
  return {
    methods: explorerMethods({ views, committee: new CommitteeHealth(o.config.da), settlement }),
    serve: serveExplorer,
    views,
  };
}
