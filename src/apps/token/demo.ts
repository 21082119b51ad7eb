/**
 * The token app's devnet workload (src/apps/workloads.ts): once the bridge deposit is on L2, signed
 * transfers and a withdrawal over the sequencer's JSON-RPC (the modex client); the devnet then pays
 * the withdrawal on L1 once its send root is confirmed.
 */
import { createModexClient } from '../../client/client.ts';
import type { AppWorkload } from '../workloads.ts';
import { getBalance, transfer, withdraw } from './actions.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const tokenDemo: AppWorkload = {
  description: 'transfers and a withdrawal paid on L1',
  async run({ rpcUrl, account, deposited, log, stopped }) {
    const client = createModexClient({ url: rpcUrl, pollingInterval: 200 });
    // the deposit is the user's balance once the sequencer included it
    while (!stopped() && (await getBalance(client, { address: account.address })) < deposited)
      await sleep(200);
    const n = 20;
    let nonce = await client.getNonce({ address: account.address, blockTag: 'pending' });
    for (let i = 0; i < n; i++) {
      const to = `0x${(0x1000 + i).toString(16).padStart(40, '0')}` as const;
      await transfer(client, { account, to, amount: 10n ** 15n, nonce: nonce++ });
    }
    const c = await withdraw(client, { account, to: account.address, amount: 10n ** 17n, nonce: nonce++ });
    log(`      workload: ${n} transfers and a withdrawal soft-confirmed (withdrawal in block ${c.block})`);
    const r = await client.waitForTransactionReceipt({ hash: c.hash, timeout: 600_000 });
    if (r.status !== 'ok') throw new Error(`the withdrawal's receipt is ${r.status}`);
    const ws = await client.getWithdrawals({ block: r.block });
    const mine = ws.filter((w) => w.from.toLowerCase() === account.address.toLowerCase());
    const w = mine[mine.length - 1];
    if (!w) throw new Error('the withdrawal is not in the state after its block');
    log(
      `      workload: withdrawal ${w.index} executed on L2; waiting for its send root to be confirmed on L1`,
    );
    return { withdrawal: w.index };
  },
};
