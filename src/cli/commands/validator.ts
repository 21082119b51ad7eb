/**
 * `modex validator`: a committee member of an attested chain on a real L1 (docs/attested.md §1.3,
 * §1.4; docs/node.md §5.1): `keygen` (its BLS key file, the DA committee's format and code,
 * docs/committee.md §1), `register` (stake and key with its proof of possession), `exit`,
 * `withdraw`, and `status` (the current epoch, its committee and every validator's state).
 */
import type { Command } from 'commander';
import type { Address, Hex } from 'viem';
import type { ValidatorKey } from '../../node/attester.ts';
import type { ValidatorInfo } from '../../settlement/ethereum/validator-committee.ts';
import { runAction } from '../action.ts';
import { configPath, DEFAULT_CONFIG, keyOf, NodeOptionError, rpcOf } from './node.ts';

/** What the actions run, loaded when one runs (so `modex --help` and other commands start fast). */
async function load() {
  return {
    ...(await import('viem')),
    ...(await import('viem/accounts')),
    ...(await import('../../config/load.ts')),
    ...(await import('../../da/committee/key-file.ts')),
    ...(await import('../../l1/anvil.ts')),
    ...(await import('../../node/roles.ts')),
  };
}

/** A member key file (`modex validator keygen`, the DA key-file format) as the attester's key. */
export async function readValidatorKeyFile(path: string): Promise<ValidatorKey> {
  const { readMemberKeyFile } = await import('../../da/committee/key-file.ts');
  const { bytesToHex } = await import('viem');
  const k = readMemberKeyFile(path);
  return {
    secretKey: k.secretKey,
    publicKey: bytesToHex(k.publicKey),
    proofOfPossession: bytesToHex(k.proofOfPossession),
  };
}

/** A validator's state in epoch `e` (§1.4: eligible when activeFrom ≤ e and e < exitAt, not slashed). */
export function validatorState(
  v: Pick<ValidatorInfo, 'activeFrom' | 'exitAt' | 'slashed' | 'withdrawn'>,
  e: bigint,
): 'slashed' | 'withdrawn' | 'exited' | 'exiting' | 'eligible' | 'waiting' {
  if (v.slashed) return 'slashed';
  if (v.withdrawn) return 'withdrawn';
  if (v.exitAt !== 0n && e >= v.exitAt) return 'exited';
  if (v.activeFrom > e) return 'waiting';
  return v.exitAt !== 0n ? 'exiting' : 'eligible';
}

function indexOf(v: string): number {
  if (!/^[0-9]{1,5}$/.test(v) || Number(v) > 65535)
    throw new NodeOptionError(`--index ${v}: expected a validator index, 0..65535`);
  return Number(v);
}

interface ChainOptions {
  config: string;
  deployment: string;
  rpc?: string;
  key?: string;
}

/** The deployment's committee client, signing with the owner key (or a read-only key for `status`). */
async function committeeOf(o: ChainOptions, needKey: boolean) {
  const { loadConfig, readDeploymentFile, connectL1, attachChain, privateKeyToAccount } = await load();
  const config = loadConfig(configPath(o.config));
  const d = readDeploymentFile(o.deployment);
  if (!d.addresses.committee)
    throw new NodeOptionError(
      `${o.deployment}: the chain is not attested (the deployment has no validator committee, addresses.committee; deploy with proof.module "attested", docs/attested.md)`,
    );
  // reads need no key
  const key = needKey ? keyOf(o.key, 'MODEX_VALIDATOR_KEY') : undefined;
  const l1 = await connectL1(rpcOf(o.rpc, config.settlement.rpcUrl), key ? { privateKeys: [key] } : {});
  if (l1.chainId !== d.chainId)
    throw new NodeOptionError(`the endpoint is chain ${l1.chainId}, the deployment is on chain ${d.chainId}`);
  const chain = await attachChain(l1, d, config);
  const committee = chain.committee;
  if (!committee) throw new NodeOptionError(`${o.deployment}: the chain is not attested`);
  return { committee, me: key ? privateKeyToAccount(key).address : undefined };
}

