/**
 * `modex deploy` and `modex node` for a zk-rollup (docs/validity.md §6; issue 17), slow: the deploy
 * sets up the ztoken circuit's keys (cached by content hash in node_modules/.cache/modex-zk; the
 * first run compiles the circuit and makes INSECURE development keys, minutes), then a sequencer and
 * a prover run as separate processes against one anvil; ztoken transactions are sent, and the prover
 * proves their ranges and confirms assertions with Groth16 proofs (no challenge period: nothing else
 * can confirm them). The refusals are cheap: a prover on a fraud chain, a validator on a zk-rollup.
 * On a hybrid chain (proof.disputes "validity", docs/validity.md §6.3) a liar posts a wrong assertion
 * and someone an honest one, both straight through RollupClient; the prover process challenges the
 * wrong one only, proves and confirms the honest one, and rejects the wrong one once its prove window
 * (20 s) is over: the liar's stake goes to the prover.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Hex, numberToHex, parseEventLogs } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrape } from '../../../test/prometheus.ts';
import { workloadFor } from '../../apps/workloads.ts';
import { loadConfig } from '../../config/load.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { honestAssertion } from '../../node/attester.ts';
import {
  appOfDeployment,
  attachChain,
  NO_CONFIRMATION_BY_TIME,
  readDeploymentFile,
  startValidatorRole,
} from '../../node/roles.ts';
import { walletFor } from '../../settlement/ethereum/inbox.ts';
import { runCli } from '../run-cli.test-helper.ts';

const CONFIG = 'examples/validity.config.json';

let l1: L1;
let dir: string;
beforeAll(async () => {
  l1 = await startAnvil();
  dir = mkdtempSync(join(tmpdir(), 'modex-node-validity-'));
});
afterAll(async () => {
  await l1?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function deploy(name: string, config: string[]): Promise<string> {
  const out = join(dir, `${name}.json`);
  const r = await runCli([
    'deploy',
    ...config,
    '--rpc',
    l1.rpcUrl,
    '--key',
    l1.accounts[0].privateKey,
    '--out',
    out,
  ]).done;
  expect(r.code, r.stderr.slice(-2000)).toBe(0);
  return out;
}

/** `modex node` that must refuse to start: its exit code and stderr */
async function refused(args: string[]): Promise<string> {
  const r = await runCli(['node', ...args, '--rpc', l1.rpcUrl, '--key', l1.accounts[1].privateKey]).done;
  expect(r.code).toBe(1);
  return r.stderr;
}

/** the ztoken workload over the sequencer's JSON-RPC: 2 opens, a bridge deposit, 3 transfers, a withdrawal */
async function runWorkload(url: string, deployment: string): Promise<void> {
  const user = l1.accounts[3].account as PrivateKeyAccount;
  const chain = await attachChain(
    { publicClient: l1.publicClient, walletClient: walletFor(l1, user) },
    readDeploymentFile(deployment),
  );
  await (await workloadFor('ztoken'))?.run({
    rpcUrl: url,
    account: user,
    deposited: 10n ** 18n,
    log: () => {},
    sent: () => {},
    stopped: () => false,
    deposit: async (to, amount) => {
      await chain.bridge.depositEth(to, amount);
    },
  });
}

