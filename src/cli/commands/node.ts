/**
 * `modex deploy` and `modex node`: run a chain's roles as separate processes, each against any
 * Ethereum JSON-RPC endpoint (docs/node.md). `deploy` writes the deployment file the roles read.
 */

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { ModexError } from '../../core/errors.ts';
import type { GossipPool } from '../../node/attestation-gossip.ts';
import type { ValidatorKey } from '../../node/attester.ts';
import type { ValidatorCommitteeClient } from '../../settlement/ethereum/validator-committee.ts';
import { PACKAGE_ROOT } from '../../util/package-root.ts';
import { runAction } from '../action.ts';

/** What the actions run, loaded when one runs (so `modex --help` and other commands start fast). */
async function load() {
  return {
    ...(await import('viem/accounts')),
    ...(await import('../../config/load.ts')),
    ...(await import('../../l1/anvil.ts')),
    ...(await import('../../node/da-modules.ts')),
    ...(await import('../../node/roles.ts')),
    ...(await import('../../node/prover-role.ts')),
    ...(await import('../../node/validity-chain.ts')),
    ...(await import('../../util/metrics-http.ts')),
  };
}

export const DEFAULT_CONFIG = 'examples/devnet.config.json';

export class NodeOptionError extends ModexError {
  constructor(message: string) {
    super('NODE_BAD_OPTION', message);
  }
}

export function configPath(p: string): string {
  return p === DEFAULT_CONFIG && !existsSync(p) ? join(PACKAGE_ROOT, DEFAULT_CONFIG) : p;
}

/** The signing key: --key, else the environment variable, else an error. */
export function keyOf(opt: string | undefined, env: string): Hex {
  const k = opt ?? process.env[env];
  if (!k) throw new NodeOptionError(`no signing key: pass --key 0x… or set ${env}`);
  if (!/^0x[0-9a-fA-F]{64}$/.test(k))
    throw new NodeOptionError('the key must be 32 bytes as 0x-prefixed hex');
  return k as Hex;
}

export function rpcOf(opt: string | undefined, configured: string | undefined): string {
  const rpc = opt ?? configured;
  if (!rpc || rpc === 'embedded') {
    throw new NodeOptionError(
      'a settlement endpoint is needed: pass --rpc URL or set settlement.rpcUrl (an embedded anvil would die with this process; use `npx modex devnet` for a local chain)',
    );
  }
  return rpc;
}

/**
 * A sovereign chain has no settlement contracts to deploy and no sequencer/validator roles
 * (docs/sovereign.md §1, §9): said before anything touches L1.
 */
function refuseSovereign(config: { settlement: { module: string } }, command: 'deploy' | 'node'): void {
  if (config.settlement.module !== 'sovereign') return;
  throw new NodeOptionError(
    command === 'deploy'
      ? 'settlement.module is "sovereign": a sovereign chain has no settlement contracts to deploy, only its inbox (docs/sovereign.md §1); `modex devnet --config FILE` deploys it and runs the chain for now'
      : 'settlement.module is "sovereign": `modex node` runs the ethereum settlement\'s roles (sequencer, validator), not sovereign full nodes yet; run the chain with `modex devnet --config FILE` and follow it with `modex light` (docs/sovereign.md §7, §8)',
  );
}

