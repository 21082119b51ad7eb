/**
 * `modex da keygen` and `modex da-server` as real processes: key files (mode 0600, checked on
 * read), a member serving over HTTP, typed errors for bad key files and options, clean SIGTERM.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Hex, hexToBytes, keccak256 } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blsKeyFromSeed, blsVerify, signingMessage } from '../../crypto/bls.ts';
import { readMemberKeyFile } from '../../da/committee/key-file.ts';
import { runCli } from '../run-cli.test-helper.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modex-da-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const SEED = `0x${'11'.repeat(32)}` as Hex;

describe('modex da keygen / modex da-server', () => {
  it('keygen writes a 0600 key file that reads back; refuses to overwrite and bad seeds', async () => {
    const out = join(dir, 'k.json');
    const r = await runCli(['da', 'keygen', '--out', out, '--seed', SEED]).done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const k = readMemberKeyFile(out);
    expect(k.publicKey).toEqual(blsKeyFromSeed(hexToBytes(SEED)).publicKey);
    expect(r.stdout).toContain(`key file written to ${out}`);
    const again = await runCli(['da', 'keygen', '--out', out]).done;
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/error \[DA_KEY_FILE_INVALID\]: cannot write key file .* already exists/);
    const short = await runCli(['da', 'keygen', '--out', join(dir, 'x.json'), '--seed', '0x1234']).done;
    expect(short.stderr).toContain('error [DA_SERVER_BAD_OPTION]: --seed must be at least 32 bytes');
  });

  it('da-server refuses bad key files and ports with typed errors', async () => {
    const missing = await runCli(['da-server', '--key-file', join(dir, 'nope.json'), '--data-dir', dir]).done;
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error \[DA_KEY_FILE_INVALID\]: cannot read key file .*modex da keygen/);
    const good = JSON.parse(readFileSync(join(dir, 'k.json'), 'utf8')) as Record<string, string>;
    const other = blsKeyFromSeed(new Uint8Array(32).fill(2));
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ ...good, publicKey: `0x${Buffer.from(other.publicKey).toString('hex')}` }),
    );
    const mismatch = await runCli(['da-server', '--key-file', bad, '--data-dir', dir]).done;
    expect(mismatch.stderr).toContain('the public key does not belong to the secret key');
    const port = await runCli([
      'da-server',
      '--key-file',
      join(dir, 'k.json'),
      '--data-dir',
      dir,
      '--port',
      '99999',
    ]).done;
    expect(port.stderr).toContain('error [DA_SERVER_BAD_OPTION]: --port 99999');
    const fault = await runCli([
      'da-server',
      '--key-file',
      join(dir, 'k.json'),
      '--data-dir',
      dir,
      '--fault',
      'explode',
    ]).done;
    expect(fault.stderr).toContain('error [DA_SERVER_BAD_OPTION]: --fault explode');
    const help = await runCli(['da-server', '--help']).done;
    expect(help.stdout).toContain('--key-file');
    expect(help.stdout).not.toContain('--fault');
  });

  it('runs a member process: stores, signs, serves; stops cleanly on SIGTERM', {
    timeout: 30_000,
  }, async () => {
    const run = runCli([
      'da-server',
      '--key-file',
      join(dir, 'k.json'),
      '--data-dir',
      join(dir, 'member'),
      '--port',
      '0',
      '--fault',
      'delay:1',
      '--min-retention',
      '60',
    ]);
    const out = await run.waitFor('listening at');
    const url = /listening at (http:\/\/\S+)/.exec(out)![1];
    const pk = /public key (0x[0-9a-f]+)/.exec(out)![1] as Hex;
    expect(out).toContain('WARNING: fault injection on (delay:1): testing only');
    expect(hexToBytes(pk)).toEqual(readMemberKeyFile(join(dir, 'k.json')).publicKey);
    const data = new TextEncoder().encode('batch over a real process');
    // --min-retention: an expiry sooner than now + 60 s is refused (issue 19, 4)
    const soon = await fetch(`${url}/v1/store?expiry=${Math.floor(Date.now() / 1000) + 30}`, {
      method: 'POST',
      body: data,
    });
    expect(soon.status).toBe(400);
    expect(((await soon.json()) as { error: { code: string } }).error.code).toBe('DA_SERVER_EXPIRY_TOO_SOON');
    const expiry = Math.floor(Date.now() / 1000) + 600;
    const r = await fetch(`${url}/v1/store?expiry=${expiry}`, { method: 'POST', body: data });
    const a = (await r.json()) as { dataHash: Hex; signature: Hex };
    expect(a.dataHash).toBe(keccak256(data));
    expect(
      blsVerify(hexToBytes(pk), signingMessage(a.dataHash, BigInt(expiry)), hexToBytes(a.signature)),
    ).toBe(true);
    const got = await fetch(`${url}/v1/batch/${a.dataHash}`);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(data);
    run.child.kill('SIGTERM');
    const done = await run.done;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('stopped');
  });
});
