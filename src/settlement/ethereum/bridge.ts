/**
 * viem bindings of the ETH bridge (contracts/settlement/Bridge.sol, docs/inbox.md §7): deployment
 * and wiring to the inbox, deposits (kind 0x01 delayed messages) and withdrawals against confirmed
 * send roots (the outbox tree of docs/stf.md, built with src/apps/token/client.ts).
 */
import { type Abi, type Address, bytesToHex, type Hex, parseEventLogs } from 'viem';
import type { Withdrawal } from '../../core/app.ts';
import type { L1, L1WalletClient } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { toSettlementError } from './errors.ts';
import {
  deployInbox,
  type InboxDeployment,
  inboxAbi,
  type L1Clients,
  readContractTx,
  sendContractTx,
  type TxResult,
} from './inbox.ts';

export type { Withdrawal };

export interface BridgeDeployment {
  address: Address;
  deployBlock: bigint;
}

let abiCache: Promise<Abi> | undefined;
/** The bridge ABI plus the inbox's errors (an inbox revert during a deposit decodes too). */
export function bridgeAbi(): Promise<Abi> {
  abiCache ??= (async () => {
    const [bridge, inbox] = await Promise.all([getArtifact('Bridge').then((a) => a.abi), inboxAbi()]);
    const names = new Set(bridge.filter((x) => x.type === 'error').map((x) => (x as { name: string }).name));
    const inboxErrors = inbox.filter((x) => x.type === 'error' && !names.has((x as { name: string }).name));
    return [...bridge, ...inboxErrors] as Abi;
  })();
  return abiCache;
}

/**
 * Deploys Bridge(inbox, sendRoots) and, unless `initializeInbox` is false, registers it with
 * `inbox.initializeBridge` (sent by `from`, which must then be the inbox's deployer).
 */
export async function deployBridge(
  l1: L1,
  p: { inbox: Address; sendRoots: Address; initializeInbox?: boolean },
  opts: { from?: L1WalletClient } = {},
): Promise<BridgeDeployment> {
  const artifact = await getArtifact('Bridge');
  let d: Awaited<ReturnType<typeof deploy>>;
  try {
    d = await deploy(l1, artifact, [p.inbox, p.sendRoots], opts);
  } catch (e) {
    throw toSettlementError(e, 'Bridge', 'deploying Bridge', artifact.abi);
  }
  if (p.initializeInbox ?? true) {
    await sendContractTx(
      { publicClient: l1.publicClient, walletClient: opts.from ?? l1.walletClient },
      'Inbox',
      {
        address: p.inbox,
        abi: await inboxAbi(),
        functionName: 'initializeBridge',
        args: [d.address],
      },
    );
  }
  return { address: d.address, deployBlock: d.receipt.blockNumber };
}

/** Inbox then bridge, wired together (both deployed by `from`). */
export async function deploySettlementInbox(
  l1: L1,
  p: { sequencer: Address; maxDelaySeconds: bigint | number; sendRoots: Address },
  opts: { from?: L1WalletClient } = {},
): Promise<{ inbox: InboxDeployment; bridge: BridgeDeployment }> {
  const inbox = await deployInbox(l1, p, opts);
  const bridge = await deployBridge(l1, { inbox: inbox.address, sendRoots: p.sendRoots }, opts);
  return { inbox, bridge };
}

const hex32 = (b: Uint8Array | Hex): Hex => (typeof b === 'string' ? b : bytesToHex(b));

/** Client of one deployed bridge. Writes are signed by `walletClient` (see `connect`). */
export class BridgeClient {
  readonly address: Address;
  readonly abi: Abi;
  private readonly c: L1Clients;

  private constructor(c: L1Clients, address: Address, abi: Abi) {
    this.c = c;
    this.address = address;
    this.abi = abi;
  }

  static async attach(l1: L1Clients, address: Address, opts: { wallet?: L1WalletClient } = {}) {
    const c = opts.wallet ? { publicClient: l1.publicClient, walletClient: opts.wallet } : l1;
    return new BridgeClient(c, address, await bridgeAbi());
  }

  /** The same bridge, with writes signed by `wallet`. */
  connect(wallet: L1WalletClient): BridgeClient {
    return new BridgeClient(
      { publicClient: this.c.publicClient, walletClient: wallet },
      this.address,
      this.abi,
    );
  }

  private read<T>(functionName: string, args: readonly unknown[] = []): Promise<T> {
    return readContractTx(this.c, 'Bridge', { address: this.address, abi: this.abi, functionName, args });
  }

  inbox = (): Promise<Address> => this.read('inbox');
  sendRoots = (): Promise<Address> => this.read('sendRoots');
  /** §7.2: whether withdrawal `index` was executed */
  withdrawalSpent = (index: bigint): Promise<boolean> => this.read('withdrawalSpent', [index]);
  /** the ETH the bridge holds */
  balance = (): Promise<bigint> => this.c.publicClient.getBalance({ address: this.address });

  /** §7.1: locks `amount` wei and queues the deposit `0x01 ‖ l2To ‖ amount`; returns its delayed index. */
  async depositEth(l2To: Address, amount: bigint): Promise<TxResult & { delayedIndex: bigint }> {
    const r = await sendContractTx(this.c, 'Bridge', {
      address: this.address,
      abi: this.abi,
      functionName: 'depositEth',
      args: [l2To],
      value: amount,
    });
    const [ev] = parseEventLogs({ abi: this.abi, logs: r.receipt.logs, eventName: 'DepositInitiated' });
    return { ...r, delayedIndex: (ev as unknown as { args: { delayedIndex: bigint } }).args.delayedIndex };
  }

  /**
   * §7.2: pays withdrawal `w` to `w.to`, proven by `proof` (32 siblings, leaf level first: `outboxProof`)
   * against `sendRoot`, which the rollup must have confirmed. Anyone may send it.
   */
  executeWithdrawal(
    w: Withdrawal,
    sendRoot: Uint8Array | Hex,
    proof: (Uint8Array | Hex)[],
  ): Promise<TxResult> {
    return sendContractTx(this.c, 'Bridge', {
      address: this.address,
      abi: this.abi,
      functionName: 'executeWithdrawal',
      args: [w.index, w.from, w.to, w.amount, hex32(sendRoot), proof.map(hex32)],
    });
  }
}