export function register(program: Command): void {
  program
    .command('deploy')
    .description(
      'deploy a chain\'s settlement contracts (inbox, bridge, rollup, challenge manager, one-step prover, preimage oracle) to an Ethereum JSON-RPC endpoint and write the deployment file; a chain proven by validity proofs (proof.module "validity", or proof.disputes "validity") also gets its app\'s circuit keys (cached), Groth16 verifier, binding and ValidityVerifier',
    )
    .option('-c, --config <file>', 'chain config (see docs/config.md)', DEFAULT_CONFIG)
    .option('--rpc <url>', 'settlement JSON-RPC endpoint (default settlement.rpcUrl)')
    .option('--key <hex>', 'deployer private key (default $MODEX_DEPLOYER_KEY)')
    .option('--sequencer <address>', "the sequencer's address (default the deployer)")
    .requiredOption('-o, --out <file>', 'where to write the deployment file')
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx modex deploy --rpc http://127.0.0.1:8545 --key 0xac09… --out deployment.json\n' +
        '  $ npx modex deploy --config examples/validity.config.json --rpc http://127.0.0.1:8545 --key 0xac09… --out deployment.json    # a zk-rollup (docs/validity.md §6)\n',
    )
    .action(
      runAction(
        async (o: { config: string; rpc?: string; key?: string; sequencer?: string; out: string }) => {
          const {
            loadConfig,
            connectL1,
            deployForConfig,
            deployValidityChain,
            validityModeOf,
            writeDeploymentFile,
          } = await load();
          const config = loadConfig(configPath(o.config));
          refuseSovereign(config, 'deploy');
          const l1 = await connectL1(rpcOf(o.rpc, config.settlement.rpcUrl), {
            privateKeys: [keyOf(o.key, 'MODEX_DEPLOYER_KEY')],
          });
          const sequencer = o.sequencer as Hex | undefined;
          const mode = validityModeOf(config);
          if (mode) console.log(`${mode} chain: the app's circuit and keys, then the contracts...`);
          const { settlement: s, file } = mode
            ? await deployValidityChain(l1, config, { sequencer, log: (l) => console.log(`  ${l}`) })
            : await deployForConfig(l1, config, { sequencer });
          writeDeploymentFile(o.out, file);
          if (file.validity)
            console.log(
              `validity            ${file.validity.mode}: ${file.validity.app}'s circuit, ${file.validity.chunkSize} records per proof, ${file.validity.constraints} constraints${file.validity.insecure ? ', INSECURE development keys' : ''}`,
            );
          for (const [name, address] of Object.entries(s.addresses))
            console.log(`${name.padEnd(19)} ${address}`);
          console.log(`deployment written to ${o.out}`);
        },
      ),
    );

  program
    .command('node')
    .description(
      'run one role of a chain against its deployment: the sequencer (sequencer, JSON-RPC, batcher), a validator (derivation from L1, assertions, disputes) or, on a chain proven by validity proofs, the prover (derivation from L1, each range proved and its assertion confirmed; on a hybrid chain it also challenges wrong assertions and rejects them once unproven after the prove window); until Ctrl-C',
    )
    .requiredOption(
      '--role <role>',
      'sequencer, validator or prover (validity chains; a zk-rollup has no validators)',
    )
    .option('-c, --config <file>', 'chain config (see docs/config.md)', DEFAULT_CONFIG)
    .requiredOption(
      '-d, --deployment <file>',
      'deployment file written by `modex deploy` (or the devnet data dir)',
    )
    .option('--rpc <url>', 'settlement JSON-RPC endpoint (default settlement.rpcUrl)')
    .option(
      '--key <hex>',
      'signing key: the sequencer key, or the validator or prover stake key (default $MODEX_NODE_KEY)',
    )
    .option('--data-dir <dir>', 'data directory of this role', '.modex')
    .option(
      '--port <n>',
      'sequencer: JSON-RPC port, which also serves Prometheus metrics at GET /metrics (0: any free port); a vm.app "evm" chain serves the Ethereum JSON-RPC there too, HTTP and WebSocket (docs/evm-rpc.md)',
      '8547',
    )
    .option(
      '--host <host>',
      'sequencer: JSON-RPC interface; validator: metrics and read-only JSON-RPC interface',
      '127.0.0.1',
    )
    .option('--interval <ms>', 'validator, prover: ms between rounds', '1000')
    .option(
      '--metrics-port <n>',
      'validator, prover: port of its Prometheus metrics, GET /metrics (0: any free port; docs/node.md §8)',
      '9464',
    )
    .option(
      '--rpc-port <n>',
      'validator: serve a read-only JSON-RPC over the derived chain (a vm.app "evm" chain: the Ethereum JSON-RPC too, docs/evm-rpc.md), with the explorer at GET / and the metrics at GET /metrics (0: any free port; the same port as --metrics-port: one server; default off; docs/node.md §2.1)',
    )
    .option(
      '--sequencer-url <url>',
      "validator: the sequencer's JSON-RPC URL, named when its read-only JSON-RPC refuses a transaction",
    )
    .option(
      '--member-key <file>',
      'validator, attested chains: a committee member key file (`modex validator keygen`, registered with `modex validator register`) this node signs with; repeatable (docs/node.md §5.1)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--attest-peer <url>',
      "validator, attested chains: another validator's --rpc-port JSON-RPC URL, to which this node's members' signatures are posted (modex_submitAttestations); repeatable (docs/attested.md §7.1)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx modex node --role sequencer --deployment deployment.json --rpc http://127.0.0.1:8545 --key 0xac09…\n' +
        '  $ MODEX_NODE_KEY=0x59c6… npx modex node --role validator --deployment deployment.json --rpc http://127.0.0.1:8545 --metrics-port 9464\n' +
        '  $ MODEX_NODE_KEY=0x59c6… npx modex node --role validator --deployment deployment.json --rpc http://127.0.0.1:8545 --rpc-port 8548 --sequencer-url http://127.0.0.1:8547/\n' +
        '  $ curl -s http://127.0.0.1:8548/ -d \'{"jsonrpc":"2.0","id":1,"method":"modex_blockNumber"}\'    # the follower\'s JSON-RPC; its explorer: open http://127.0.0.1:8548/\n' +
        '  $ MODEX_NODE_KEY=0x59c6… npx modex node --role validator --deployment deployment.json --rpc http://127.0.0.1:8545 --rpc-port 8548 --member-key member0.json --attest-peer http://10.0.0.2:8548/    # an attested chain\n' +
        '  $ curl -s http://127.0.0.1:8547/metrics    # Prometheus metrics (the validator: its --metrics-port)\n' +
        "  $ MODEX_NODE_KEY=0x5de4… npx modex node --role prover --config examples/validity.config.json --deployment deployment.json --rpc http://127.0.0.1:8545    # a zk-rollup's prover (docs/validity.md §6)\n" +
        "  $ MODEX_NODE_KEY=0x5de4… npx modex node --role prover --config examples/hybrid.config.json --deployment deployment.json --rpc http://127.0.0.1:8545    # a hybrid chain's prover: proves, challenges wrong assertions, rejects them unproven (docs/validity.md §6.3)\n",
    )
    .action(
      runAction(
        async (o: {
          role: string;
          config: string;
          deployment: string;
          rpc?: string;
          key?: string;
          dataDir: string;
          port: string;
          host: string;
          interval: string;
          metricsPort: string;
          rpcPort?: string;
          sequencerUrl?: string;
          memberKey?: string[];
          attestPeer?: string[];
        }) => {
          if (o.role !== 'sequencer' && o.role !== 'validator' && o.role !== 'prover')
            throw new NodeOptionError(`--role ${o.role}: use sequencer, validator or prover`);
          const {
            loadConfig,
            readDeploymentFile,
            connectL1,
            attachChain,
            appOfDeployment,
            privateKeyToAccount,
            startSequencerRole,
            startValidatorRole,
            startFollowerRpc,
            daForConfig,
            startMetricsServer,
            checkValidityRole,
            proverKeysFor,
            startProverRole,
            provedRangeLine,
          } = await load();
          const config = loadConfig(configPath(o.config));
          refuseSovereign(config, 'node');
          const d = readDeploymentFile(o.deployment);
          checkValidityRole(o.role, config, d);
          const key = keyOf(o.key, 'MODEX_NODE_KEY');
          const l1 = await connectL1(rpcOf(o.rpc, config.settlement.rpcUrl), { privateKeys: [key] });
          if (l1.chainId !== d.chainId) {
            throw new NodeOptionError(
              `the endpoint is chain ${l1.chainId}, the deployment is on chain ${d.chainId}`,
            );
          }
          const chain = await attachChain(l1, d, config);
          // the app's wasm (the deployment's stf file, or the built-in app), checked against its module root
          const { source, chainId } = appOfDeployment(d);
          if (config.da.module === 'committee' && !d.committee) {
            throw new NodeOptionError(
              'the config asks for committee DA but the deployment has no committee (deploy with the same config)',
            );
          }

          const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
          const dataDir = join(o.dataDir, o.role);
          mkdirSync(dataDir, { recursive: true });
          let stop = async () => {};
          let stopping = false;
          const onSignal = async (sig: string) => {
            if (stopping) return;
            stopping = true;
            log(`${sig}: stopping...`);
            await stop().catch(() => {});
            log('stopped');
            process.exit(0);
          };
          process.on('SIGINT', onSignal);
          process.on('SIGTERM', onSignal);
          const me = privateKeyToAccount(key).address;
          if (o.role === 'sequencer') {
            const seqAddress = await chain.inbox.sequencer();
            if (seqAddress.toLowerCase() !== me.toLowerCase()) {
              throw new NodeOptionError(`the key is ${me}, but the inbox's sequencer is ${seqAddress}`);
            }
            const r = await startSequencerRole({
              chain,
              app: source,
              chainId,
              config,
              rpcUrl: l1.rpcUrl,
              sequencerKey: key,
              dataDir,
              port: Number(o.port),
              host: o.host,
              log,
            });
            stop = () => r.close();
            log(
              `sequencer ${me}: JSON-RPC at ${r.server.url} (Prometheus metrics: ${new URL('/metrics', r.server.url)})`,
            );
          } else if (o.role === 'prover') {
            // docs/validity.md §6: the app's circuit keys (from the cache when this machine made them)
            log("prover: the app's circuit and keys...");
            const { validity, keys } = await proverKeysFor(d, config, (l) => log(`prover:   ${l}`));
            const name = `prover ${me.slice(0, 10)}`;
            const r = startProverRole({
              chain,
              app: source,
              chainId,
              config,
              validity,
              name,
              da: daForConfig(config, {
                rpcUrl: l1.rpcUrl,
                rpc: l1.publicClient,
                publicClient: l1.publicClient,
              }),
              log,
            });
            const metrics = await startMetricsServer(r.metrics, {
              port: portOf('--metrics-port', o.metricsPort),
              host: o.host,
            }).catch((e: Error) => {
              throw new NodeOptionError(
                `cannot serve metrics on ${o.host}:${o.metricsPort} (${e.message}): pass another --metrics-port (0: any free port)`,
              );
            });
            stop = () => metrics.close();
            log(
              `${name}: following the inbox at ${d.addresses.inbox}; proving with ${validity.name}'s circuit (${keys.chunkSize} records per proof${keys.insecure ? ', INSECURE development keys' : ''})${r.challenger ? '; challenging wrong assertions (hybrid disputes, docs/validity.md §6.3)' : ''}; metrics at ${metrics.url}`,
            );
            const interval = Number(o.interval);
            for (;;) {
              if (stopping) return;
              try {
                for (const line of await r.tick()) log(`${name}: ${provedRangeLine(line)}`);
              } catch (e) {
                if (stopping) return;
                log(`round failed (retrying): ${(e as Error).message.split('\n')[0]}`);
              }
              await new Promise((res) => setTimeout(res, interval));
            }
          } else {
            const attest = await attestOf(o.memberKey ?? [], o.attestPeer ?? [], chain, l1.chainId, log);
            const r = startValidatorRole({
              chain,
              app: source,
              chainId,
              config,
              name: `validator ${me.slice(0, 10)}`,
              da: daForConfig(config, {
                rpcUrl: l1.rpcUrl,
                rpc: l1.publicClient,
                publicClient: l1.publicClient,
              }),
              log,
              sequencerUrl: o.sequencerUrl,
              ...(attest ? { attest } : {}),
            });
            const metricsPort = portOf('--metrics-port', o.metricsPort);
            const rpcPort = o.rpcPort === undefined ? undefined : portOf('--rpc-port', o.rpcPort);
            // the read-only JSON-RPC (and explorer) also serves the metrics: one server when the ports are the same
            const server =
              rpcPort === undefined
                ? undefined
                : await startFollowerRpc(r, {
                    chain,
                    config,
                    port: rpcPort,
                    host: o.host,
                    metrics: r.metrics,
                    ...(attest ? { attestations: attest.pool } : {}),
                  }).catch((e: Error) => {
                    throw new NodeOptionError(
                      `cannot serve JSON-RPC on ${o.host}:${rpcPort} (${e.message}): pass another --rpc-port (0: any free port)`,
                    );
                  });
            const metrics =
              server && rpcPort === metricsPort
                ? { url: new URL('/metrics', server.url).href, close: async () => {} }
                : await startMetricsServer(r.metrics, {
                    port: metricsPort,
                    host: o.host,
                  }).catch(async (e: Error) => {
                    await server?.close();
                    throw new NodeOptionError(
                      `cannot serve metrics on ${o.host}:${o.metricsPort} (${e.message}): pass another --metrics-port (0: any free port)`,
                    );
                  });
            stop = async () => {
              attest?.pool.close();
              await server?.close();
              await metrics.close();
            };
            log(`validator ${me}: following the inbox at ${d.addresses.inbox}; metrics at ${metrics.url}`);
            if (attest)
              log(
                `validator ${me}: runs ${attest.keys.length} committee member key(s); signatures posted to ${o.attestPeer?.length ?? 0} peer(s)${server ? `, taken from peers at ${server.url}` : ' (no --rpc-port: peers cannot post theirs here)'}`,
              );
            if (server)
              log(
                `validator ${me}: read-only JSON-RPC at ${server.url} (explorer: open it in a browser; transactions go to the sequencer)`,
              );
            const interval = Number(o.interval);
            for (;;) {
              if (stopping) return;
              try {
                await r.tick();
              } catch (e) {
                if (stopping) return;
                log(`round failed (retrying): ${(e as Error).message.split('\n')[0]}`);
              }
              await new Promise((res) => setTimeout(res, interval));
            }
          }
        },
      ),
    );
}

