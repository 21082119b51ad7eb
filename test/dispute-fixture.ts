import type { L1 } from '../src/l1/anvil.ts';
import { DisputeAgent } from '../src/proof/fraud/challenger.ts';
import { type Claim, type ExecutionContext, moduleFieldsHex } from '../src/proof/fraud/claim.ts';
import {
  connectSettlement,
  type DisputeParams,
  deploySettlement,
  type SettlementDeployment,
} from '../src/settlement/ethereum/deploy-settlement.ts';
import { type AssertionData, genesisAssertion, toSolState } from '../src/settlement/ethereum/dispute-hash.ts';
import { walletFor } from '../src/settlement/ethereum/inbox.ts';
import type { Program } from '../src/vm/wasm/lower.ts';
import type { GlobalState, HostData } from '../src/vm/wasm/machine.ts';

export interface DisputeFixture {
  l1: L1;
  settlement: SettlementDeployment;
  ctx: ExecutionContext;
  genesis: GlobalState;
  genesisData: AssertionData;
  /** the inbox messages posted so far, by position */
  messages: Uint8Array[];
  /** posts a batch (kind 0x00) from the sequencer, after any pending delayed messages; returns its message bytes */
  postBatch(payload: Uint8Array): Promise<Uint8Array>;
  /** an agent signing with dev account `accountIndex` */
  agent(
    name: string,
    accountIndex: number,
    claim: Claim,
    prev: AssertionData,
    log?: (l: string) => void,
  ): DisputeAgent;
  /** moves L1 time forward by `seconds` and mines a block */
  elapse(seconds: number): Promise<void>;
}

export async function setupDisputeFixture(
  l1: L1,
  opts: {
    prog: Program;
    params: DisputeParams;
    genesis: GlobalState;
    /** preimages for the STF (the state it reads); inbox messages are added by the fixture */
    preimages?: Pick<HostData, 'preimage' | 'onPreimageHint'>;
  },
): Promise<DisputeFixture> {
  const settlement = await deploySettlement(l1, {
    sequencer: l1.accounts[0].address,
    maxDelaySeconds: 3600,
    moduleFields: moduleFieldsHex(opts.prog),
    genesis: toSolState(opts.genesis),
    params: opts.params,
  });
  const messages: Uint8Array[] = [];
  const host: HostData = {
    inboxMessage: (p) => messages[Number(p)],
    preimage: (kind, hash) => opts.preimages?.preimage(kind, hash),
    onPreimageHint: opts.preimages?.onPreimageHint,
  };
  const ctx: ExecutionContext = { prog: opts.prog, heights: opts.params.heights, host };
  return {
    l1,
    settlement,
    ctx,
    genesis: opts.genesis,
    genesisData: genesisAssertion(toSolState(opts.genesis)),
    messages,
    async postBatch(payload) {
      const r = await settlement.inbox.postBatch(payload);
      for (const e of await settlement.inbox.readMessages(BigInt(messages.length), r.position + 1n)) {
        messages.push(e.data);
      }
      return messages[messages.length - 1];
    },
    agent(name, accountIndex, claim, prev, log) {
      return new DisputeAgent({
        name,
        ...connectSettlement(settlement, walletFor(l1, l1.accounts[accountIndex].account)),
        claim,
        prev,
        log,
      });
    },
    async elapse(seconds) {
      await l1.testClient.increaseTime({ seconds });
      await l1.testClient.mine({ blocks: 1 });
    },
  };
}

/** Advances every agent in turn, moving time by `step` seconds per round, until `done()` or `maxRounds`. */
export async function playUntil(
  f: DisputeFixture,
  agents: DisputeAgent[],
  done: () => Promise<boolean>,
  opts: { step?: number; maxRounds?: number } = {},
): Promise<number> {
  const maxRounds = opts.maxRounds ?? 200;
  for (let round = 0; round < maxRounds; round++) {
    for (const a of agents) await a.advance();
    if (await done()) return round + 1;
    await f.elapse(opts.step ?? 10);
  }
  throw new Error(`the dispute did not end within ${maxRounds} rounds`);
}
