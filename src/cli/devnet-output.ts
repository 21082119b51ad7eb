/**
 * Where `modex devnet` writes: on a terminal (`TtyOutput`) the log scrolls and a panel below it
 * (src/cli/devnet-screen.ts) is redrawn in place; piped (`PlainOutput`) every line is printed once,
 * the status only when it changed. Both explain contract errors and protocol terms as they appear
 * (src/cli/devnet-explain.ts).
 */
import type { DevnetStatus } from '../node/devnet-run.ts';
import { Explainer } from './devnet-explain.ts';
import {
  type DevnetScreenState,
  readyLines,
  renderPanel,
  type ScreenReady,
  statusLine,
  userTxLine,
} from './devnet-screen.ts';

export interface DevnetOutput {
  /** a progress or log line */
  log(line: string): void;
  ready(r: ScreenReady, o: { hints: boolean }): void;
  status(s: DevnetStatus): void;
  stopping(): void;
  /** leaves the screen as it is (the panel stays, the cursor below it) */
  close(): void;
}

interface Stream {
  write(s: string): unknown;
}

const ARROW = '    ↳ ';

/** One line per event; the status only when it changed; each new user transaction once. */
export class PlainOutput implements DevnetOutput {
  private readonly explainer = new Explainer();
  private lastStatus = '';
  private readonly shownTxs = new Set<string>();

  constructor(private readonly out: Stream) {}

  log(line: string): void {
    this.out.write(`${line}\n`);
    for (const e of this.explainer.explain(line)) this.out.write(`${ARROW}${e}\n`);
  }

  ready(r: ScreenReady, o: { hints: boolean }): void {
    const lines = readyLines(r);
    const cut = lines.indexOf('');
    this.out.write('\n');
    for (const l of o.hints ? lines : lines.slice(0, cut)) this.out.write(`${l}\n`);
    this.out.write('\n');
  }

  status(s: DevnetStatus): void {
    const line = statusLine(s);
    if (line !== this.lastStatus) {
      this.lastStatus = line;
      this.log(`[${s.elapsed_s.toFixed(1)}s] ${line}`);
    }
    for (const t of [...s.user_txs.recent].reverse()) {
      if (this.shownTxs.has(t.hash)) continue;
      this.shownTxs.add(t.hash);
      this.out.write(`your transaction ${userTxLine(t)}\n`);
    }
  }

  stopping(): void {}

  close(): void {}
}

/** The log scrolls; the panel below it is redrawn in place on every change. */
export class TtyOutput implements DevnetOutput {
  private readonly explainer = new Explainer();
  private panel: string[] = [];
  private state?: DevnetScreenState;

  constructor(
    private readonly out: Stream & { columns?: number; rows?: number },
    private readonly scenario: DevnetScreenState['scenario'],
    private readonly workload?: string,
  ) {}

  private size() {
    return { width: Math.max(40, this.out.columns ?? 100), height: Math.max(8, (this.out.rows ?? 30) - 4) };
  }

  /** erase the panel, print `lines` (they scroll), draw the panel again: one write */
  private draw(lines: string[]): void {
    let s = this.panel.length ? `\x1b[${this.panel.length}A\r\x1b[0J` : '';
    for (const l of lines) s += `${l}\n`;
    this.panel = this.state ? renderPanel(this.state, this.size()) : [];
    for (const l of this.panel) s += `${l}\n`;
    this.out.write(s);
  }

  log(line: string): void {
    this.draw([line, ...this.explainer.explain(line).map((e) => `${ARROW}${e}`)]);
  }

  ready(r: ScreenReady): void {
    // the whole ready screen once in the scrollback (every key, every contract); the panel keeps the essentials
    const lines = readyLines(r);
    this.state = { ready: r, scenario: this.scenario, workload: this.workload };
    this.draw(['', ...lines.slice(0, lines.indexOf('')), '']);
  }

  status(s: DevnetStatus): void {
    if (!this.state) return;
    this.state = { ...this.state, status: s };
    this.draw([]);
  }

  stopping(): void {
    if (!this.state) return;
    this.state = { ...this.state, stopping: true };
    this.draw([]);
  }

  close(): void {
    // the panel stays on screen as the last state
    this.panel = [];
  }
}
