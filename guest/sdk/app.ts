// The app's registration (docs/app-abi.md §1): an app declares its id and handlers once, at the top
// level of its entry file (AssemblyScript runs top-level code in the module's start function, before
// any entry point), and re-exports the SDK's entry points (abi.ts):
//
//   import { defineApp } from "modex/sdk/app";
//   defineApp(0x07, onTx).deposits(onDeposit).queries(onQuery).genesis(onGenesis).receiptNames("too_big");
//   export { main, modex_abi_version, modex_genesis, modex_admit, modex_query, modex_receipt_names } from "modex/sdk/abi";
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

/** What an app declares. Built with {@link defineApp}; the setters return the same object. */
export class AppDef {
  onDeposit: DepositHandler = noDeposit;
  onQuery: QueryHandler = noQuery;
  onGenesis: GenesisHandler = noGenesis;
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
