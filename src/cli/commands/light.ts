/**
 * `modex light`: the sovereign light client as a process (docs/sovereign.md §5, §7): it follows the
 * headers of several full nodes, checks their inputs against L1's inbox, and decides disagreements
 * (or `--check N`) by re-executing one block from a full node's fraud proof.
 */
import type { Command } from 'commander';
import { ModexError } from '../../core/errors.ts';
import { runAction } from '../action.ts';

interface LightOptions {
  config: string;
  rpc: string;
  inbox: string;
  peer: string[];
  engine: string;
  check?: string;
  untilHead?: string;
  interval: string;
  timeout: string;
  json: boolean;
}

class LightOptionError extends ModexError {
  constructor(message: string) {
    super('LIGHT_BAD_OPTION', message);
  }
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  program
    .command('light')
    .description(
      "run a sovereign chain's light client (docs/sovereign.md §5): keeps headers only, follows every --peer (a full " +
        "node's JSON-RPC), checks each header's input against the inbox on L1 (--rpc, --inbox), and where peers " +
        'disagree takes their fraud proofs, re-executes that one block with the machine and marks the peers that ' +
        'announced a wrong root, withheld a proof or served a bad one',
    )
    .requiredOption(
      '-c, --config <file>',
      'the chain config (settlement.module "sovereign"): its app is what the light client executes',
    )
    .requiredOption('--rpc <url>', 'L1 JSON-RPC URL (the light client trusts L1 for the inputs)')
    .requiredOption('--inbox <address>', "the chain's inbox contract on L1")
    .requiredOption('--peer <url>', "a full node's JSON-RPC URL (repeat for several)", collect, [])
    .option(
      '--engine <engine>',
      'execute proofs with the native runner or the step interpreter: native | interp',
      'native',
    )
    .option('--check <n>', 'also decide block n with fraud proofs on demand, whatever the peers announce')
    .option('--until-head <n>', 'exit once block n is accepted (else run until Ctrl-C)')
    .option('--interval <ms>', 'how often to poll the peers', '1000')
    .option('--timeout <seconds>', 'with --until-head: give up (exit 1) after this long', '600')
    .option('--json', 'print the peers report as one JSON object on the last line at exit', false)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ npx modex light --config examples/sovereign.config.json --rpc http://127.0.0.1:8545 \\\n' +
        '      --inbox 0x5FbDB2315678afecb367f032d93F642f64180aa3 --peer http://127.0.0.1:8547 --peer http://127.0.0.1:8548\n' +
        '  $ npx modex light ... --check 2 --engine interp --until-head 4 --json\n\n' +
        '`modex devnet --config examples/sovereign.config.json` prints the L1 URL, the inbox address and its full\n' +
        "nodes' URLs. Progress lines go to stderr with --json, to stdout otherwise.",
    )
    .action(runAction((opts: LightOptions) => light(opts)));
}

