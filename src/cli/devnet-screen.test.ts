import { describe, expect, it } from 'vitest';
import type { DevnetStatus } from '../node/devnet-run.ts';
import { Explainer } from './devnet-explain.ts';
import { PlainOutput, TtyOutput } from './devnet-output.ts';
import {
  type DevnetScreenState,
  readyLines,
  renderPanel,
  type ScreenReady,
  statusLine,
} from './devnet-screen.ts';

const RPC = 'http://127.0.0.1:40001';
const READY: ScreenReady = {
  rpcUrl: RPC,
  explorerUrl: `${RPC}/`,
  settlementRpc: 'http://127.0.0.1:40000',
  anvilPid: 1234,
  l1ChainId: 31337,
  l2ChainId: 412346n,
  chainName: 'modex-devnet',
  app: 'token',
  moduleRoot: `0x${'ab'.repeat(32)}`,
  config: 'examples/devnet.config.json',
  dataDir: '/tmp/modex-devnet-x',
  accounts: Array.from({ length: 6 }, (_, i) => ({
    address: `0x${String(i).repeat(40)}`,
    privateKey: `0x${String(i).repeat(64)}`,
  })),
  roles: ['sequencer', 'validator-1', 'validator-2', 'demo user'],
  yours: 4,
  contracts: [['Inbox', `0x${'1'.repeat(40)}`, 'contracts/settlement/Inbox.sol']],
  challengePeriodSeconds: 60,
};

const status = (over: Partial<DevnetStatus> = {}): DevnetStatus => ({
  elapsed_s: 12.3,
  l2_blocks: 3,
  batches: 2,
  batches_by_da: { calldata: 2 },
  l1_inbox: 3,
  assertions: 1,
  confirmed: 0,
  dispute_moves: 0,
  slashed: 0,
  workload: 'running',
  withdrawal_paid: false,
  user_txs: { count: 0, recent: [] },
  ...over,
});

const TX = {
  hash: `0x${'cd'.repeat(32)}` as const,
  block: 7,
  index: 0,
  status: 'ok',
  from: `0x${'44'.repeat(20)}` as const,
};

class Sink {
  text = '';
  columns = 120;
  rows = 40;
  writes: string[] = [];
  write(s: string) {
    this.text += s;
    this.writes.push(s);
    return true;
  }
}

