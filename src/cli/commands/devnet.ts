/**
 * `modex devnet`: the whole chain on one machine (docs/node.md §6): the settlement layer (embedded
 * anvil or --rpc), the contracts, a sequencer with JSON-RPC, the batcher, two validators, and a demo
 * workload; `--scenario fraud` makes one validator lie and the other win the dispute on L1.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { DA_MODULES, type DaConfig } from '../../config/types.ts';
import { ModexError } from '../../core/errors.ts';
import { REPO_ROOT } from '../../l1/contracts.ts';
import type { DevnetScenario } from '../../node/devnet-run.ts';
import { runAction } from '../action.ts';
import type { DevnetOutput } from '../devnet-output.ts';

const DEFAULT_CONFIG = 'examples/devnet.config.json';

/** the devnet's workload in words, for the terminal's panel, by built-in app (src/apps/workloads.ts) */
const WORKLOAD_WORDS: Record<string, string> = {
  token: 'a deposit, transfers and a withdrawal paid on L1',
  evm: 'a deposit, an ERC-20 over eth_* and a withdrawal through 0x64 paid on L1',
};

interface DevnetOptions {
  config: string;
  rpc?: string;
  scenario: string;
  untilConfirmed: boolean;
  json: boolean;
  warp: string;
  dataDir?: string;
  timeout: string;
  exitWhenReady: boolean;
  da?: string;
  committeeSize: string;
}

class DevnetOptionError extends ModexError {
  constructor(message: string) {
    super('DEVNET_BAD_OPTION', message);
  }
}

export function register(program: Command): void {
  program
    .command('devnet')
    .description(
      "run a whole modex chain of the config's app (vm.app: a built-in app; vm.stf: a built .wasm) locally: " +
        'settlement layer (embedded anvil, or --rpc), contracts, a sequencer with JSON-RPC, the batcher, two ' +
        "validators and a workload (a deposit through the bridge; for a built-in app its demo, e.g. token's transfers " +
        "and a withdrawal paid on L1 after confirmation, evm's ERC-20 over the Ethereum JSON-RPC and a withdrawal " +
        'through 0x64), with a live summary; runs until Ctrl-C unless --until-confirmed. ' +
        'With proof.module "attested" (examples/attested.config.json) it also registers proof.attested.localValidators ' +
        'validators on L1, run by validator-1: they seal the epochs, sign what they derived and confirm assertions by attestation',
    )
    .option('-c, --config <file>', 'chain config (see docs/config.md)', DEFAULT_CONFIG)
    .option(
      '--rpc <url>',
      'use this settlement-layer JSON-RPC URL instead of settlement.rpcUrl from the config',
    )
    .option(
      '--scenario <name>',
      'demo (honest validators) or fraud (validator-2 lies; validator-1 disputes it; attested chains: the active ' +
        'committee of the epoch of the lie, all but assumedHonest members, colludes and signs the lie, no quorum, ' +
        'the dispute decides, the colluders are slashed)',
      'demo',
    )
    .option(
      '--until-confirmed',
      'exit once the scenario has a result (withdrawal paid; for fraud: liar slashed, and on attested chains the colluders)',
      false,
    )
    .option('--json', 'with --until-confirmed: print the result as one JSON object on the last line', false)
    .option(
      '--warp <seconds>',
      "embedded anvil: add this many seconds to L1 time every tick (0.5 s) in which no validator acts (shortens the wait for challenge periods: without it the 60 s challenge period takes 60 s; a dispute keeps the wall clock's pace)",
      '0',
    )
    .option(
      '--da <module>',
      "DA module instead of the config's da.module: l1-calldata, l1-blob (EIP-4844 blobs) or committee " +
        '(with no members in the config, a local committee of --committee-size `modex da-server` members is started; ' +
        'it falls back to L1 calldata when it cannot certify)',
    )
    .option('--committee-size <n>', 'members of the local committee started for --da committee', '5')
    .option('--data-dir <dir>', 'node data directory (default: a temporary directory, removed at exit)')
    .option('--timeout <seconds>', 'with --until-confirmed: give up (exit 1) after this long', '600')
    .option('--exit-when-ready', 'stop everything and exit 0 once every role is up (for tests and CI)', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx modex devnet\n  $ npx modex devnet --scenario fraud --until-confirmed\n' +
        '  $ npx modex devnet --until-confirmed --json --warp 5\n  $ npx modex devnet --da committee --until-confirmed --warp 5\n' +
        '  $ npx modex devnet --config examples/evm.config.json   # an EVM chain: Ethereum JSON-RPC, a dev account\n' +
        '  $ npx modex devnet --config examples/attested.config.json --until-confirmed\n' +
        '  $ npx modex devnet --config examples/attested.config.json --scenario fraud --until-confirmed --json --warp 5\n' +
        '  $ npx modex devnet --config examples/sovereign.config.json --scenario fraud --until-confirmed --json\n' +
        '  $ npx modex devnet --config examples/validity.config.json --until-confirmed --json   # a zk-rollup\n' +
        '  $ npx modex devnet --config examples/hybrid.config.json --scenario fraud --until-confirmed --json\n' +
        '  $ npx modex devnet --rpc http://127.0.0.1:8545 --exit-when-ready\n\n' +
        'A sovereign config (settlement.module "sovereign", docs/sovereign.md §8) runs the inbox alone on L1, a batch\n' +
        'poster, two full nodes and a light client following them; --scenario fraud: full-node-2 announces a wrong\n' +
        'root, the light client takes the proofs and rejects it (result "honest-won"); demo: "confirmed" once the\n' +
        "light client accepted the chain's head. --da, --warp, --committee-size and --exit-when-ready do not apply to it.\n\n" +
        'A validity config (proof.module "validity", or proof.disputes "validity": docs/validity.md §7) compiles the\n' +
        "app's circuit and makes its keys (INSECURE development keys without proof.validity.ptau; cached), then runs\n" +
        'the sequencer, a prover and the workload: "confirmed" once a proof confirmed the withdrawal. Hybrid with\n' +
        '--scenario fraud: a liar posts a wrong assertion, the prover challenges it, rejects it after the prove\n' +
        'window and confirms the right one with a proof ("honest-won", with honest_moves).',
    )
    .action(runAction((opts: DevnetOptions) => devnet(opts)));
}

