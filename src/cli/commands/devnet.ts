/** `modex devnet`: a local chain environment (for now: settlement layer + contracts) until Ctrl-C. */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { formatEther } from 'viem';
import { loadConfig } from '../../config/load.ts';
import { summarizeConfig } from '../../config/summary.ts';
import { compileApp, genesis } from '../../guest/run-app.ts';
import { type L1, openL1 } from '../../l1/anvil.ts';
import { buildContracts, REPO_ROOT } from '../../l1/contracts.ts';
import { moduleFieldsHex } from '../../proof/fraud/claim.ts';
import { DEFAULT_DISPUTE_PARAMS, deploySettlement } from '../../settlement/ethereum/deploy-settlement.ts';
import { toSolState } from '../../settlement/ethereum/dispute-hash.ts';
import { compileProgram, moduleRootHex } from '../../vm/wasm/program.ts';
import { runAction } from '../action.ts';

const DEFAULT_CONFIG = 'examples/devnet.config.json';

interface DevnetOptions {
  config: string;
  rpc?: string;
  exitWhenReady: boolean;
}

export function register(program: Command): void {
  program
    .command('devnet')
    .description(
      'start a local devnet: the settlement layer (embedded anvil, or --rpc), the contracts built and deployed; ' +
        'prints RPC URL, chain id, funded accounts and addresses, then runs until Ctrl-C',
    )
    .option('-c, --config <file>', 'chain config (see docs/config.md)', DEFAULT_CONFIG)
    .option(
      '--rpc <url>',
      'use this settlement-layer JSON-RPC URL instead of settlement.rpcUrl from the config',
    )
    .option('--exit-when-ready', 'stop everything and exit 0 once the devnet is up (for tests and CI)', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ modex devnet\n  $ modex devnet --config my.config.json\n  $ modex devnet --rpc http://127.0.0.1:8545 --exit-when-ready',
    )
    .action(runAction((opts: DevnetOptions) => devnet(opts)));
}

async function devnet(opts: DevnetOptions): Promise<void> {
  const configFile =
    opts.config === DEFAULT_CONFIG && !existsSync(opts.config)
      ? join(REPO_ROOT, DEFAULT_CONFIG)
      : opts.config;
  const config = loadConfig(configFile);
  const log = (s: string) => console.log(s);
  log(`modex devnet: ${summarizeConfig(config)}`);

  let l1: L1 | undefined;
  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log(`\n${reason}: stopping...`);
    await l1?.stop();
    log('stopped');
    process.exit(0);
  };
  const onSignal = (sig: NodeJS.Signals) => void shutdown(sig);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const rpc = opts.rpc ?? config.settlement.rpcUrl ?? 'embedded';
    let t = Date.now();
    log(
      `[1/3] settlement layer: ${rpc === 'embedded' ? 'starting embedded anvil' : `connecting to ${rpc}`}...`,
    );
    l1 = await openL1(rpc);
    log(`      up at ${l1.rpcUrl} (chain id ${l1.chainId}) in ${Date.now() - t} ms`);

    t = Date.now();
    log('[2/3] contracts: building...');
    const build = await buildContracts();
    log(
      `      ${build.compiled ? 'compiled' : 'up to date (cached)'}: ${build.contracts.length} contract(s) in ${Date.now() - t} ms`,
    );

    log('[3/3] contracts: deploying the settlement layer...');
    const stf = config.vm.app
      ? compileApp(config.vm.app)
      : new Uint8Array(readFileSync(config.vm.stf as string));
    const prog = compileProgram(stf);
    const bond = BigInt(config.proof.bond);
    const settlement = await deploySettlement(l1, {
      sequencer: l1.accounts[0].address,
      maxDelaySeconds: config.sequencing.maxDelaySeconds,
      moduleFields: moduleFieldsHex(prog),
      genesis: toSolState(genesis()),
      params: {
        ...DEFAULT_DISPUTE_PARAMS,
        challengePeriod: BigInt(config.proof.challengePeriodSeconds),
        assertionBond: bond,
        edgeBond: bond / 10n,
      },
    });
    log(`      STF module root ${moduleRootHex(prog)}`);
    const a = settlement.addresses;
    const deployed = [
      { name: 'Inbox', sourceName: 'contracts/settlement/Inbox.sol', address: a.inbox },
      { name: 'Bridge', sourceName: 'contracts/settlement/Bridge.sol', address: a.bridge },
      { name: 'Rollup', sourceName: 'contracts/settlement/Rollup.sol', address: a.rollup },
      {
        name: 'ChallengeManager',
        sourceName: 'contracts/settlement/ChallengeManager.sol',
        address: a.challengeManager,
      },
      { name: 'OneStepProver', sourceName: 'contracts/osp/OneStepProver.sol', address: a.prover },
      { name: 'PreimageOracle', sourceName: 'contracts/osp/PreimageOracle.sol', address: a.oracle },
    ];
    for (const c of deployed) log(`      ${c.name} at ${c.address}`);

    const balances = await Promise.all(
      l1.accounts.map((a) => l1!.publicClient.getBalance({ address: a.address })),
    );
    log('');
    log('ready');
    log(`  settlement RPC   ${l1.rpcUrl}${l1.embedded ? ` (embedded anvil, pid ${l1.pid})` : ''}`);
    log(`  chain id         ${l1.chainId}`);
    log(`  config           ${relative(process.cwd(), configFile) || configFile}`);
    log('  funded accounts (address, private key, balance):');
    l1.accounts.forEach((a, i) => {
      log(`    [${i}] ${a.address} ${a.privateKey} ${formatEther(balances[i])} ETH`);
    });
    log('  deployed contracts:');
    if (deployed.length === 0) log('    (none)');
    for (const c of deployed) log(`    ${c.name.padEnd(24)} ${c.address}  (${c.sourceName})`);
  } catch (e) {
    await l1?.stop();
    throw e;
  }

  if (opts.exitWhenReady) {
    await l1.stop();
    log('exit-when-ready: stopped');
    process.exit(0);
  }
  log('\nrunning; press Ctrl-C to stop');
  await new Promise<never>(() => {
    setInterval(() => {}, 1 << 30);
  });
}