async function light(opts: LightOptions): Promise<void> {
  const { loadConfig } = await import('../../config/load.ts');
  const { appLimitsOf, appSourceOf, loadApp } = await import('../../apps/sdk/app-runtime.ts');
  const { connectL1 } = await import('../../l1/anvil.ts');
  const { InboxClient } = await import('../../settlement/ethereum/inbox.ts');
  const { LightClient } = await import('../../settlement/sovereign/light-client.ts');
  const { RpcPeer } = await import('../../settlement/sovereign/peer.ts');
  const config = loadConfig(opts.config);
  if (config.settlement.module !== 'sovereign')
    throw new LightOptionError(
      `${opts.config}: settlement.module is "${config.settlement.module}"; a light client follows a sovereign chain (settlement.module "sovereign")`,
    );
  if (opts.engine !== 'native' && opts.engine !== 'interp')
    throw new LightOptionError(`--engine ${opts.engine}: use native or interp`);
  if (!/^0x[0-9a-fA-F]{40}$/.test(opts.inbox))
    throw new LightOptionError(`--inbox ${opts.inbox}: a 20-byte hex address`);
  if (opts.peer.length === 0) throw new LightOptionError('give at least one --peer URL');
  const num = (v: string | undefined, what: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new LightOptionError(`${what} ${v}: a non-negative integer`);
    return n;
  };
  const check = num(opts.check, '--check');
  const untilHead = num(opts.untilHead, '--until-head');
  const interval = num(opts.interval, '--interval') ?? 1000;
  const timeout = Number(opts.timeout);
  if (!(timeout > 0)) throw new LightOptionError(`--timeout ${opts.timeout}: a number of seconds > 0`);
  const log = (s: string) => (opts.json ? process.stderr : process.stdout).write(`${s}\n`);

  const l1 = await connectL1(opts.rpc);
  const inbox = await InboxClient.attach(l1, opts.inbox as `0x${string}`);
  const source = appSourceOf(config.vm);
  const app = loadApp(source.bytes, source.name, { limits: appLimitsOf(config.vm.limits) });
  const lc = new LightClient({
    app,
    genesis: app.genesis(BigInt(config.chain.chainId)),
    l1: { accumulator: (n) => inbox.accumulator(n) },
    peers: opts.peer.map((u) => new RpcPeer(u)),
    engine: opts.engine,
    onEvent: (e) => {
      if (e.kind === 'accepted') log(`accepted block ${e.number} (state root ${e.stateRoot}, by ${e.by})`);
      else if (e.kind === 'disagreement')
        log(
          `peers disagree on block ${e.number}: ${e.roots.map((r) => `${r.peer} ${r.stateRoot}`).join(', ')}`,
        );
      else if (e.kind === 'proof')
        log(
          `proof of block ${e.number} from ${e.peer}: ${e.ok ? `re-executed in ${e.ms.toFixed(1)} ms` : `refused (${e.error})`}`,
        );
      else if (e.kind === 'dishonest')
        log(`DISHONEST ${e.peer} (${e.reason} at block ${e.number}): ${e.detail}`);
      else log(`unreachable ${e.peer}: ${e.detail}`);
    },
  });
  log(
    `light client of ${config.chain.name} (chain id ${config.chain.chainId}): inbox ${opts.inbox} on ${opts.rpc}, ${opts.peer.length} peer(s), ${opts.engine} engine`,
  );
  let stop = false;
  const onSignal = () => {
    stop = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const deadline = Date.now() + timeout * 1000;
  let checked = check === undefined;
  let code = 0;
  for (;;) {
    await lc.sync();
    if (!checked && check !== undefined && lc.accepted.length >= check) {
      const truth = await lc.check(check);
      log(truth ? `block ${check} checked by proof` : `block ${check}: no peer served a valid proof`);
      checked = true;
    }
    if (lc.peerReports().every((p) => !p.honest)) {
      log('every peer is dishonest: nothing more to follow');
      code = 1;
      break;
    }
    if (untilHead !== undefined && checked && (lc.head?.number ?? -1) >= untilHead) break;
    if (stop) break;
    if (untilHead !== undefined && Date.now() > deadline) {
      log(`timeout: block ${untilHead} not accepted after ${timeout} s`);
      code = 1;
      break;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  log(`head: ${lc.head ? `block ${lc.head.number} ${lc.head.hash}` : 'none'}`);
  for (const p of lc.peerReports())
    log(
      `peer ${p.name}: ${p.honest ? 'honest' : `dishonest (${p.reason} at block ${p.block})`}, ${p.headers} headers`,
    );
  if (opts.json)
    console.log(
      JSON.stringify({
        head: lc.head ? { number: lc.head.number, hash: lc.head.hash, stateRoot: lc.head.stateRoot } : null,
        peers: lc.peerReports(),
        proofs_checked: lc.proofTimes.length,
      }),
    );
  process.exit(code);
}
