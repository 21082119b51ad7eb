import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.test-helper.ts';

describe('modex deploy and modex node with a sovereign config', () => {
  it('refuse it by name before touching L1, saying what runs a sovereign chain', async () => {
    const cfg = ['--config', 'examples/sovereign.config.json', '--rpc', 'http://127.0.0.1:1'];
    const deploy = await runCli(['deploy', ...cfg, '--key', `0x${'11'.repeat(32)}`, '--out', '/dev/null'])
      .done;
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toContain(
      'error [NODE_BAD_OPTION]: settlement.module is "sovereign": a sovereign chain has no settlement contracts',
    );
    const node = await runCli(['node', '--role', 'validator', ...cfg, '--deployment', 'nope.json']).done;
    expect(node.code).toBe(1);
    expect(node.stderr).toContain("`modex node` runs the ethereum settlement's roles");
  });
});
