/**
 * The `sovereign` settlement (`settlement.module: "sovereign"`, docs/sovereign.md §1): on L1 only
 * the chain's inbox — an append-only log with its accumulator, no state checking — and no rollup,
 * challenge manager, prover or bridge. The module is the core `Settlement` over that inbox, which
 * the node attaches (the inbox contract and its client are the ethereum settlement's, reached
 * through the context so that this folder imports no other module): batches and delayed messages
 * go in, derivation reads them out, and the chain's state is decided by its own nodes, never on L1
 * (`latestConfirmed` refuses, `assertionStatus` knows none).
 */
import type { ChainConfig } from '../../config/types.ts';
import { ModexError } from '../../core/errors.ts';
import type { ModuleDefinition } from '../../core/module.ts';
import type { Settlement } from '../../core/settlement.ts';
import type { AssertionStatus, Hash32 } from '../../core/types.ts';

/** What the sovereign settlement needs of L1: the chain's inbox (docs/inbox.md), attached by the node. */
export type SovereignInbox = Pick<
  Settlement,
  'postBatch' | 'sendDelayedMessage' | 'readInbox' | 'inboxLength' | 'accumulator' | 'now'
>;

export interface SovereignSettlementContext {
  config: Pick<ChainConfig, 'settlement'>;
  /** the chain's inbox on L1 */
  inbox: SovereignInbox;
}

/** What a sovereign chain does not have: settlement contracts, assertions, a bridge. */
export class SovereignUnsupportedError extends ModexError {
  constructor(what: string) {
    super('SOVEREIGN_UNSUPPORTED', `${what} (docs/sovereign.md §1, §2)`);
  }
}

export class SovereignSettlement implements Settlement {
  readonly name = 'sovereign' as const;
  readonly hasBridge = false;
  readonly postBatch: SovereignInbox['postBatch'];
  readonly sendDelayedMessage: SovereignInbox['sendDelayedMessage'];
  readonly readInbox: SovereignInbox['readInbox'];
  readonly inboxLength: SovereignInbox['inboxLength'];
  readonly accumulator: SovereignInbox['accumulator'];
  readonly now: SovereignInbox['now'];

  constructor(inbox: SovereignInbox) {
    this.postBatch = (p, o) => inbox.postBatch(p, o);
    this.sendDelayedMessage = (t) => inbox.sendDelayedMessage(t);
    this.readInbox = (f, t) => inbox.readInbox(f, t);
    this.inboxLength = () => inbox.inboxLength();
    this.accumulator = (n) => inbox.accumulator(n);
    this.now = () => inbox.now();
  }

  async latestConfirmed(): Promise<Hash32> {
    throw new SovereignUnsupportedError('a sovereign chain confirms nothing on L1: it has no assertions');
  }

  async assertionStatus(): Promise<AssertionStatus | undefined> {
    return undefined;
  }

  /** The node's contract clients: a sovereign chain has none beyond its inbox. */
  async contracts(): Promise<never> {
    throw new SovereignUnsupportedError(
      'a sovereign chain has no settlement contracts (rollup, challenge manager, bridge); run it with `modex devnet --config FILE` (its full nodes and light client), not with the ethereum roles of `modex node`',
    );
  }
}

export const sovereignSettlementModule = {
  layer: 'settlement',
  name: 'sovereign',
  status: 'implemented',
  summary:
    'an inbox on L1 and nothing else: no settlement contracts, no bridge; light clients take fraud proofs',
  check: () => [],
  create: (ctx: SovereignSettlementContext) => {
    if (!ctx?.inbox)
      throw new SovereignUnsupportedError(
        'the sovereign settlement is created over its inbox alone; the ethereum roles (`modex node`) cannot run a sovereign chain: use `modex devnet --config FILE`',
      );
    return new SovereignSettlement(ctx.inbox);
  },
} as const satisfies ModuleDefinition<
  'settlement',
  ChainConfig,
  SovereignSettlementContext,
  SovereignSettlement
>;
