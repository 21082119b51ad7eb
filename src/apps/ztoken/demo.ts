/**
 * The ztoken app's devnet workload (src/apps/workloads.ts; docs/validity.md §6): opens two
 * accounts, deposits to the first through the L1 bridge (to its address, §2.2), sends transfers
 * between them and a withdrawal to the user's L1 address, all EdDSA-Poseidon-signed, over the
 * sequencer's JSON-RPC (the modex client). The devnet pays the withdrawal on L1 once a proof
 * confirms its send root.
 */
import { bytesToHex, type Hex, keccak256 } from 'viem';
import { createModexClient } from '../../client/client.ts';
import type { AppWorkload } from '../workloads.ts';
import { zkCrypto } from './crypto.ts';
import { accountAddress, encodeTx, readBE, signTx, ZOP, type ZTx } from './tx.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** transfers the workload sends (each a record of the proofs) */
export const ZTOKEN_DEMO_TRANSFERS = 3;

export const ztokenDemo: AppWorkload = {
  description: `two accounts opened, a bridge deposit, ${ZTOKEN_DEMO_TRANSFERS} transfers and a withdrawal paid on L1`,
  async run({ rpcUrl, account, deposited, log, stopped, deposit, sent }) {
    if (!deposit)
      throw new Error('the ztoken workload deposits to an account address: the devnet must pass `deposit`');
    const z = await zkCrypto();
    const client = createModexClient({ url: rpcUrl, pollingInterval: 200 });
    const chainId = BigInt(await client.getChainId());
    // EdDSA keys derived from the user's L1 key (a devnet convenience, not a key-derivation scheme)
    const user = (i: number) => {
      const prv = Buffer.from(keccak256(`${account.address}${i}` as Hex).slice(2), 'hex');
      return { prv: new Uint8Array(prv), key: z.publicKey(prv), index: i };
    };
    const alice = user(1);
    const bob = user(2);
    const send = async (u: typeof alice, tx: ZTx) => {
      const c = await client.sendRawTransaction({ serializedTransaction: encodeTx(signTx(z, u.prv, tx)) });
      sent(c.hash);
      return c;
    };
    const settled = async (hash: Hex) => {
      const r = await client.waitForTransactionReceipt({ hash, timeout: 600_000 });
      if (r.status !== 'ok') throw new Error(`ztoken workload: transaction ${hash} got receipt ${r.status}`);
      return r;
    };
    const balance = async (index: number): Promise<bigint> => {
      const q = await client.query({ data: Uint8Array.of(0x10, index >> 8, index & 0xff) });
      if (q.status !== 'ok') throw new Error(`ztoken workload: account query ${q.status}`);
      const leaf = Buffer.from(q.result.slice(2), 'hex');
      return readBE(leaf, 64, 16);
    };
    for (const u of [alice, bob])
      await settled((await send(u, { op: ZOP.open, chainId, nonce: 0n, index: u.index, key: u.key })).hash);
    log(`      workload: accounts ${alice.index} and ${bob.index} opened (EdDSA-Poseidon keys)`);
    const to = bytesToHex(accountAddress(z, alice.index, alice.key));
    await deposit(to, deposited);
    while (!stopped() && (await balance(alice.index)) < deposited) await sleep(200);
    log(`      workload: the L1 deposit reached account ${alice.index} (address ${to})`);
    let nonce = 1n;
    for (let i = 0; i < ZTOKEN_DEMO_TRANSFERS; i++)
      await send(alice, {
        op: ZOP.transfer,
        chainId,
        nonce: nonce++,
        from: alice.index,
        to: bob.index,
        amount: 10n ** 15n,
      });
    const w = await send(alice, {
      op: ZOP.withdraw,
      chainId,
      nonce: nonce++,
      from: alice.index,
      to: BigInt(account.address),
      amount: deposited / 10n,
    });
    const r = await settled(w.hash);
    const ws = await client.getWithdrawals({ block: r.block });
    const mine = ws.filter((x) => x.to.toLowerCase() === account.address.toLowerCase());
    const last = mine[mine.length - 1];
    if (!last) throw new Error('ztoken workload: the withdrawal is not in the state after its block');
    log(
      `      workload: ${ZTOKEN_DEMO_TRANSFERS} transfers and withdrawal ${last.index} executed on L2; waiting for a proof to confirm its send root`,
    );
    return { withdrawal: last.index };
  },
};
