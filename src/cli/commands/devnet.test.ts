import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { isAnvil } from '../../l1/process-registry.ts';
import { runCli } from '../run-cli.test-helper.ts';

function anvilPid(stdout: string): number {
  const m = /embedded anvil, pid (\d+)/.exec(stdout);
  expect(m).not.toBeNull();
  return Number(m![1]);
}

describe('modex devnet', () => {
  it('--exit-when-ready prints what runs, exits 0 and leaves no anvil', async () => {
    const r = await runCli(['devnet', '--exit-when-ready']).done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'modex devnet: modex-devnet (L2 chain id 412346): wasm VM with app token, fraud proofs',
    );
    expect(r.stdout).toContain('[1/5] settlement layer: starting embedded anvil...');
    expect(r.stdout).toMatch(/sequencer RPC {4}http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stdout).toContain('exit-when-ready: stopped');
    expect(r.stdout).toMatch(/settlement RPC {3}http:\/\/127\.0\.0\.1:\d+ \(embedded anvil, pid \d+\)/);
    // one chain id per layer, labelled: no chain id without its layer
    expect(r.stdout.match(/(?<!L[12] )chain id/g)).toBeNull();
    expect(r.stdout).toContain('L1 chain id      31337   (the settlement layer)');
    expect(r.stdout).toMatch(/L2 chain id {6}412346 {3}\(modex-devnet, app token/);
    expect(r.stdout).toMatch(/explorer {9}http:\/\/127\.0\.0\.1:\d+\//);
    expect(r.stdout).toContain('[0] 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 0xac0974bec');
    expect(r.stdout).toMatch(/OneStepProver +0x[0-9a-f]{40} {2}\(contracts\/osp\/OneStepProver\.sol\)/);
    for (const name of ['Inbox', 'Bridge', 'Rollup', 'ChallengeManager']) {
      expect(r.stdout).toMatch(
        new RegExp(`${name} +0x[0-9a-f]{40} {2}\\(contracts/settlement/${name}\\.sol\\)`),
      );
    }
    expect(r.stdout).toMatch(/STF module root +0x[0-9a-f]{64}/);
    expect(isAnvil(anvilPid(r.stdout))).toBe(false);
  });

  it('runs until SIGINT, then stops anvil and exits 0; piped, it says what to do next', async () => {
    const run = runCli(['devnet']);
    const out = await run.waitFor('press Ctrl-C to stop');
    const pid = anvilPid(out);
    expect(isAnvil(pid)).toBe(true);
    const url = /sequencer RPC {4}(http:\/\/127\.0\.0\.1:\d+\/?)/.exec(out)![1];
    expect(out).toContain(`ask the node       curl -s ${url} -H 'content-type: application/json'`);
    expect(out).toContain(`createModexClient({ url: '${url}' })`);
    expect(out).toContain(`open the explorer  ${url.replace(/\/$/, '')}/`);
    // the chain state is printed when it changes, not every 2 s: wait for a few rounds
    await run.waitFor('your transactions 0');
    await new Promise((r) => setTimeout(r, 3_000));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('SIGINT: stopping...');
    expect(r.stdout).toContain('stopped');
    const status = r.stdout.split('\n').filter((l) => /^\[\d+\.\ds\] L2 blocks/.test(l));
    expect(status.length).toBeGreaterThan(0);
    // no status line repeats the one before it
    const bodies = status.map((l) => l.replace(/^\[[^\]]*\] /, ''));
    for (let i = 1; i < bodies.length; i++) expect(bodies[i]).not.toBe(bodies[i - 1]);
    // no terminal control sequences when piped
    expect(r.stdout).not.toContain('\x1b[');
    expect(isAnvil(pid)).toBe(false);
  });

  it('reports an unreachable --rpc as a ModexError without stack trace', async () => {
    const r = await runCli(['devnet', '--rpc', 'http://127.0.0.1:1', '--exit-when-ready']).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[L1_UNREACHABLE\]: no JSON-RPC answer from http:\/\/127\.0\.0\.1:1/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an unknown --da module, before starting anything', async () => {
    const r = await runCli(['devnet', '--da', 'ipfs', '--exit-when-ready']).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error [DEVNET_BAD_OPTION]: --da ipfs: use l1-calldata, l1-blob, committee');
    expect(r.stdout).not.toContain('starting embedded anvil');
  });

  it('refuses an invalid --config', async () => {
    const r = await runCli(['devnet', '--config', 'does-not-exist.json', '--exit-when-ready']).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error [CONFIG_UNREADABLE]: cannot read config file does-not-exist.json');
  });

  describe('with --rpc', () => {
    let l1: L1;
    beforeAll(async () => {
      l1 = await startAnvil();
    });
    afterAll(async () => {
      await l1?.stop();
    });

    it('deploys to the given endpoint and leaves it running', async () => {
      const r = await runCli(['devnet', '--rpc', l1.rpcUrl, '--exit-when-ready']).done;
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`settlement RPC   ${l1.rpcUrl}\n`);
      const addr = /OneStepProver +(0x[0-9a-f]{40})/.exec(r.stdout)![1] as `0x${string}`;
      expect(await l1.publicClient.getCode({ address: addr })).toMatch(/^0x60/);
      expect(isAnvil(l1.pid!)).toBe(true);
    });
  });
});