async function devnet(opts: DevnetOptions): Promise<void> {
  // loaded when the command runs, so `modex --help` and other commands start fast
  const { loadConfig } = await import('../../config/load.ts');
  const { summarizeConfig } = await import('../../config/summary.ts');
  const { DEVNET_YOUR_ACCOUNT, DevnetRun } = await import('../../node/devnet-run.ts');
  const { PlainOutput, TtyOutput } = await import('../devnet-output.ts');
  const configFile =
    opts.config === DEFAULT_CONFIG && !existsSync(opts.config)
      ? join(REPO_ROOT, DEFAULT_CONFIG)
      : opts.config;
  const config = loadConfig(configFile);
  if (opts.scenario !== 'demo' && opts.scenario !== 'fraud') {
    throw new DevnetOptionError(`--scenario ${opts.scenario}: use demo or fraud`);
  }
  const committeeSize = Number(opts.committeeSize);
  if (!Number.isSafeInteger(committeeSize) || committeeSize < 1 || committeeSize > 64) {
    throw new DevnetOptionError(`--committee-size ${opts.committeeSize}: an integer from 1 to 64`);
  }
  if (opts.da !== undefined) {
    if (!(DA_MODULES as readonly string[]).includes(opts.da)) {
      throw new DevnetOptionError(`--da ${opts.da}: use ${DA_MODULES.join(', ')}`);
    }
    const module = opts.da as DaConfig['module'];
    config.da =
      module === 'committee'
        ? {
            ...config.da,
            module,
            committee: config.da.committee ?? {
              members: [],
              assumedHonest: Math.max(1, Math.floor((committeeSize - 1) / 2)),
              fallback: 'l1-calldata',
              timeoutMs: 2_000,
            },
          }
        : { module, ...(config.da.beaconUrl ? { beaconUrl: config.da.beaconUrl } : {}) };
  }
  const warp = Number(opts.warp);
  const timeout = Number(opts.timeout);
  if (!(warp >= 0)) throw new DevnetOptionError(`--warp ${opts.warp}: a number of seconds ≥ 0`);
  if (!(timeout > 0)) throw new DevnetOptionError(`--timeout ${opts.timeout}: a number of seconds > 0`);
  if (config.settlement.module === 'sovereign') return sovereignDevnet(opts, config, timeout);
  if (config.proof.module === 'validity' || config.proof.disputes === 'validity')
    return validityDevnet(opts, config, timeout);
  // with --json the last line of stdout is the result: progress goes to stderr. On a terminal the
  // log scrolls above a panel redrawn in place (src/cli/devnet-output.ts); piped, plain lines
  const out: DevnetOutput =
    !opts.json && !opts.exitWhenReady && process.stdout.isTTY
      ? new TtyOutput(
          process.stdout,
          opts.scenario as DevnetScenario,
          (config.vm.app && WORKLOAD_WORDS[config.vm.app]) || 'a deposit',
        )
      : new PlainOutput(opts.json ? process.stderr : process.stdout);
  const log = (s: string) => out.log(s);
  // every chain id the devnet prints says whose it is (L2: this chain; L1: the settlement layer's)
  log(`modex devnet: ${summarizeConfig(config).replace('(chain id ', '(L2 chain id ')}`);

  const run = new DevnetRun({
    config,
    rpc: opts.rpc,
    scenario: opts.scenario as DevnetScenario,
    untilConfirmed: opts.untilConfirmed,
    dataDir: opts.dataDir,
    warpSeconds: warp,
    timeoutMs: timeout * 1000,
    exitWhenReady: opts.exitWhenReady,
    committeeSize,
    log,
    onStatus: (s) => out.status(s),
    onReady: async (info) => {
      const { l1, settlement } = info;
      const a = settlement.addresses;
      const roles = ['sequencer', 'validator-1', 'validator-2', 'demo user'];
      out.ready(
        {
          rpcUrl: info.rpcUrl,
          explorerUrl: `${info.rpcUrl.replace(/\/$/, '')}/`,
          settlementRpc: l1.rpcUrl,
          anvilPid: l1.embedded ? l1.pid : undefined,
          l1ChainId: l1.chainId,
          l2ChainId: info.chainId,
          chainName: config.chain.name,
          app: info.app,
          moduleRoot: info.moduleRoot,
          config: relative(process.cwd(), configFile) || configFile,
          dataDir: info.dataDir,
          accounts: l1.accounts.map((x) => ({ address: x.address, privateKey: x.privateKey })),
          roles,
          yours: l1.accounts.length > DEVNET_YOUR_ACCOUNT ? DEVNET_YOUR_ACCOUNT : -1,
          contracts: [
            ['Inbox', a.inbox, 'contracts/settlement/Inbox.sol'],
            ['Bridge', a.bridge, 'contracts/settlement/Bridge.sol'],
            ['Rollup', a.rollup, 'contracts/settlement/Rollup.sol'],
            ['ChallengeManager', a.challengeManager, 'contracts/settlement/ChallengeManager.sol'],
            ['OneStepProver', a.prover, 'contracts/osp/OneStepProver.sol'],
            ['PreimageOracle', a.oracle, 'contracts/osp/PreimageOracle.sol'],
            ...(a.committee
              ? [
                  ['ValidatorCommittee', a.committee, 'contracts/attest/ValidatorCommittee.sol'] as [
                    string,
                    string,
                    string,
                  ],
                ]
              : []),
          ],
          challengePeriodSeconds: config.proof.challengePeriodSeconds,
        },
        { hints: !opts.exitWhenReady },
      );
      if (!opts.exitWhenReady && !opts.untilConfirmed) log('running; press Ctrl-C to stop');
    },
  });
  let signalled: string | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) return;
    signalled = sig;
    log(`${sig}: stopping...`);
    out.stopping();
    run.stop();
    // the embedded anvil is already gone (it gets the signal too): give the roles 5 s to close
    setTimeout(() => {
      log('stopped');
      out.close();
      process.exit(0);
    }, 5000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const r = await run.run();
  if (opts.exitWhenReady) log('exit-when-ready: stopped');
  else if (signalled) log('stopped');
  else
    log(
      `result: ${r.result} (${r.l2_blocks} L2 blocks, ${r.batches} batches, ${r.assertions} assertions, ${r.confirmed_assertions} confirmed${r.dispute_moves ? `, ${r.dispute_moves} dispute moves` : ''}; ${r.elapsed_s.toFixed(1)} s)`,
    );
  out.close();
  if (opts.json) console.log(JSON.stringify(r));
  process.exit(r.result === 'timeout' ? 1 : 0);
}

