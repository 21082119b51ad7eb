/**
 * The chunk circuit's input (docs/validity.md §3): a chunk of records (§5, `records.ts`) turned back
 * into the model's transactions and deposits and applied to the model in order; per record the
 * leaf it acts on (its path before the record) and, for a transfer, the recipient's leaf as it was
 * after the debit (its path after the record); an open's key split for the subgroup check. The
 * model decides every record (accepted or rejected with its receipt): the circuit must agree.
 */
import { ModexError } from '../../core/errors.ts';
import { splitTorsion, yOf } from './babyjub.ts';
import type { ZReceiptCode, ZTokenState } from './model.ts';
import { ZReceipt } from './model.ts';
import { decodeRecord, RECORD_LEN, ROP, recordWords, type ZRecord } from './records.ts';
import { DEPTH } from './tree.ts';
import { type SignedZTx, writeBE, ZOP } from './tx.ts';

/** The chunk cannot be turned into a circuit input (not records L1 builds, another chain id). */
export class ZTokenWitnessError extends ModexError {
  constructor(message: string) {
    super('ZTOKEN_NOT_PROVABLE', message);
  }
}

export type CircuitInput = Record<string, string | string[] | string[][]>;

export interface ChunkWitness {
  input: CircuitInput;
  preRoot: bigint;
  postRoot: bigint;
  /** the chunk's record words (validity v1.1, docs/validity.md §5.1) */
  recordWords: bigint[];
  /** bit t: record t was applied */
  acceptedMask: number;
  /** the model's receipt per record (padding: OK, nothing applied) */
  receipts: ZReceiptCode[];
}

const bitsOf = (rec: Uint8Array): string[] => {
  const out: string[] = [];
  for (const b of rec) for (let j = 7; j >= 0; j--) out.push(String((b >> j) & 1));
  return out;
};

/** the model's transaction (or deposit) of a record */
function modelOf(r: ZRecord, chainId: bigint): { signed?: SignedZTx; deposit?: Uint8Array } {
  const sig = { R8: [r.R8x, r.R8y] as const, S: r.S };
  switch (r.op) {
    case ROP.transfer:
      if (r.A >= 1n << 16n) throw new ZTokenWitnessError(`a transfer record's recipient ${r.A} is not a u16`);
      return {
        signed: {
          tx: { op: ZOP.transfer, chainId, nonce: r.nonce, from: r.idx, to: Number(r.A), amount: r.amount },
          sig,
        },
      };
    case ROP.withdraw:
      if (r.A >= 1n << 160n) throw new ZTokenWitnessError(`a withdrawal record's recipient is not 160 bits`);
      return {
        signed: {
          tx: { op: ZOP.withdraw, chainId, nonce: r.nonce, from: r.idx, to: r.A, amount: r.amount },
          sig,
        },
      };
    case ROP.open: {
      const ay = r.aySign > 1 ? undefined : yOf(r.A, r.aySign);
      if (ay === undefined) throw new ZTokenWitnessError(`an open record's ax ${r.A} is not on the curve`);
      return { signed: { tx: { op: ZOP.open, chainId, nonce: r.nonce, index: r.idx, key: [r.A, ay] }, sig } };
    }
    case ROP.deposit: {
      if (r.A >= 1n << 160n) throw new ZTokenWitnessError(`a deposit record's address is not 160 bits`);
      const to = new Uint8Array(20);
      writeBE(to, 0, r.A, 20);
      return { deposit: to };
    }
    default:
      return {};
  }
}

/**
 * Applies the chunk's records to `state` (which changes) and returns the circuit's input with the
 * model's post-root and accepted mask. `chainId` must be the state's.
 */
export function chunkInput(
  state: ZTokenState,
  chunk: readonly Uint8Array[],
  chainId = state.chainId,
): ChunkWitness {
  if (chainId !== state.chainId)
    throw new ZTokenWitnessError(`chain id ${chainId} is not the state's (${state.chainId})`);
  const preRoot = state.root;
  const cols: Record<string, string[]> = {};
  const grid: Record<string, string[][]> = { rec: [], opFlag: [], path1: [], path2: [], tSel: [] };
  const push = (k: string, v: bigint | number) => {
    cols[k] ??= [];
    cols[k].push(v.toString());
  };
  const receipts: ZReceiptCode[] = [];
  let mask = 0;
  chunk.forEach((bytes, t) => {
    if (bytes.length !== RECORD_LEN)
      throw new ZTokenWitnessError(`record ${t} is ${bytes.length} bytes, not ${RECORD_LEN}`);
    const r = decodeRecord(bytes);
    if (r.op > ROP.deposit) throw new ZTokenWitnessError(`record ${t} has op ${r.op}`);
    const i1 = r.op === ROP.deposit ? Number((r.A >> 144n) & 0xffffn) : r.idx;
    const i2 = Number(r.A & 0xffffn);
    const leaf1 = state.account(i1);
    const path1 = state.tree.path(i1);
    const m = modelOf(r, chainId);
    const receipt: ZReceiptCode =
      m.signed !== undefined
        ? state.apply(m.signed)
        : m.deposit !== undefined
          ? state.deposit(m.deposit, r.amount)
          : ZReceipt.OK;
    const accepted = r.op !== ROP.padding && receipt === ZReceipt.OK;
    receipts.push(receipt);
    if (accepted) mask |= 1 << t;
    // the recipient as it was after the debit (a transfer's credit undone); its siblings are the same
    const now = state.account(i2);
    const leaf2 = accepted && r.op === ROP.transfer ? { ...now, balance: now.balance - r.amount } : now;
    const key = r.op === ROP.open && m.signed?.tx.op === ZOP.open ? m.signed.tx.key : undefined;
    const split = key === undefined ? { q: [0n, 1n] as const, t: 0 } : splitTorsion(key);
    grid.rec.push(bitsOf(bytes));
    grid.opFlag.push([0, 1, 2, 3, 4].map((k) => (k === r.op ? '1' : '0')));
    grid.path1.push(path1.map(String));
    grid.path2.push(state.tree.path(i2).map(String));
    grid.tSel.push([0, 1, 2].map((k) => String((split.t >> k) & 1)));
    push('ax1', leaf1.ax);
    push('ay1', leaf1.ay);
    push('bal1', leaf1.balance);
    push('nonce1', leaf1.nonce);
    push('ax2', leaf2.ax);
    push('ay2', leaf2.ay);
    push('bal2', leaf2.balance);
    push('nonce2', leaf2.nonce);
    push('ky', key?.[1] ?? 1n);
    push('Qx', split.q[0]);
    push('Qy', split.q[1]);
  });
  if (chunk.length === 0 || grid.path1.some((p) => p.length !== DEPTH))
    throw new ZTokenWitnessError('a chunk holds at least one record');
  const words = recordWords(chunk);
  return {
    input: {
      preRoot: preRoot.toString(),
      postRoot: state.root.toString(),
      recordWords: words.map(String),
      acceptedMask: String(mask),
      chainId: chainId.toString(),
      ...grid,
      ...cols,
    },
    preRoot,
    postRoot: state.root,
    recordWords: words,
    acceptedMask: mask,
    receipts,
  };
}
