/**
 * Where l1-blob reads blobs back from the L1 node (docs/blob.md §5). A source returns candidate
 * blobs by versioned hash, unverified: `L1BlobDa.retrieve` recomputes each commitment.
 *
 * - `BeaconBlobSource`: the beacon API `GET <beaconUrl>/eth/v1/beacon/blobs/<block_id>?versioned_hashes=<h>`
 *   (one request per hash: the filter is reliable for one hash, and the answer's order is the block's).
 *   The block id comes from the pointer's `l1BlockNumber` hint: anvil serves this endpoint on its
 *   RPC port and takes the execution block number; a real beacon node takes a slot, so give a
 *   `blockId` mapping (e.g. from the block's timestamp and the genesis time). Nodes without
 *   `/blobs` (before Fulu) answer with `/blob_sidecars` (anvil 1.7 answers 410 there).
 * - `RpcBlobSource`: anvil's `anvil_getBlobByHash(versionedHash)` JSON-RPC (no hint needed).
 */
import { type Hex, hexToBytes } from 'viem';
import type { Hash32 } from '../../core/types.ts';
import { versionedHash } from '../../crypto/kzg.ts';
import { DaUnavailableError } from '../errors.ts';

/** Hints about where the blobs were posted (derivation sets them from the inbox message). */
export interface BlobHint {
  l1BlockNumber?: bigint;
}

export interface BlobSource {
  /** A short name for messages, e.g. `beacon http://…`. */
  readonly name: string;
  /** The blob with each versioned hash, `undefined` where the source has none. Unverified. */
  getBlobs(versionedHashes: readonly Hash32[], hint?: BlobHint): Promise<(Uint8Array | undefined)[]>;
}

/** What RpcBlobSource needs of a viem client. */
export interface RpcRequester {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

/** anvil's `anvil_getBlobByHash` (answers null for an unknown hash). */
export class RpcBlobSource implements BlobSource {
  readonly name: string;
  constructor(
    private readonly client: RpcRequester,
    name = 'anvil_getBlobByHash',
  ) {
    this.name = name;
  }

  async getBlobs(versionedHashes: readonly Hash32[]): Promise<(Uint8Array | undefined)[]> {
    return Promise.all(
      versionedHashes.map(async (h) => {
        let b: unknown;
        try {
          b = await this.client.request({ method: 'anvil_getBlobByHash', params: [h] });
        } catch (e) {
          throw new DaUnavailableError(
            `anvil_getBlobByHash(${h}) failed: ${(e as Error).message}; is the L1 node anvil and reachable?`,
            { cause: e },
          );
        }
        return typeof b === 'string' && b.startsWith('0x') ? hexToBytes(b as Hex) : undefined;
      }),
    );
  }
}

export interface BeaconBlobSourceOptions {
  /** Base URL of the beacon API (anvil: its RPC URL). */
  beaconUrl: string;
  /** The beacon block id of an execution block (default: the block number itself, what anvil takes). */
  blockId?: (l1BlockNumber: bigint) => string | Promise<string>;
  fetch?: typeof fetch;
}

/** The beacon API's `/eth/v1/beacon/blobs/<block_id>` (falls back to `/blob_sidecars/<block_id>`). */
export class BeaconBlobSource implements BlobSource {
  readonly name: string;
  private readonly base: string;
  private readonly fetchFn: typeof fetch;
  constructor(private readonly opts: BeaconBlobSourceOptions) {
    this.base = opts.beaconUrl.replace(/\/+$/, '');
    this.name = `beacon ${this.base}`;
    this.fetchFn = opts.fetch ?? fetch;
  }

  async getBlobs(versionedHashes: readonly Hash32[], hint?: BlobHint): Promise<(Uint8Array | undefined)[]> {
    if (hint?.l1BlockNumber === undefined) return versionedHashes.map(() => undefined);
    const id = await (this.opts.blockId ?? String)(hint.l1BlockNumber);
    return Promise.all(versionedHashes.map((h) => this.one(id, h)));
  }

  private async get(path: string): Promise<{ status: number; body: { data?: unknown } }> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}${path}`);
    } catch (e) {
      throw new DaUnavailableError(`beacon API ${this.base} unreachable: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const body = (await res.json().catch(() => ({}))) as { data?: unknown };
    return { status: res.status, body };
  }

  private async one(id: string, h: Hash32): Promise<Uint8Array | undefined> {
    const r = await this.get(`/eth/v1/beacon/blobs/${id}?versioned_hashes=${h}`);
    if (r.status === 200 && Array.isArray(r.body.data)) {
      const [blob] = r.body.data as Hex[];
      return typeof blob === 'string' ? hexToBytes(blob) : undefined;
    }
    if (r.status === 404 && (r.body as { message?: string }).message?.includes('Block')) return undefined;
    // an older beacon node: blob sidecars carry their commitment, match it to the versioned hash
    const s = await this.get(`/eth/v1/beacon/blob_sidecars/${id}`);
    if (s.status !== 200 || !Array.isArray(s.body.data)) return undefined;
    for (const sc of s.body.data as { blob: Hex; kzg_commitment: Hex }[]) {
      if (versionedHash(hexToBytes(sc.kzg_commitment)) === h.toLowerCase()) return hexToBytes(sc.blob);
    }
    return undefined;
  }
}

/**
 * A `blockId` for a real beacon node: the slot of an execution block, from its timestamp and the
 * beacon chain's genesis time (`/eth/v1/beacon/genesis`): `(timestamp − genesis_time) / secondsPerSlot`.
 */
export function slotBlockId(o: {
  beaconUrl: string;
  /** the execution block's timestamp (e.g. `publicClient.getBlock({ blockNumber })`) */
  timestampOf: (l1BlockNumber: bigint) => Promise<bigint>;
  secondsPerSlot?: number;
  fetch?: typeof fetch;
}): (l1BlockNumber: bigint) => Promise<string> {
  let genesis: Promise<bigint> | undefined;
  const base = o.beaconUrl.replace(/\/+$/, '');
  const readGenesis = async (): Promise<bigint> => {
    const res = await (o.fetch ?? fetch)(`${base}/eth/v1/beacon/genesis`).catch((e: unknown) => {
      throw new DaUnavailableError(`beacon API ${base} unreachable: ${(e as Error).message}`, { cause: e });
    });
    const body = (await res.json().catch(() => ({}))) as { data?: { genesis_time?: string } };
    const t = body.data?.genesis_time;
    if (!res.ok || !t || !/^\d+$/.test(t)) {
      throw new DaUnavailableError(
        `beacon API ${base}/eth/v1/beacon/genesis answered ${res.status} without genesis_time`,
      );
    }
    return BigInt(t);
  };
  return async (n) => {
    genesis ??= readGenesis().catch((e) => {
      genesis = undefined;
      throw e;
    });
    const g = await genesis;
    const ts = await o.timestampOf(n);
    if (ts < g)
      throw new DaUnavailableError(`L1 block ${n} (time ${ts}) is before the beacon genesis (${g})`);
    return String((ts - g) / BigInt(o.secondsPerSlot ?? 12));
  };
}