describe('modex deploy and modex node, zk-rollup (slow)', () => {
  let zk: string;
  let hybrid: string;
  it('deploy sets up the circuit keys and the ValidityVerifier and writes them in the deployment file', {
    timeout: 900_000,
  }, async () => {
    zk = await deploy('zk', ['--config', CONFIG]);
    const d = readDeploymentFile(zk);
    expect(d.validity).toMatchObject({ mode: 'zk-rollup', app: 'ztoken', chunkSize: 2, insecure: true });
    expect(d.addresses.attestationVerifier).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(BigInt(d.params.challengePeriod)).toBe(NO_CONFIRMATION_BY_TIME);
  });

  it('refuses a validator on a zk-rollup, a prover on a fraud chain, and a config that is not the deployment’s', async () => {
    expect(zk).toBeDefined();
    expect(await refused(['--role', 'validator', '--config', CONFIG, '--deployment', zk])).toMatch(
      /error \[NODE_NO_VALIDATORS\]: --role validator: this chain is a zk-rollup.*run --role prover/,
    );
    const fraud = await deploy('fraud', []);
    expect(await refused(['--role', 'prover', '--deployment', fraud])).toMatch(
      /error \[NODE_PROVER_NOT_VALIDITY\]: --role prover: this chain is not proven by validity proofs/,
    );
    expect(await refused(['--role', 'sequencer', '--deployment', zk])).toMatch(
      /error \[NODE_VALIDITY_CONFIG_MISMATCH\]/,
    );
  });

  it('a hybrid chain (proof.disputes "validity"): deployed with its prove window; validators may run on it', {
    timeout: 120_000,
  }, async () => {
    hybrid = await deploy('hybrid', ['--config', 'examples/hybrid.config.json']);
    const d = readDeploymentFile(hybrid);
    expect(d.validity).toMatchObject({ mode: 'hybrid', app: 'ztoken' });
    const chain = await attachChain(
      { publicClient: l1.publicClient, walletClient: walletFor(l1, l1.accounts[1].account) },
      d,
    );
    expect(await chain.rollup.proveWindow()).toBe(20n);
    const validator = runCli([
      'node',
      '--role',
      'validator',
      '--config',
      'examples/hybrid.config.json',
      '--deployment',
      hybrid,
      '--rpc',
      l1.rpcUrl,
      '--key',
      l1.accounts[1].privateKey,
      '--data-dir',
      join(dir, 'hybrid-validator'),
      '--metrics-port',
      '0',
    ]);
    await validator.waitFor('following the inbox');
    validator.child.kill('SIGINT');
    expect((await validator.done).code).toBe(0);
  });

  it('a sequencer and a prover process: ztoken transactions are proven and their assertions confirmed by proofs', {
    timeout: 900_000,
  }, async () => {
    expect(zk).toBeDefined();
    const d = readDeploymentFile(zk);
    const role = (r: string, key: string, extra: string[]) =>
      runCli([
        'node',
        '--role',
        r,
        '--config',
        CONFIG,
        '--deployment',
        zk,
        '--rpc',
        l1.rpcUrl,
        '--key',
        key,
        '--data-dir',
        join(dir, r),
        ...extra,
      ]);
    const sequencer = role('sequencer', l1.accounts[0].privateKey, ['--port', '0']);
    const prover = role('prover', l1.accounts[1].privateKey, ['--interval', '300', '--metrics-port', '0']);
    try {
      const url = /JSON-RPC at (\S+)/.exec(await sequencer.waitFor('JSON-RPC at '))?.[1] as string;
      const metricsUrl = /metrics at (\S+)/.exec(await prover.waitFor('metrics at '))?.[1] as string;
      const chain = await attachChain(
        { publicClient: l1.publicClient, walletClient: walletFor(l1, l1.accounts[3].account) },
        d,
      );
      const genesis = await chain.rollup.latestConfirmed();
      await runWorkload(url, zk);
      // the prover's progress: one line per range proved and confirmed, until all 7 records are
      // (waitFor('') resolves at once with what the process printed so far)
      let out = '';
      const recordsProved = () => [
        ...out.matchAll(
          /range (\d+)\.\.(\d+) proved: (\d+) records, (\d+) proofs?, (\d+) ms; assertion (0x[0-9a-f]{8}) created and confirmed at L1 block (\d+) \(gas (\d+)\)/g,
        ),
      ];
      const sum = (k: number) => recordsProved().reduce((n, m) => n + Number(m[k]), 0);
      for (let i = 0; i < 2400 && sum(3) < 7; i++) {
        await new Promise((r) => setTimeout(r, 250));
        out = await prover.waitFor('');
      }
      const lines = recordsProved();
      expect(lines.reduce((n, m) => n + Number(m[3]), 0)).toBeGreaterThanOrEqual(7);
      // the ranges follow each other from the genesis assertion's end
      for (let k = 1; k < lines.length; k++) expect(BigInt(lines[k][1])).toBe(BigInt(lines[k - 1][2]) + 1n);
      for (const m of lines) {
        expect(Number(m[4])).toBeGreaterThanOrEqual(Math.ceil(Number(m[3]) / 2));
        expect(BigInt(m[8])).toBeGreaterThan(200_000n); // a Groth16 verification at least
      }
      // confirmed on L1, by a proof: the challenge period never ends on a zk-rollup
      const latest = await chain.rollup.latestConfirmed();
      expect(latest).not.toBe(genesis);
      expect(latest.slice(0, 10)).toBe(lines.at(-1)?.[6]);
      expect(await chain.rollup.status(latest)).toBe('confirmed');
      const m = await scrape(metricsUrl);
      expect(m.sum('modex_assertions_total', { event: 'confirmed' })).toBe(lines.length);
      // the derived head (an L2 block number) reaches the last block proved
      expect(m.sum('modex_head_block')).toBeGreaterThanOrEqual(Number(lines.at(-1)?.[2]));
      expect(m.sum('modex_l1_gas_total', { kind: 'prove-and-create' })).toBe(
        lines.reduce((n, x) => n + Number(x[8]), 0),
      );
      console.log(
        `node-validity: ${lines.length} ranges, ${lines.reduce((n, x) => n + Number(x[3]), 0)} records, ${lines.reduce((n, x) => n + Number(x[4]), 0)} proofs, prove ms ${lines.map((x) => x[5]).join('/')}, gas ${lines.map((x) => x[8]).join('/')}`,
      );
    } finally {
      sequencer.child.kill('SIGINT');
      prover.child.kill('SIGINT');
    }
    const [s, p] = await Promise.all([sequencer.done, prover.done]);
    expect(s.code, s.stderr.slice(-2000)).toBe(0);
    expect(p.code, p.stderr.slice(-2000)).toBe(0);
  });
  it('a hybrid chain: the prover challenges a wrong assertion and rejects it unproven (the liar’s stake to it); an honest one is proven, not challenged', {
    timeout: 900_000,
  }, async () => {
    expect(hybrid).toBeDefined();
    const HYBRID = 'examples/hybrid.config.json';
    const config = loadConfig(HYBRID);
    const d = readDeploymentFile(hybrid);
    const chainOf = (i: number) =>
      attachChain({ publicClient: l1.publicClient, walletClient: walletFor(l1, l1.accounts[i].account) }, d);
    const role = (r: string, key: string, extra: string[]) =>
      runCli([
        'node',
        '--role',
        r,
        '--config',
        HYBRID,
        '--deployment',
        hybrid,
        '--rpc',
        l1.rpcUrl,
        '--key',
        key,
        '--data-dir',
        join(dir, `hybrid-${r}`),
        ...extra,
      ]);
    const sequencer = role('sequencer', l1.accounts[0].privateKey, ['--port', '0']);
    let prover: ReturnType<typeof role> | undefined;
    try {
      const url = /JSON-RPC at (\S+)/.exec(await sequencer.waitFor('JSON-RPC at '))?.[1] as string;
      await runWorkload(url, hybrid);
      // the first assertion after genesis, derived here from L1 (an in-process follower that posts nothing)
      const liar = await chainOf(2);
      const other = await chainOf(4);
      const { source, chainId } = appOfDeployment(d);
      const follower = startValidatorRole({
        chain: other,
        app: source,
        chainId,
        config,
        name: 'test',
        log: () => {},
      });
      const [genesis] = await other.rollup.assertions(other.deployBlock);
      let h: ReturnType<typeof honestAssertion>;
      for (let i = 0; i < 600 && !h; i++) {
        await follower.derivation.poll();
        h = honestAssertion(follower.follower, other.params.heights, genesis.data);
        if (!h) await new Promise((r) => setTimeout(r, 250));
      }
      if (!h) throw new Error('the first block after genesis was never derived');
      const bond = await liar.rollup.assertionBond();
      const wrong = await liar.rollup.createAssertion(
        genesis.data,
        { ...h.end, stateRoot: numberToHex(0xbad, { size: 32 }) },
        h.historyInner,
        bond,
      );
      const right = await other.rollup.createAssertion(genesis.data, h.end, h.historyInner, bond);

      prover = role('prover', l1.accounts[1].privateKey, ['--interval', '300', '--metrics-port', '0']);
      const metricsUrl = /metrics at (\S+)/.exec(await prover.waitFor('metrics at '))?.[1] as string;
      expect(await prover.waitFor('metrics at ')).toMatch(/challenging wrong assertions/);
      // bounded: the 20 s window, the proof of the honest range, rounds of 300 ms
      const p = prover;
      let timer: NodeJS.Timeout | undefined;
      const out = await Promise.race([
        p.waitFor('was not proven in its window: rejected'),
        new Promise<string>((_, reject) => {
          timer = setTimeout(async () => {
            reject(new Error(`no rejection in 300 s:\n${(await p.waitFor('')).slice(-3000)}`));
          }, 300_000);
        }),
      ]).finally(() => clearTimeout(timer));
      const challenged = [
        ...out.matchAll(
          /challenged (0x[0-9a-f]{8}) \((.*?)\); it must be proven within (\d+) s, by L1 time (\d+) \(gas (\d+)\)/g,
        ),
      ];
      // the wrong one only, for its state root; the honest one proven and confirmed, never challenged
      expect(challenged.map((m) => m[1])).toEqual([wrong.id.slice(0, 10)]);
      expect(challenged[0][2]).toMatch(/^end state root 0x0{61}bad is not ours/);
      expect(challenged[0][3]).toBe('20');
      const proverAddress = l1.accounts[1].address;
      expect((await liar.rollup.challengeOf(wrong.id)).challenger).toBe(proverAddress);
      expect((await liar.rollup.challengeOf(right.id)).challenger).toBe(
        '0x0000000000000000000000000000000000000000',
      );
      await prover.waitFor(`assertion ${right.id.slice(0, 10)} confirmed at L1 block`);
      expect(await liar.rollup.status(right.id)).toBe('confirmed');
      expect(await liar.rollup.status(wrong.id)).toBe('rejected');
      // the Rollup's records: rejected unproven, the liar's stake slashed to the prover
      const logs = parseEventLogs({
        abi: liar.rollup.abi,
        logs: await l1.publicClient.getLogs({ address: liar.rollup.address, fromBlock: wrong.blockNumber }),
      }) as unknown as {
        eventName: string;
        args: Record<string, unknown>;
        transactionHash: Hex;
        blockNumber: bigint;
      }[];
      const unproven = logs.filter((l) => l.eventName === 'AssertionUnproven');
      expect(unproven.map((l) => [l.args.id, l.args.challenger])).toEqual([[wrong.id, proverAddress]]);
      const slashed = logs.filter((l) => l.eventName === 'StakeSlashed');
      expect(slashed.map((l) => [l.args.staker, l.args.lostAssertion, l.args.winner, l.args.amount])).toEqual(
        [[l1.accounts[2].address, wrong.id, proverAddress, bond]],
      );
      // the prover's balance across the rejection: both bonds in, the transaction's fee out
      const tx = unproven[0].transactionHash;
      const receipt = await l1.publicClient.getTransactionReceipt({ hash: tx });
      expect(receipt.from.toLowerCase()).toBe(proverAddress.toLowerCase());
      const balance = (b: bigint) => l1.publicClient.getBalance({ address: proverAddress, blockNumber: b });
      expect((await balance(receipt.blockNumber)) - (await balance(receipt.blockNumber - 1n))).toBe(
        2n * bond - receipt.gasUsed * receipt.effectiveGasPrice,
      );
      expect(await liar.rollup.latestStaked(l1.accounts[2].address)).toBe(`0x${'0'.repeat(64)}`);
      // its metrics: one challenge, one rejection, their gas
      const rejectGas = /was not proven in its window: rejected.*\(gas (\d+)\)/.exec(out)?.[1];
      expect(BigInt(rejectGas as string)).toBe(receipt.gasUsed);
      const m = await scrape(metricsUrl);
      expect(m.sum('modex_assertions_total', { event: 'challenged' })).toBe(1);
      expect(m.sum('modex_assertions_total', { event: 'rejected' })).toBe(1);
      expect(m.sum('modex_l1_gas_total', { kind: 'challenge' })).toBe(Number(challenged[0][5]));
      expect(m.sum('modex_l1_gas_total', { kind: 'reject-unproven' })).toBe(Number(receipt.gasUsed));
      console.log(
        `node-validity hybrid: challenge gas ${challenged[0][5]}, reject-unproven gas ${receipt.gasUsed}`,
      );
    } finally {
      sequencer.child.kill('SIGINT');
      prover?.child.kill('SIGINT');
    }
    const [s, p] = await Promise.all([sequencer.done, prover?.done]);
    expect(s.code, s.stderr.slice(-2000)).toBe(0);
    expect(p?.code, p?.stderr.slice(-2000)).toBe(0);
  });
});