/** A devnet of its own kind (sovereign, validity): what `standaloneDevnet` runs. */
interface StandaloneRun<R extends { result: string }> {
  run(): Promise<R>;
  stop(): void;
}

type StandaloneOptions = {
  config: import('../../config/types.ts').ChainConfig;
  rpc?: string;
  scenario: 'demo' | 'fraud';
  untilConfirmed: boolean;
  timeoutMs: number;
  log: (line: string) => void;
};

/**
 * Runs a devnet of its own kind: logs to stderr with --json, stops on SIGINT/SIGTERM, prints the
 * result line (`summary`) and the JSON, exits 1 on a timeout.
 */
async function standaloneDevnet<R extends { result: string }>(
  opts: DevnetOptions,
  config: import('../../config/types.ts').ChainConfig,
  timeout: number,
  make: (o: StandaloneOptions) => StandaloneRun<R>,
  summary: (r: R) => string,
): Promise<void> {
  const { summarizeConfig } = await import('../../config/summary.ts');
  const log = (s: string) => (opts.json ? process.stderr : process.stdout).write(`${s}\n`);
  log(`modex devnet: ${summarizeConfig(config).replace('(chain id ', '(L2 chain id ')}`);
  const run = make({
    config,
    rpc: opts.rpc,
    scenario: opts.scenario as 'demo' | 'fraud',
    untilConfirmed: opts.untilConfirmed,
    timeoutMs: timeout * 1000,
    log,
  });
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping...`);
    run.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (!opts.untilConfirmed) log('running; press Ctrl-C to stop');
  const r = await run.run();
  log(`result: ${r.result} (${summary(r)})`);
  if (opts.json) console.log(JSON.stringify(r));
  process.exit(r.result === 'timeout' ? 1 : 0);
}

/**
 * Validity proofs (docs/validity.md §7): `proof.module: "validity"` (zk-rollup) or `proof.disputes:
 * "validity"` (hybrid): the app's circuit, the prover and the workload.
 */
async function validityDevnet(
  opts: DevnetOptions,
  config: import('../../config/types.ts').ChainConfig,
  timeout: number,
): Promise<void> {
  if (opts.da !== undefined)
    throw new DevnetOptionError(
      '--da does not apply to a validity chain: its proofs read batches from L1 calldata',
    );
  const { ValidityDevnet } = await import('../../node/validity-devnet.ts');
  await standaloneDevnet(
    opts,
    config,
    timeout,
    (o) => new ValidityDevnet(o),
    (r) =>
      `${r.assertions} assertions confirmed by ${r.proofs} proofs of ${r.records_proved} records; finality ${r.finality_s ?? '-'} s against a ${r.challenge_period_s} s challenge period; ${r.elapsed_s.toFixed(1)} s`,
  );
}

/** `settlement.module: "sovereign"`: full nodes and a light client (docs/sovereign.md §8). */
async function sovereignDevnet(
  opts: DevnetOptions,
  config: import('../../config/types.ts').ChainConfig,
  timeout: number,
): Promise<void> {
  if (opts.da !== undefined)
    throw new DevnetOptionError('--da does not apply to a sovereign chain: set da.module in the config');
  const { SovereignDevnet } = await import('../../node/sovereign-devnet.ts');
  await standaloneDevnet(
    opts,
    config,
    timeout,
    (o) => new SovereignDevnet(o),
    (r) =>
      `${r.l2_blocks} L2 blocks, ${r.batches} batches; light client head ${r.light_client.head}, ${r.light_client.proofs_checked} proofs checked; ${r.elapsed_s.toFixed(1)} s`,
  );
}
