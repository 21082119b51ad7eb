/**
 * What `modex devnet` shows. Pure functions of the devnet's state:
 *
 * - `readyLines`: the first screen once every role is up (piped: printed once): where everything
 *   is, one chain id per layer, labelled, and what to do next (the explorer, a curl line, a
 *   `modex/client` snippet);
 * - `statusLine`: the chain in one line (piped mode prints it only when it changed);
 * - `renderPanel`: the block a terminal redraws in place below the scrolling log: the same
 *   essentials, the live state and the user's own transactions, cut to the terminal's size.
 */
import type { DevnetStatus } from '../node/devnet-run.ts';
import type { UserTx } from '../node/devnet-user-txs.ts';

export interface ScreenReady {
  /** the sequencer's JSON-RPC URL */
  rpcUrl: string;
  /** the explorer page (GET / of the RPC port) */
  explorerUrl: string;
  settlementRpc: string;
  /** embedded anvil: its pid */
  anvilPid?: number;
  l1ChainId: number;
  l2ChainId: bigint;
  chainName: string;
  app: string;
  moduleRoot: string;
  config: string;
  dataDir: string;
  /** funded L1 accounts; `roles[i]` names what the devnet uses account i for */
  accounts: { address: string; privateKey: string }[];
  roles: string[];
  /** index of an account the devnet does not use: the user's */
  yours: number;
  contracts: [name: string, address: string, source: string][];
  challengePeriodSeconds: number;
}

export interface DevnetScreenState {
  ready: ScreenReady;
  status?: DevnetStatus;
  scenario: 'demo' | 'fraud';
  /** the app's demo workload, in words (`transfers and a withdrawal paid on L1`) */
  workload?: string;
  stopping?: boolean;
}

const CURL_BODY = '{"jsonrpc":"2.0","id":1,"method":"modex_blockNumber","params":[]}';

const ETH_CURL_BODY = '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}';

export function curlLine(rpcUrl: string, body = CURL_BODY): string {
  return `curl -s ${rpcUrl} -H 'content-type: application/json' -d '${body}'`;
}

/**
 * The EVM app (`vm.app: "evm"`, docs/guide.md "An EVM chain"): the sequencer's port also answers
 * the Ethereum JSON-RPC (docs/evm-rpc.md); the user's account is the funded dev account, its L1
 * address the same on L2, printed with its key as anvil prints its accounts.
 */
function evmLines(r: ScreenReady): string[] {
  if (r.app !== 'evm') return [];
  const you = r.accounts[r.yours];
  return [
    `  Ethereum JSON-RPC ${r.rpcUrl}   (eth_*, beside modex_*: viem, ethers, Foundry, a wallet)`,
    ...(you
      ? [
          '  dev account (1 ETH on L2 once its bridge deposit is in a block; withdraw through 0x64):',
          `    address      ${you.address}`,
          `    private key  ${you.privateKey}`,
        ]
      : []),
  ];
}

export function clientSnippet(rpcUrl: string): string[] {
  return [
    "import { createModexClient } from 'modex/client';",
    `const client = createModexClient({ url: '${rpcUrl}' });`,
    'console.log(await client.getBlockNumber());   // sending transactions: docs/guide.md',
  ];
}

/** The ready screen (printed once when piped; a terminal keeps its essentials in the panel). */
export function readyLines(r: ScreenReady): string[] {
  const you = r.accounts[r.yours];
  const lines = [
    'ready',
    `  explorer         ${r.explorerUrl}`,
    `  sequencer RPC    ${r.rpcUrl}   (the L2's JSON-RPC)`,
    `  L2 chain id      ${r.l2ChainId}   (${r.chainName}, app ${r.app}: sign your transactions with it)`,
    `  settlement RPC   ${r.settlementRpc}${r.anvilPid !== undefined ? ` (embedded anvil, pid ${r.anvilPid})` : ''}`,
    `  L1 chain id      ${r.l1ChainId}   (the settlement layer)`,
    `  STF module root  ${r.moduleRoot}   (the app's code as L1 knows it)`,
    `  config           ${r.config}`,
    `  data dir         ${r.dataDir}`,
    `  funded L1 accounts (address, private key) — ${r.roles.map((x, i) => `[${i}] ${x}`).join(', ')}${you ? `, [${r.yours}] yours` : ''}:`,
    ...r.accounts.map((a, i) => `    [${i}] ${a.address} ${a.privateKey}`),
    '  deployed contracts:',
    ...r.contracts.map(([name, address, source]) => `    ${name.padEnd(24)} ${address}  (${source})`),
    ...evmLines(r),
    '',
    'next:',
    `  open the explorer  ${r.explorerUrl}`,
    `  ask the node       ${curlLine(r.rpcUrl)}`,
    '  from TypeScript (modex/client):',
    ...clientSnippet(r.rpcUrl).map((l) => `    ${l}`),
    ...(r.app === 'evm'
      ? [
          `  ask the EVM        ${curlLine(r.rpcUrl, ETH_CURL_BODY)}`,
          `  Foundry            cast balance ${you?.address ?? '<address>'} --rpc-url ${r.rpcUrl}`,
          '  viem, ethers, a wallet: the Ethereum JSON-RPC above, sign with the dev key (docs/guide.md "An EVM chain")',
        ]
      : []),
    ...(you
      ? [
          `  your transactions (any sender but the demo's [${r.roles.indexOf('demo user')}]) show here as they land in blocks;`,
          `  account [${r.yours}] ${you.address} is yours: funded on L1, and 1 ETH deposited for it on L2 once the workload starts`,
        ]
      : []),
  ];
  return lines;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The chain in one line (no time: piped mode prints it when it changes). */
export function statusLine(s: DevnetStatus): string {
  const byDa = Object.entries(s.batches_by_da)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  return [
    `L2 blocks ${s.l2_blocks}`,
    `batches ${s.batches}${byDa ? ` (${byDa})` : ''}`,
    `L1 inbox ${s.l1_inbox}`,
    `assertions ${s.assertions} (${s.confirmed} confirmed)`,
    ...(s.dispute_moves ? [`dispute moves ${s.dispute_moves}`] : []),
    ...(s.slashed ? [`liar slashed`] : []),
    `your transactions ${s.user_txs.count}`,
  ].join(' · ');
}

export const shortHex = (h: string, keep = 6): string =>
  h.length > 2 * keep + 3 ? `${h.slice(0, keep + 2)}…${h.slice(-keep)}` : h;

export function userTxLine(t: UserTx): string {
  return `${shortHex(t.hash)}  block ${t.block} #${t.index}  ${t.status}${t.from ? `  from ${shortHex(t.from, 4)}` : ''}`;
}

function period(s: number): string {
  if (s % 86_400 === 0) return `${s / 86_400} d`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0 && s >= 120) return `${s / 60} min`;
  return `${s} s`;
}

