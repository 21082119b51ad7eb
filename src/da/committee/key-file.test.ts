import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DaKeyFileError } from './committee-errors.ts';
import { generateMemberKey, memberKeyToJson, readMemberKeyFile, writeMemberKeyFile } from './key-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'modex-key-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(path: string): DaKeyFileError {
  try {
    readMemberKeyFile(path);
  } catch (e) {
    expect(e).toBeInstanceOf(DaKeyFileError);
    expect((e as DaKeyFileError).code).toBe('DA_KEY_FILE_INVALID');
    return e as DaKeyFileError;
  }
  throw new Error('expected DA_KEY_FILE_INVALID');
}

describe('member key files', () => {
  it('round-trip with mode 0600; random keys differ; refuses to overwrite', () => {
    const k = generateMemberKey();
    const p = join(dir, 'a.json');
    writeMemberKeyFile(p, k);
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(readMemberKeyFile(p)).toEqual(k);
    expect(generateMemberKey().publicKey).not.toEqual(k.publicKey);
    expect(() => writeMemberKeyFile(p, generateMemberKey())).toThrow(/already exists/);
    expect(readMemberKeyFile(p)).toEqual(k);
  });

  it('refuses unreadable, malformed and inconsistent files', () => {
    const good = memberKeyToJson(generateMemberKey(new Uint8Array(32).fill(3)));
    const other = memberKeyToJson(generateMemberKey(new Uint8Array(32).fill(4)));
    const write = (name: string, body: string) => {
      const p = join(dir, name);
      writeFileSync(p, body);
      return p;
    };
    expect(errorOf(join(dir, 'missing.json')).message).toMatch(/cannot read key file .*modex da keygen/);
    expect(errorOf(write('notjson', '{')).message).toMatch(/cannot read key file/);
    expect(errorOf(write('null', 'null')).message).toMatch(/not a JSON object/);
    expect(errorOf(write('short', JSON.stringify({ ...good, secretKey: '0x1234' }))).message).toMatch(
      /"secretKey" must be 32 bytes/,
    );
    expect(errorOf(write('nopk', JSON.stringify({ ...good, publicKey: undefined }))).message).toMatch(
      /"publicKey" must be 256 bytes/,
    );
    expect(
      errorOf(write('zero', JSON.stringify({ ...good, secretKey: `0x${'00'.repeat(32)}` }))).message,
    ).toMatch(/not a valid BLS scalar/);
    expect(errorOf(write('pk', JSON.stringify({ ...good, publicKey: other.publicKey }))).message).toMatch(
      /public key does not belong/,
    );
    expect(
      errorOf(write('pop', JSON.stringify({ ...good, proofOfPossession: other.proofOfPossession }))).message,
    ).toMatch(/proof of possession does not verify/);
    expect(JSON.parse(readFileSync(write('ok', JSON.stringify(good)), 'utf8'))).toEqual(good);
    expect(readMemberKeyFile(join(dir, 'ok')).secretKey).toHaveLength(32);
  });
});
