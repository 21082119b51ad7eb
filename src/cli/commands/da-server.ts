/**
 * `modex da-server` (one data availability committee member, docs/da-server.md) and
 * `modex da keygen` (its BLS key file).
 */
import { type Command, Option } from 'commander';
import { DaServerOptionError } from '../../da/committee/committee-errors.ts';
import type { DaFault } from '../../da/committee/server.ts';
import {
  DA_SERVER_DEFAULT_MAX_BYTES,
  DA_SERVER_DEFAULT_MAX_RETENTION_SECONDS,
  DA_SERVER_DEFAULT_MIN_RETENTION_SECONDS,
} from '../../da/committee/server-defaults.ts';
import { runAction } from '../action.ts';
import { configPath, DEFAULT_CONFIG, keyOf, NodeOptionError, rpcOf } from './node.ts';

/** What the actions run, loaded when one runs (so `modex --help` and other commands start fast). */
async function load() {
  return {
    ...(await import('viem')),
    ...(await import('../../config/load.ts')),
    ...(await import('../../da/committee/key-file.ts')),
    ...(await import('../../da/committee/server.ts')),
    ...(await import('../../l1/anvil.ts')),
    ...(await import('../../node/da-modules.ts')),
    ...(await import('../../node/roles.ts')),
  };
}

function intOption(name: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new DaServerOptionError(`${name} ${v}: expected an integer in ${min}..${max}`);
  return Number(v);
}

/** `--fault` spec (testing only): delay:MS, bad-signature, withhold or corrupt. */
export function parseFault(spec: string): DaFault {
  const m = /^(?:delay|slow):([0-9]+)$/.exec(spec);
  if (m) return { delayMs: Number(m[1]) };
  if (spec === 'bad-signature' || spec === 'withhold' || spec === 'corrupt') return spec;
  throw new DaServerOptionError(`--fault ${spec}: use delay:MS, bad-signature, withhold or corrupt`);
}