describe('devnet screen', () => {
  it('the ready screen: one chain id per layer, labelled; what to do next', () => {
    const lines = readyLines(READY);
    expect(lines.filter((l) => /chain id/.test(l))).toEqual([
      '  L2 chain id      412346   (modex-devnet, app token: sign your transactions with it)',
      '  L1 chain id      31337   (the settlement layer)',
    ]);
    expect(lines).toContain(`  explorer         ${RPC}/`);
    expect(lines).toContain(
      `  ask the node       curl -s ${RPC} -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"modex_blockNumber","params":[]}'`,
    );
    expect(lines).toContain("    import { createModexClient } from 'modex/client';");
    expect(lines).toContain(`    const client = createModexClient({ url: '${RPC}' });`);
    expect(lines.join('\n')).toContain('[3] demo user, [4] yours');
  });

  it('app evm: the Ethereum JSON-RPC and the funded dev account with its key, as anvil prints them', () => {
    const evm = readyLines({ ...READY, app: 'evm' });
    expect(evm).toContain(
      `  Ethereum JSON-RPC ${RPC}   (eth_*, beside modex_*: viem, ethers, Foundry, a wallet)`,
    );
    expect(evm).toContain(`    address      0x${'4'.repeat(40)}`);
    expect(evm).toContain(`    private key  0x${'4'.repeat(64)}`);
    expect(evm.some((l) => l.includes(`cast balance 0x${'4'.repeat(40)} --rpc-url ${RPC}`))).toBe(true);
    // the piped ready screen without hints keeps them (the part before the first empty line)
    expect(evm.indexOf('    private key  0x' + '4'.repeat(64))).toBeLessThan(evm.indexOf(''));
    const token = readyLines(READY).join('\n');
    expect(token).not.toContain('Ethereum JSON-RPC');
    expect(token).not.toContain('private key  ');
    const panel = renderPanel(
      { ready: { ...READY, app: 'evm' }, scenario: 'demo' },
      { width: 200, height: 40 },
    );
    expect(panel).toContain(` L2 JSON-RPC    ${RPC}   L2 chain id 412346   (Ethereum JSON-RPC too)`);
    expect(panel.some((l) => l.startsWith(' dev account    [4] '))).toBe(true);
  });

  it('the panel: essentials, live state, the user transactions; fits the terminal', () => {
    const st: DevnetScreenState = {
      ready: READY,
      scenario: 'demo',
      workload: 'transfers',
      status: status({ user_txs: { count: 1, recent: [TX] } }),
    };
    const lines = renderPanel(st, { width: 200, height: 40 });
    expect(lines[0]).toMatch(/^── modex devnet · modex-devnet · app token · demo · 12 s ─+$/);
    expect(lines).toContain(` explorer       ${RPC}/`);
    expect(lines).toContain(` L2 JSON-RPC    ${RPC}   L2 chain id 412346`);
    expect(lines.some((l) => l.includes('curl -s'))).toBe(true);
    expect(lines.some((l) => l.includes('60 s challenge period'))).toBe(true);
    expect(lines).toContain(' your transactions: 1');
    expect(lines).toContain('   0xcdcdcd…cdcdcd  block 7 #0  ok  from 0x4444…4444');
    expect(lines.at(-1)).toBe(' Ctrl-C to stop');
    // small terminal: the snippet, then the account go; nothing wraps
    const small = renderPanel(st, { width: 60, height: 10 });
    expect(small.length).toBeLessThanOrEqual(10);
    expect(small.every((l) => l.length < 60)).toBe(true);
    expect(small.some((l) => l.includes('curl'))).toBe(false);
    expect(small[1]).toContain('explorer');
  });

  it('explains contract errors and protocol terms where they are printed, terms once', () => {
    const e = new Explainer();
    const out = e.explain('[validator-1] level-0 edge not confirmable yet: TimerTooLow(0, 60)');
    expect(out[0]).toBe(
      "TimerTooLow(0, 60): the edge's timer is 0 s, confirming by time needs 60 s; update the timers bottom-up (updateTimerCacheByChildren / ByClaim) or wait",
    );
    expect(e.explain('waiting for its send root to be confirmed on L1')).toEqual([
      "send root: the root of the L2's withdrawals (outbox) tree; L1's bridge pays a withdrawal once an assertion with that send root is confirmed",
    ]);
    expect(e.explain('another send root')).toEqual([]);
    expect(e.explain('[validator-2] level-0 edge not confirmable yet: TimerTooLow(0, 60)')).toEqual([]);
    expect(e.explain('Unknown(1, 2) and nothing else')).toEqual([]);
  });

  it('piped: plain lines, the status only when it changed, each user transaction once', () => {
    const sink = new Sink();
    const out = new PlainOutput(sink);
    out.ready(READY, { hints: true });
    out.status(status());
    out.status(status({ elapsed_s: 14.8 }));
    out.status(status({ elapsed_s: 17.1 }));
    out.status(status({ elapsed_s: 19, l2_blocks: 4, user_txs: { count: 1, recent: [TX] } }));
    out.status(status({ elapsed_s: 21, l2_blocks: 4, user_txs: { count: 1, recent: [TX] } }));
    out.log('[validator-1] level-0 edge not confirmable yet: TimerTooLow(0, 60)');
    const lines = sink.text.split('\n');
    expect(lines.filter((l) => l.includes('L2 blocks'))).toEqual([
      `[12.3s] ${statusLine(status())}`,
      `[19.0s] ${statusLine(status({ l2_blocks: 4, user_txs: { count: 1, recent: [TX] } }))}`,
    ]);
    expect(lines.filter((l) => l.startsWith('your transaction '))).toHaveLength(1);
    expect(lines).toContain(
      "    ↳ TimerTooLow(0, 60): the edge's timer is 0 s, confirming by time needs 60 s; update the timers bottom-up (updateTimerCacheByChildren / ByClaim) or wait",
    );
    expect(sink.text).not.toContain('\x1b[');
  });

  it('terminal: the panel is redrawn in place below the scrolling log', () => {
    const sink = new Sink();
    const out = new TtyOutput(sink, 'demo', 'transfers');
    out.log('[1/5] settlement layer: starting embedded anvil...');
    expect(sink.writes[0]).toBe('[1/5] settlement layer: starting embedded anvil...\n');
    out.ready(READY);
    const panel1 = renderPanel(
      { ready: READY, scenario: 'demo', workload: 'transfers' },
      { width: 120, height: 36 },
    );
    expect(sink.writes[1].endsWith(`${panel1.join('\n')}\n`)).toBe(true);
    out.status(status());
    // erase the previous panel (cursor up its height, clear below), draw the new one
    const w = sink.writes[2];
    expect(w.startsWith(`\x1b[${panel1.length}A\r\x1b[0J`)).toBe(true);
    const panel2 = renderPanel(
      { ready: READY, scenario: 'demo', workload: 'transfers', status: status() },
      { width: 120, height: 36 },
    );
    expect(w).toBe(`\x1b[${panel1.length}A\r\x1b[0J${panel2.join('\n')}\n`);
    // a log line goes above the panel, which is drawn again below it
    out.log('[validator-1] posted assertion 0x12345678');
    expect(sink.writes[3]).toMatch(
      new RegExp(
        `^\\x1b\\[${panel2.length}A\\r\\x1b\\[0J\\[validator-1\\] posted assertion 0x12345678\\n    ↳ assertion: `,
      ),
    );
    expect(sink.writes[3].endsWith(`${panel2.join('\n')}\n`)).toBe(true);
  });
});