/**
 * The panel a terminal redraws in place: at most `height` lines, none wider than `width`
 * (a wrapped line would break the redraw). The least useful parts go first when space is short.
 */
export function renderPanel(st: DevnetScreenState, size: { width: number; height: number }): string[] {
  const r = st.ready;
  const s = st.status;
  const you = r.accounts[r.yours];
  const head = `── modex devnet · ${r.chainName} · app ${r.app} · ${st.scenario === 'fraud' ? 'fraud scenario' : 'demo'}${s ? ` · ${s.elapsed_s.toFixed(0)} s` : ''} `;
  const essentials = [
    head + '─'.repeat(Math.max(0, size.width - head.length - 1)),
    ` explorer       ${r.explorerUrl}`,
    ` L2 JSON-RPC    ${r.rpcUrl}   L2 chain id ${r.l2ChainId}${r.app === 'evm' ? '   (Ethereum JSON-RPC too)' : ''}`,
    ` L1 JSON-RPC    ${r.settlementRpc}   L1 chain id ${r.l1ChainId} (settlement)`,
  ];
  const account: string[] = you
    ? [
        ` ${r.app === 'evm' ? 'dev account ' : 'your account'}   [${r.yours}] ${you.address}  (funded on L1; 1 ETH deposited on L2)`,
        `                key ${you.privateKey}`,
      ]
    : [];
  const tryIt = [' try:', `   ${curlLine(r.rpcUrl)}`, ...clientSnippet(r.rpcUrl).map((l) => `   ${l}`)];
  const chain: string[] = [];
  if (s) {
    const byDa = Object.entries(s.batches_by_da)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    chain.push(
      ` L2             ${plural(s.l2_blocks, 'block')} · ${plural(s.batches, 'batch', 'batches')} posted to L1${byDa ? ` (${byDa})` : ''} · L1 inbox ${plural(s.l1_inbox, 'message')}`,
      ` L1 assertions  ${s.assertions} posted, ${s.confirmed} confirmed (a validator's claim of the L2 state; final after the ${period(r.challengePeriodSeconds)} challenge period unless disputed)`,
    );
    if (s.dispute_moves || st.scenario === 'fraud')
      chain.push(
        ` dispute        ${plural(s.dispute_moves, 'move')} on L1 (bisection down to a one-step proof)${s.slashed ? ' · the liar lost its stake' : ''}`,
      );
    chain.push(
      ` demo workload  ${st.workload ?? 'a deposit'}: ${s.workload === 'done' ? 'done' : 'running'}${s.withdrawal_paid ? ' · withdrawal paid on L1' : ''}`,
    );
  }
  const txs: string[] = s
    ? [
        ` your transactions: ${s.user_txs.count}${s.user_txs.count ? '' : ' (send one: docs/guide.md; they show here once in a block)'}`,
        ...s.user_txs.recent.map((t) => `   ${userTxLine(t)}`),
      ]
    : [];
  const foot = [st.stopping ? ' stopping…' : ' Ctrl-C to stop'];
  // too tall: the snippet goes first, then the account, then older transactions
  let [acc, tr, tx] = [account, tryIt, txs];
  const build = () => [...essentials, ...acc, ...tr, ...chain, ...tx, ...foot];
  let lines = build();
  if (lines.length > size.height) {
    tr = [];
    lines = build();
  }
  if (lines.length > size.height) {
    acc = [];
    lines = build();
  }
  if (lines.length > size.height) {
    tx = tx.slice(0, Math.max(1, tx.length - (lines.length - size.height)));
    lines = build();
  }
  lines = lines.slice(0, size.height);
  return lines.map((l) => (l.length > size.width - 1 ? `${l.slice(0, Math.max(0, size.width - 2))}…` : l));
}
