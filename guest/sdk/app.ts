// The app's registration (docs/app-abi.md §1): an app declares its id and handlers once, at the top
// level of its entry file (AssemblyScript runs top-level code in the module's start function, before
// any entry point), and re-exports the SDK's entry points (abi.ts):
//
//   import { defineApp } from "modex/sdk/app";
//   defineApp(0x07, onTx).deposits(onDeposit).queries(onQuery).genesis(onGenesis).receiptNames("too_big");
//   export { main, modex_abi_version, modex_genesis, modex_admit, modex_query, modex_receipt_names } from "modex/sdk/abi";
import { TX_STEP_BUDGET } from "./meter";
import { Tx } from "./tx";

/** A transaction whose header, chain id, signature and nonce are valid; returns its receipt status. */
export type TxHandler = (tx: Tx, signer: usize) => u8;
/** An L1 deposit: `to` 20 bytes, `amount` 32 bytes (u256 BE); returns the message's receipt status. */
export type DepositHandler = (to: usize, amount: usize) => u8;
/**
 * A query of kind 0x10–0xff (docs/app-abi.md §4): `args` are the bytes after the kind byte. Returns
 * a status (0 with an answer set by queryAnswer, abi.ts), e.g. MALFORMED or UNKNOWN_OP.
 */
export type QueryHandler = (kind: u32, args: usize, argsLen: i32) => u8;
/** Called by modex_genesis after the SDK wrote the chain id (key 0x05): the app's initial state. */
export type GenesisHandler = (chainId: u64) => void;
/**
 * Raw transactions (docs/app-abi.md §10): one transaction's bytes as they stand in the batch, with
 * no SDK check before (framing, app id, chain id, signature and nonce are the app's); returns its
 * receipt status. Its writes are dropped unless the status is OK.
 */
export type RawTxHandler = (ptr: usize, len: i32) => u8;
/**
 * Admission of a raw transaction (docs/app-abi.md §10): returns the verdict (OK or the receipt code
 * it would get); when OK, the handler has called admitReplayKey (abi.ts) with the sender and nonce.
 */
export type AdmitHandler = (ptr: usize, len: i32) => u8;

// receipt statuses (docs/app-abi.md §5), repeated here so that handlers need one import
const UNKNOWN_OP_: u8 = 6;
const UNSUPPORTED_: u8 = 11;

function noTx(tx: Tx, signer: usize): u8 {
  return UNKNOWN_OP_;
}
function noDeposit(to: usize, amount: usize): u8 {
  return UNSUPPORTED_;
}
function noQuery(kind: u32, args: usize, argsLen: i32): u8 {
  return UNKNOWN_OP_;
}
function noGenesis(chainId: u64): void {}
function noRawTx(ptr: usize, len: i32): u8 {
  return UNKNOWN_OP_;
}

/** What an app declares. Built with {@link defineApp}; the setters return the same object. */
export class AppDef {
  onDeposit: DepositHandler = noDeposit;
  onQuery: QueryHandler = noQuery;
  onGenesis: GenesisHandler = noGenesis;
  /** raw transactions (rawTransactions): when set, onTx is never called */
  onRawTx: RawTxHandler = noRawTx;
  onAdmit: AdmitHandler = noRawTx;
  raw: bool = false;
  /** the step budget of each metered unit (a transaction, a deposit's handler) */
  stepBudget: i64 = TX_STEP_BUDGET;
  /** the names of the app's receipt codes from 16 on, comma-separated ("" = none) */
  names: string = "";

  constructor(
    public appId: u32,
    public onTx: TxHandler,
  ) {}

  /** L1 deposits (inbox kind 0x01); without it a deposit gets UNSUPPORTED. */
  deposits(fn: DepositHandler): AppDef {
    this.onDeposit = fn;
    return this;
  }
  /** queries of kind 0x10–0xff; without it they get UNKNOWN_OP. */
  queries(fn: QueryHandler): AppDef {
    this.onQuery = fn;
    return this;
  }
  /** the app's genesis writes (after the chain id). */
  genesis(fn: GenesisHandler): AppDef {
    this.onGenesis = fn;
    return this;
  }
  /**
   * The app takes each transaction's raw bytes itself (docs/app-abi.md §10): `run` applies one (the
   * SDK's envelope is not checked and no SDK nonce is kept), `admit` checks one for modex_admit.
   */
  rawTransactions(run: RawTxHandler, admit: AdmitHandler): AppDef {
    this.onRawTx = run;
    this.onAdmit = admit;
    this.raw = true;
    return this;
  }
  /**
   * The step budget of each transaction and deposit handler (default TX_STEP_BUDGET, 10,000,000;
   * docs/app-abi.md §5): a constant of the app, so that every run of a message agrees.
   */
  unitStepBudget(steps: i64): AppDef {
    this.stepBudget = steps;
    return this;
  }
  /** names of the app's own receipt codes, comma-separated, the first one for code 16. */
  receiptNames(names: string): AppDef {
    this.names = names;
    return this;
  }
}

let registered: AppDef | null = null;

/** Declares the app: its app id (byte 0 of its transactions) and its transaction handler. */
export function defineApp(appId: u32, onTx: TxHandler): AppDef {
  const a = new AppDef(appId, onTx);
  registered = a;
  return a;
}

/** The declared app (an app that declared none: app id 0, every transaction UNKNOWN_OP). */
export function theApp(): AppDef {
  let a = registered;
  if (a == null) {
    a = new AppDef(0, noTx);
    registered = a;
  }
  return a;
}
