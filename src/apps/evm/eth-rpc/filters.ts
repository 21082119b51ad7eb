/**
 * Polled filters (docs/evm-rpc.md §5): eth_newFilter, eth_newBlockFilter, eth_getFilterChanges,
 * eth_getFilterLogs, eth_uninstallFilter. A filter not polled for 5 minutes is removed, as in geth.
 */

import { randomBytes } from 'node:crypto';
import type { Hex } from 'viem';
import { InvalidParamsError } from '../../../node/errors.ts';
import { FilterNotFoundError } from './errors.ts';
import type { LogJson } from './json.ts';
import { getLogs, type LogCriteria, logsIn, MAX_LOG_RANGE, resolveNumber } from './logs.ts';
import type { BlockViews } from './view.ts';

/** a filter not polled for this long is removed (ms) */
export const FILTER_TIMEOUT_MS = 5 * 60_000;
/** the most filters kept at once (the oldest are removed past it) */
export const MAX_FILTERS = 10_000;

interface Filter {
  kind: 'logs' | 'blocks';
  criteria?: LogCriteria;
  /** the next Ethereum block the filter has not reported */
  next: number;
  polled: number;
}

export class Filters {
  private readonly filters = new Map<string, Filter>();

  constructor(
    private readonly views: BlockViews,
    private readonly now: () => number = Date.now,
  ) {}

  private add(f: Filter): Hex {
    this.expire();
    while (this.filters.size >= MAX_FILTERS) this.filters.delete(this.filters.keys().next().value as string);
    const id = `0x${randomBytes(16).toString('hex')}` as Hex;
    this.filters.set(id, f);
    return id;
  }

  private expire(): void {
    const t = this.now();
    for (const [id, f] of this.filters) if (t - f.polled > FILTER_TIMEOUT_MS) this.filters.delete(id);
  }

  private get(id: unknown): Filter {
    const f = typeof id === 'string' ? this.filters.get(id.toLowerCase()) : undefined;
    if (!f || this.now() - f.polled > FILTER_TIMEOUT_MS) throw new FilterNotFoundError();
    f.polled = this.now();
    return f;
  }

  newLogFilter(c: LogCriteria): Hex {
    const head = this.views.head;
    // changes start at fromBlock when given (not past the head + 1), else at the next block
    const next =
      'tag' in c.from && c.from.tag === 'latest' ? head + 1 : Math.min(resolveNumber(c.from, head), head + 1);
    return this.add({ kind: 'logs', criteria: c, next, polled: this.now() });
  }

  newBlockFilter(): Hex {
    return this.add({ kind: 'blocks', next: this.views.head + 1, polled: this.now() });
  }

  uninstall(id: unknown): boolean {
    return typeof id === 'string' && this.filters.delete(id.toLowerCase());
  }

  /** What happened since the last poll: block hashes, or logs (within the filter's toBlock). */
  async changes(id: unknown): Promise<Hex[] | LogJson[]> {
    const f = this.get(id);
    const head = this.views.head;
    if (f.next > head) return [];
    if (f.kind === 'blocks') {
      const out: Hex[] = [];
      const to = Math.min(head, f.next + MAX_LOG_RANGE - 1);
      for (let n = f.next; n <= to; n++) {
        const b = await this.views.block(n);
        if (!b) break;
        out.push(b.hash);
        f.next = n + 1;
      }
      return out;
    }
    const c = f.criteria as LogCriteria;
    const to = Math.min(head, resolveNumber(c.to, head), f.next + MAX_LOG_RANGE - 1);
    if (f.next > to) return [];
    const logs = await logsIn(this.views, c, f.next, to);
    f.next = to + 1;
    return logs;
  }

  /** eth_getFilterLogs: all the logs of a log filter's criteria. */
  async logs(id: unknown): Promise<LogJson[]> {
    const f = this.get(id);
    if (f.kind !== 'logs')
      throw new InvalidParamsError(
        'filter id: a block filter has no logs (eth_getFilterChanges gives its block hashes)',
      );
    return getLogs(this.views, f.criteria as LogCriteria);
  }
}
