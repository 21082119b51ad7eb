/**
 * `modex light` against the sovereign devnet's full nodes (docs/sovereign.md §7, §8): it follows
 * both over HTTP with L1's accumulators, catches the lying one, and checks a block on demand with
 * the step interpreter.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.test-helper.ts';

describe('modex light', () => {
  it('follows the devnet full nodes, rejects the lying one, checks a block on demand (interp)', {
    timeout: 180_000,
  }, async () => {
    const devnet = runCli(['devnet', '--config', 'examples/sovereign.config.json', '--scenario', 'fraud']);
    try {
      const out = await devnet.waitFor('batch 4 posted');
      const rpc = /L1: (\S+?),? /.exec(out)?.[1] as string;
      const inbox = /Inbox deployed at (0x[0-9a-f]{40})/.exec(out)?.[1] as string;
      const peers = [...out.matchAll(/proofs at (http\S+)/g)].flatMap((m) => ['--peer', m[1]]);
      expect(peers).toHaveLength(4);
      const r = await runCli([
        'light',
        '--config',
        'examples/sovereign.config.json',
        '--rpc',
        rpc,
        '--inbox',
        inbox,
        ...peers,
        '--until-head',
        '4',
        '--check',
        '1',
        '--engine',
        'interp',
        '--interval',
        '200',
        '--json',
      ]).done;
      expect(r.code, r.stderr).toBe(0);
      const last = JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
      expect(last.head.number).toBe(4);
      expect(last.peers.map((p: { honest: boolean; reason?: string }) => [p.honest, p.reason])).toEqual([
        [true, undefined],
        [false, 'wrong-root'],
      ]);
      expect(r.stderr).toContain('block 1 checked by proof');
      expect(r.stderr).toMatch(/DISHONEST \S+ \(wrong-root at block 2\)/);
    } finally {
      devnet.child.kill('SIGINT');
      await devnet.done;
    }
  });

  it('refuses a config that is not sovereign, by name', async () => {
    const r = await runCli([
      'light',
      '--config',
      'examples/devnet.config.json',
      '--rpc',
      'http://127.0.0.1:1',
      '--inbox',
      `0x${'00'.repeat(20)}`,
      '--peer',
      'http://127.0.0.1:2',
    ]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error [LIGHT_BAD_OPTION]');
    expect(r.stderr).toContain('a light client follows a sovereign chain');
  });
});
