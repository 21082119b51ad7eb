/**
 * N committee members in this process on 127.0.0.1 (ephemeral ports), for tests, the DA bench and
 * the devnet: deterministic keys from a seed per member, one LMDB directory per member, optional
 * faults per member, and stop/restart of one member on the same port and data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, type Hex, keccak256, toBytes } from 'viem';
import type { Keyset } from './certificate.ts';
import type { CommitteeMember } from './committee-da.ts';
import { generateMemberKey, type MemberKey } from './key-file.ts';
import { type DaFault, DaServer, type DaServerOptions } from './server.ts';

export interface LocalCommitteeOptions {
  /** honest members assumed (default max(1, floor((n − 1) / 2)): 5 members → 2, so K = n + 1 − 2 = 4) */
  assumedHonest?: number;
  /** parent of the members' data directories (default a new temp directory, removed on close) */
  dataDir?: string;
  /** per-member faults (index = member), for chaos tests and demos */
  faults?: (DaFault | DaFault[] | undefined)[];
  /** key seed label: member i's key is KeyGen(keccak256(`${seed}/${i}`)) (default "modex-local-committee") */
  seed?: string;
  /** passed to every member server */
  server?: Pick<
    DaServerOptions,
    'maxBytes' | 'minRetentionSeconds' | 'maxRetentionSeconds' | 'pruneIntervalMs' | 'now' | 'host'
  >;
}

export interface LocalCommittee {
  keyset: Keyset;
  /** url and public key of each member, in keyset order */
  members: CommitteeMember[];
  keys: MemberKey[];
  /** the members as a chain config lists them (`da.committee.members`, src/config/types.ts) */
  configMembers: { url: string; publicKey: Hex; proofOfPossession: Hex }[];
  /** the running servers (undefined while stopped) */
  servers: (DaServer | undefined)[];
  /** stops member i (its URL then refuses connections: a member that is down) */
  stop(i: number): Promise<void>;
  /** starts member i again on the same port and data directory, optionally with other faults */
  restart(i: number, fault?: DaFault | DaFault[]): Promise<DaServer>;
  close(): Promise<void>;
}

/** Member i's deterministic key for `seed`. */
export function localMemberKey(i: number, seed = 'modex-local-committee'): MemberKey {
  return generateMemberKey(toBytes(keccak256(toBytes(`${seed}/${i}`))));
}

/** Starts `n` members; the caller closes the committee. */
export async function startLocalCommittee(
  n: number,
  opts: LocalCommitteeOptions = {},
): Promise<LocalCommittee> {
  if (!Number.isSafeInteger(n) || n < 1)
    throw new RangeError(`a committee needs at least 1 member, got ${n}`);
  const assumedHonest = opts.assumedHonest ?? Math.max(1, Math.floor((n - 1) / 2));
  const ownDir = opts.dataDir === undefined;
  const root = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'modex-committee-'));
  const keys = Array.from({ length: n }, (_, i) => localMemberKey(i, opts.seed));
  const startOne = (i: number, port: number, fault: DaFault | DaFault[] | undefined) =>
    DaServer.start({
      ...opts.server,
      secretKey: keys[i].secretKey,
      dataDir: join(root, `member-${i}`),
      port,
      fault,
    });
  const servers: (DaServer | undefined)[] = [];
  try {
    for (let i = 0; i < n; i++) servers.push(await startOne(i, 0, opts.faults?.[i]));
  } catch (e) {
    for (const s of servers) await s?.close();
    if (ownDir) rmSync(root, { recursive: true, force: true });
    throw e;
  }
  const members = servers.map((s, i) => ({ url: s!.url, publicKey: keys[i].publicKey }));
  const ports = servers.map((s) => s!.port);
  return {
    keyset: { assumedHonest, publicKeys: keys.map((k) => k.publicKey) },
    members,
    keys,
    configMembers: members.map((m, i) => ({
      url: m.url,
      publicKey: bytesToHex(m.publicKey),
      proofOfPossession: bytesToHex(keys[i].proofOfPossession),
    })),
    servers,
    async stop(i) {
      const s = servers[i];
      servers[i] = undefined;
      await s?.close();
    },
    async restart(i, fault) {
      await servers[i]?.close();
      servers[i] = await startOne(i, ports[i], fault);
      return servers[i]!;
    },
    async close() {
      for (const s of servers) await s?.close();
      if (ownDir) rmSync(root, { recursive: true, force: true });
    },
  };
}