export function register(program: Command): void {
  program
    .command('da-server')
    .description(
      'run one data availability committee member: stores batches (LMDB), signs them with its BLS key, serves them until their expiry (docs/da-server.md)',
    )
    .requiredOption('--key-file <file>', 'member key file written by `npx modex da keygen`')
    .requiredOption('--data-dir <dir>', 'where the member keeps its batches (LMDB)')
    .option(
      '--port <n>',
      'HTTP port, also serving Prometheus metrics at GET /metrics (0: any free port)',
      '9870',
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option(
      '--min-retention <s>',
      'shortest retention (seconds) the member promises: shorter expiries are refused (the chain needs challenge period + margin)',
      String(DA_SERVER_DEFAULT_MIN_RETENTION_SECONDS),
    )
    .option(
      '--max-retention <s>',
      'longest retention (seconds) the member promises',
      String(DA_SERVER_DEFAULT_MAX_RETENTION_SECONDS),
    )
    .option('--max-bytes <n>', 'largest batch accepted (bytes)', String(DA_SERVER_DEFAULT_MAX_BYTES))
    .addOption(
      new Option('--fault <spec>', 'TESTING ONLY: misbehave on purpose (docs/da-server.md §5)')
        .argParser((v: string, prev: string[] = []) => [...prev, v])
        .hideHelp(),
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ npx modex da keygen --out member0.json\n  $ npx modex da-server --key-file member0.json --data-dir .modex/da0 --port 9870\n',
    )
    .action(
      runAction(
        async (o: {
          keyFile: string;
          dataDir: string;
          port: string;
          host: string;
          minRetention: string;
          maxRetention: string;
          maxBytes: string;
          fault?: string[];
        }) => {
          const faults = o.fault?.map(parseFault);
          const { readMemberKeyFile, DaServer, bytesToHex } = await load();
          const key = readMemberKeyFile(o.keyFile);
          const server = await DaServer.start({
            secretKey: key.secretKey,
            dataDir: o.dataDir,
            port: intOption('--port', o.port, 0, 65535),
            host: o.host,
            minRetentionSeconds: intOption('--min-retention', o.minRetention, 1),
            maxRetentionSeconds: intOption('--max-retention', o.maxRetention, 1),
            maxBytes: intOption('--max-bytes', o.maxBytes, 1),
            fault: faults,
          });
          let stopping = false;
          const stop = async (sig: string) => {
            if (stopping) return;
            stopping = true;
            console.log(`${sig}: stopping...`);
            await server.close();
            console.log('stopped');
            process.exit(0);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
          console.log(`public key ${bytesToHex(server.publicKey)}`);
          if (faults?.length)
            console.log(`WARNING: fault injection on (${o.fault!.join(', ')}): testing only`);
          console.log(`stored batches ${server.stored}`);
          console.log(`listening at ${server.url}`);
        },
      ),
    );

  const da = program.command('da').description('data availability tools');
  da.command('keygen')
    .description(
      'write a committee member key file (JSON: BLS secret key, public key, proof of possession; mode 0600)',
    )
    .requiredOption('-o, --out <file>', 'where to write the key file (refuses to overwrite)')
    .option('--seed <hex>', 'derive the key from this seed (≥ 32 bytes of hex) instead of randomness')
    .addHelpText('after', '\nExample:\n  $ npx modex da keygen --out member0.json\n')
    .action(
      runAction(async (o: { out: string; seed?: string }) => {
        const { isHex, generateMemberKey, hexToBytes, writeMemberKeyFile, bytesToHex } = await load();
        if (o.seed !== undefined && (!isHex(o.seed) || o.seed.length < 66 || o.seed.length % 2 !== 0))
          throw new DaServerOptionError('--seed must be at least 32 bytes as 0x-prefixed hex');
        const key = generateMemberKey(o.seed === undefined ? undefined : hexToBytes(o.seed as `0x${string}`));
        writeMemberKeyFile(o.out, key);
        console.log(`public key ${bytesToHex(key.publicKey)}`);
        console.log(`proof of possession ${bytesToHex(key.proofOfPossession)}`);
        console.log(`key file written to ${o.out} (mode 0600)`);
      }),
    );

  da.command('rotate')
    .description(
      "rotate a chain's committee on L1: register the keyset of --config's da.committee (proofs of possession " +
        "checked on L1), invalidate the deployment's current keyset, update the deployment file (docs/committee.md §2.4)",
    )
    .option(
      '-c, --config <file>',
      'chain config with the new da.committee (see docs/config.md)',
      DEFAULT_CONFIG,
    )
    .requiredOption('--deployment <file>', 'deployment file written by `modex deploy` (updated in place)')
    .option('--rpc <url>', 'settlement JSON-RPC endpoint (default settlement.rpcUrl)')
    .option('--key <hex>', "the keysets' owner key: the deployer (default $MODEX_DEPLOYER_KEY)")
    .addHelpText(
      'after',
      '\nExample:\n  $ npx modex da rotate --config new-committee.json --deployment deployment.json --rpc http://127.0.0.1:8545\n' +
        'Then restart the sequencer and validators with the new config.\n',
    )
    .action(
      runAction(async (o: { config: string; deployment: string; rpc?: string; key?: string }) => {
        const { loadConfig, readDeploymentFile, connectL1, rotateCommittee, writeDeploymentFile } =
          await load();
        const config = loadConfig(configPath(o.config));
        if (config.da.module !== 'committee') {
          throw new NodeOptionError(
            `--config ${o.config}: da.module is "${config.da.module}", not "committee"`,
          );
        }
        const d = readDeploymentFile(o.deployment);
        if (!d.committee)
          throw new NodeOptionError(`${o.deployment}: the chain was deployed without a committee`);
        const l1 = await connectL1(rpcOf(o.rpc, config.settlement.rpcUrl), {
          privateKeys: [keyOf(o.key, 'MODEX_DEPLOYER_KEY')],
        });
        if (l1.chainId !== d.chainId) {
          throw new NodeOptionError(
            `the endpoint is chain ${l1.chainId}, the deployment is on chain ${d.chainId}`,
          );
        }
        const old = d.committee.keysetHash;
        d.committee = await rotateCommittee(l1, d.committee, config.da);
        writeDeploymentFile(o.deployment, d);
        console.log(
          `registered keyset ${d.committee.keysetHash} (${config.da.committee?.members.length} members)`,
        );
        console.log(`invalidated keyset ${old}`);
        console.log(`${o.deployment} updated`);
      }),
    );
}
