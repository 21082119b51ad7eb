/**
 * `modex validator` against anvil (docs/attested.md §1.3, §1.4): keygen writes a key file the
 * register command reads; register stakes and prints the index and the eligible epoch; status lists
 * the validators; exit, then withdraw (TooEarly until the delay passed); the contract's refusals
 * come out typed (duplicate key, not the owner, withdraw before exit), and a chain without a
 * committee is refused as "not attested".
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import { readMemberKeyFile } from '../../da/committee/key-file.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { REPO_ROOT } from '../../l1/contracts.ts';
import { deployForConfig, writeDeploymentFile } from '../../node/roles.ts';
import { runCli } from '../run-cli.test-helper.ts';
import { validatorState } from './validator.ts';

let l1: L1;
let dir: string;
let attested: string;
let plain: string;
beforeAll(async () => {
  l1 = await startAnvil();
  dir = mkdtempSync(join(tmpdir(), 'modex-validator-test-'));
  const raw = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/attested.config.json'), 'utf8'));
  raw.proof.challengePeriodSeconds = 10;
  raw.proof.attested = {
    activeSize: 2,
    assumedHonest: 1,
    epochBlocks: 2,
    stake: '1000000000000000000',
    entryDelayEpochs: 2,
    exitDelayEpochs: 2,
    withdrawalDelayEpochs: 1,
    slashRewardPercent: 50,
    localValidators: 0,
  };
  const cfg = join(dir, 'attested.config.json');
  writeFileSync(cfg, JSON.stringify(raw));
  attested = join(dir, 'attested-deployment.json');
  writeDeploymentFile(attested, (await deployForConfig(l1, loadConfig(cfg))).file);
  plain = join(dir, 'plain-deployment.json');
  writeDeploymentFile(
    plain,
    (await deployForConfig(l1, loadConfig(join(REPO_ROOT, 'examples/devnet.config.json')))).file,
  );
}, 120_000);
afterAll(async () => {
  await l1?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(['validator', ...args]).done;
const on = (deployment: string, key = l1.accounts[1].privateKey) => [
  '--deployment',
  deployment,
  '--rpc',
  l1.rpcUrl,
  '--key',
  key,
];

describe('validatorState (§1.4)', () => {
  const v = { activeFrom: 5n, exitAt: 0n, slashed: false, withdrawn: false };
  it('waits until activeFrom, is eligible until exitAt, then exited', () => {
    expect(validatorState(v, 4n)).toBe('waiting');
    expect(validatorState(v, 5n)).toBe('eligible');
    expect(validatorState({ ...v, exitAt: 8n }, 7n)).toBe('exiting');
    expect(validatorState({ ...v, exitAt: 8n }, 8n)).toBe('exited');
    expect(validatorState({ ...v, exitAt: 8n, withdrawn: true }, 9n)).toBe('withdrawn');
    expect(validatorState({ ...v, slashed: true }, 6n)).toBe('slashed');
  });
});

describe('modex validator on anvil (slow)', () => {
  it('keygen, register, status, exit, withdraw; typed refusals', async () => {
    const keyFile = join(dir, 'member0.json');
    const gen = await cli(['keygen', '--out', keyFile]);
    expect(gen.stderr).toBe('');
    expect(gen.code).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const k = readMemberKeyFile(keyFile);
    expect(gen.stdout).toContain(Buffer.from(k.publicKey).toString('hex'));
    // a chain without a committee
    const notAttested = await cli(['register', ...on(plain), '--key-file', keyFile]);
    expect(notAttested.code).toBe(1);
    expect(notAttested.stderr).toContain('not attested');

    const reg = await cli(['register', ...on(attested), '--key-file', keyFile]);
    expect(reg.stderr).toBe('');
    expect(reg.code).toBe(0);
    expect(reg.stdout).toMatch(
      /registered validator 0 \(owner 0x[0-9a-fA-F]{40}, stake 1000000000000000000 wei/,
    );
    const eligible = Number(/eligible from epoch (\d+) \(current epoch (\d+)\)/.exec(reg.stdout)?.[1]);
    const regEpoch = Number(/current epoch (\d+)/.exec(reg.stdout)?.[1]);
    expect(eligible).toBe(regEpoch + 2);

    // the same key twice: the contract's DuplicateKey, typed
    const dup = await cli(['register', ...on(attested), '--key-file', keyFile]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('VALIDATOR_COMMITTEE_DUPLICATE_KEY');

    const st = await cli(['status', '--deployment', attested, '--rpc', l1.rpcUrl, '--json']);
    expect(st.stderr).toBe('');
    const status = JSON.parse(st.stdout);
    expect(status.activeSize).toBe(2);
    expect(status.validators).toHaveLength(1);
    expect(status.validators[0]).toMatchObject({ index: 0, state: 'waiting', activeFrom: eligible });

    // withdraw before exit; exit by someone who is not the owner
    const early = await cli(['withdraw', ...on(attested), '--index', '0']);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('VALIDATOR_COMMITTEE_NOT_EXITING');
    const stranger = await cli(['exit', ...on(attested, l1.accounts[2].privateKey), '--index', '0']);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toContain('VALIDATOR_COMMITTEE_NOT_OWNER');

    const exit = await cli(['exit', ...on(attested), '--index', '0']);
    expect(exit.stderr).toBe('');
    const until = Number(/eligible until epoch (\d+)/.exec(exit.stdout)?.[1]);
    const from = Number(/withdraw from epoch (\d+) on/.exec(exit.stdout)?.[1]);
    expect(from).toBe(until + 1);
    const tooEarly = await cli(['withdraw', ...on(attested), '--index', '0']);
    expect(tooEarly.code).toBe(1);
    expect(tooEarly.stderr).toContain('VALIDATOR_COMMITTEE_TOO_EARLY');
    expect(tooEarly.stderr).toContain(`from epoch ${from} on`);

    await l1.testClient.mine({ blocks: 2 * 4 });
    const before = await l1.publicClient.getBalance({ address: l1.accounts[1].address });
    const w = await cli(['withdraw', ...on(attested), '--index', '0']);
    expect(w.stderr).toBe('');
    expect(w.stdout).toContain('validator 0: stake withdrawn');
    const after = await l1.publicClient.getBalance({ address: l1.accounts[1].address });
    expect(after - before).toBeGreaterThan(10n ** 18n - 10n ** 16n);
  }, 180_000);
});