function portOf(flag: string, v: string): number {
  if (!/^[0-9]{1,5}$/.test(v) || Number(v) > 65535)
    throw new NodeOptionError(`${flag} ${v}: expected a port, 0..65535`);
  return Number(v);
}

/**
 * `--member-key` and `--attest-peer`: the attester's keys and its gossiping pool (docs/attested.md
 * §7.1), or undefined without member keys. Refused on a chain without a validator committee.
 */
async function attestOf(
  files: string[],
  peers: string[],
  chain: { committee?: ValidatorCommitteeClient },
  chainId: number,
  log: (s: string) => void,
): Promise<{ keys: ValidatorKey[]; pool: GossipPool } | undefined> {
  if (files.length === 0) {
    if (peers.length > 0)
      throw new NodeOptionError('--attest-peer needs --member-key: this node has no signatures to post');
    return undefined;
  }
  const committee = chain.committee;
  if (!committee)
    throw new NodeOptionError(
      '--member-key: the chain is not attested (the deployment has no validator committee; proof.module "attested", docs/attested.md)',
    );
  for (const url of peers)
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
      throw new NodeOptionError(`--attest-peer ${url}: expected an http(s) URL of a validator's --rpc-port`);
  const { readValidatorKeyFile } = await import('./validator.ts');
  const { GossipPool } = await import('../../node/attestation-gossip.ts');
  const keys = await Promise.all(files.map((f) => readValidatorKeyFile(f)));
  const pool = new GossipPool(
    { chainId: BigInt(chainId), committee: committee.address },
    {
      peers,
      registeredKey: async (v) => (await committee.publicKeys([v]))[0],
      log,
    },
  );
  return { keys, pool };
}