function chainOptions(c: Command, keyHelp?: string): Command {
  c.option('-c, --config <file>', 'chain config (for settlement.rpcUrl; see docs/config.md)', DEFAULT_CONFIG)
    .requiredOption('-d, --deployment <file>', 'deployment file written by `modex deploy`')
    .option('--rpc <url>', 'settlement JSON-RPC endpoint (default settlement.rpcUrl)');
  return keyHelp ? c.option('--key <hex>', keyHelp) : c;
}

const OWNER_KEY =
  "the validator's owner key, which pays the stake and gets it back (default $MODEX_VALIDATOR_KEY)";

export function register(program: Command): void {
  const v = program
    .command('validator')
    .description(
      "a committee member of an attested chain (docs/attested.md §1, docs/node.md §5.1): BLS key, registration with a stake, exit, withdrawal, the committee's status",
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ npx modex validator keygen --out member0.json\n' +
        '  $ MODEX_VALIDATOR_KEY=0x59c6… npx modex validator register --deployment deployment.json --key-file member0.json --rpc http://127.0.0.1:8545\n' +
        '  $ npx modex validator status --deployment deployment.json --rpc http://127.0.0.1:8545\n' +
        '  $ MODEX_NODE_KEY=0x59c6… npx modex node --role validator --deployment deployment.json --rpc http://127.0.0.1:8545 --rpc-port 8548 --member-key member0.json --attest-peer http://10.0.0.2:8548/\n' +
        '  $ MODEX_VALIDATOR_KEY=0x59c6… npx modex validator exit --deployment deployment.json --index 0 --rpc http://127.0.0.1:8545\n',
    );

  v.command('keygen')
    .description(
      "write a new BLS member key file (secret key, public key, proof of possession; mode 0600; the DA committee's format, docs/committee.md §1)",
    )
    .requiredOption('-o, --out <file>', 'where to write it (refused if it exists)')
    .addHelpText('after', '\nExample:\n  $ npx modex validator keygen --out member0.json\n')
    .action(
      runAction(async (o: { out: string }) => {
        const { generateMemberKey, writeMemberKeyFile, bytesToHex } = await load();
        const k = generateMemberKey();
        writeMemberKeyFile(o.out, k);
        console.log(`public key ${bytesToHex(k.publicKey)}`);
        console.log(`key written to ${o.out} (keep it secret: whoever holds it signs for the member)`);
      }),
    );

  chainOptions(
    v
      .command('register')
      .description(
        "register a member key on the chain's validator committee, sending the committee's stake (§1.3); prints its index and the epoch it becomes eligible",
      )
      .requiredOption('--key-file <file>', 'member key file written by `modex validator keygen`'),
    OWNER_KEY,
  )
    .addHelpText(
      'after',
      '\nExample:\n  $ MODEX_VALIDATOR_KEY=0x59c6… npx modex validator register --deployment deployment.json --key-file member0.json --rpc http://127.0.0.1:8545\n',
    )
    .action(
      runAction(async (o: ChainOptions & { keyFile: string }) => {
        const key = await readValidatorKeyFile(o.keyFile);
        const { committee, me } = await committeeOf(o, true);
        const { stake } = await committee.params();
        const { index, gasUsed } = await committee.register(key.publicKey, key.proofOfPossession, stake);
        const info = (await committee.validators()).find((x) => x.index === index);
        console.log(`registered validator ${index} (owner ${me}, stake ${stake} wei, gas ${gasUsed})`);
        console.log(
          `eligible from epoch ${info?.activeFrom} (current epoch ${await committee.currentEpoch()}); run it with \`modex node --role validator --member-key ${o.keyFile}\``,
        );
      }),
    );

  for (const [name, what] of [
    ['exit', 'start leaving the committee (§1.4): no longer eligible from exitAt = now + exitDelayEpochs'],
    [
      'withdraw',
      'pay the stake back to the owner, after exit, from epoch exitAt + withdrawalDelayEpochs on (§1.4)',
    ],
  ] as const) {
    chainOptions(
      v
        .command(name)
        .description(what)
        .requiredOption('--index <n>', 'the validator index (`modex validator status`)'),
      OWNER_KEY,
    )
      .addHelpText(
        'after',
        `\nExample:\n  $ MODEX_VALIDATOR_KEY=0x59c6… npx modex validator ${name} --deployment deployment.json --index 3 --rpc http://127.0.0.1:8545\n`,
      )
      .action(
        runAction(async (o: ChainOptions & { index: string }) => {
          const index = indexOf(o.index);
          const { committee } = await committeeOf(o, true);
          if (name === 'exit') {
            const { gasUsed } = await committee.exit(index);
            const info = (await committee.validators()).find((x) => x.index === index);
            console.log(
              `validator ${index} exiting: eligible until epoch ${info?.exitAt} (exclusive); withdraw from epoch ${
                (info?.exitAt ?? 0n) + BigInt((await committee.params()).withdrawalDelayEpochs)
              } on (gas ${gasUsed})`,
            );
          } else {
            const { gasUsed } = await committee.withdraw(index);
            console.log(`validator ${index}: stake withdrawn (gas ${gasUsed})`);
          }
        }),
      );
  }

  chainOptions(
    v
      .command('status')
      .description(
        "the chain's validator committee: current epoch, its members and quorum threshold, every registered validator and its state",
      )
      .option('--json', 'print JSON'),
  )
    .addHelpText(
      'after',
      '\nStates: waiting (registered, eligible from activeFrom), eligible, exiting (eligible until exitAt), exited, withdrawn, slashed.\n' +
        'Example:\n  $ npx modex validator status --deployment deployment.json --rpc http://127.0.0.1:8545 --json\n',
    )
    .action(
      runAction(async (o: ChainOptions & { json?: boolean }) => {
        const { committee } = await committeeOf(o, false);
        const [params, current, validators] = await Promise.all([
          committee.params(),
          committee.currentEpoch(),
          committee.validators(),
        ]);
        const epoch = await committee.epoch(current);
        const members = new Set(epoch?.members ?? []);
        const rows = validators.map((x) => ({
          index: x.index,
          owner: x.owner as Address,
          publicKey: x.publicKey as Hex,
          activeFrom: Number(x.activeFrom),
          exitAt: x.exitAt === 0n ? null : Number(x.exitAt),
          state: validatorState(x, current),
          inCommittee: members.has(x.index),
        }));
        const out = {
          committee: committee.address,
          currentEpoch: Number(current),
          activeSize: params.activeSize,
          assumedHonest: params.assumedHonest,
          epochBlocks: params.epochBlocks,
          stake: params.stake.toString(),
          epoch: epoch
            ? { sealed: true, members: epoch.members, threshold: epoch.threshold }
            : { sealed: false, members: [], threshold: null },
          validators: rows,
        };
        if (o.json) {
          console.log(JSON.stringify(out, null, 2));
          return;
        }
        console.log(
          `committee ${out.committee}: epoch ${current} (${params.epochBlocks} L1 blocks each), ${params.activeSize} active, ${params.assumedHonest} assumed honest, stake ${params.stake} wei`,
        );
        console.log(
          epoch
            ? `epoch ${current}: ${epoch.members.length} members [${epoch.members.join(', ')}], quorum ${epoch.threshold}`
            : `epoch ${current}: not sealed yet (a validator node seals it; docs/attested.md §2.2)`,
        );
        console.log(`${rows.length} validator(s):`);
        for (const r of rows)
          console.log(
            `  ${String(r.index).padStart(4)} ${r.state.padEnd(9)} ${r.inCommittee ? 'member ' : '       '} owner ${r.owner} from epoch ${r.activeFrom}${r.exitAt === null ? '' : ` until ${r.exitAt}`}`,
          );
      }),
    );
}
