/**
 * The explorer's JSON-RPC methods (docs/node.md §2, docs/explorer.md): what the chain's L1
 * contracts say, generic over apps. Served by the node's JSON-RPC server beside its own methods;
 * wrong params are JSON-RPC −32602 errors (`InvalidParamsError`).
 *
 * | method                | params            | result                                                    |
 * | --------------------- | ----------------- | --------------------------------------------------------- |
 * | `modex_getSettlement` | —                 | L1 chain id and head, contracts, dispute parameters, modules |
 * | `modex_getBatches`    | `from?`, `limit?` | `{ total, from, items: BatchView[] }`                     |
 * | `modex_getInbox`      | `from?`, `limit?` | `{ total, from, items, delayed: { total, pending, items } }` |
 * | `modex_getAssertions` | `from?`, `limit?` | `{ total, from, items: AssertionView[] }`                 |
 * | `modex_getDisputes`   | `from?`, `limit?` | `{ total, from, items: DisputeView[] }`                   |
 * | `modex_getCommittee`  | —                 | `CommitteeView`                                           |
 *
 * `from` is the index of the first item (oldest first; default: the last `limit` items), `limit`
 * at most `MAX_PAGE` (default 50).
 */
import { InvalidParamsError } from '../node/errors.ts';
import type { CommitteeHealth } from './committee.ts';
import type { ExplorerViews } from './views.ts';

/** Most items one call answers. */
export const MAX_PAGE = 500;
const DEFAULT_PAGE = 50;

/** A JSON-RPC method as the node's server calls it (its backend is not needed here). */
export type ExplorerMethod = (backend: unknown, params: unknown[]) => unknown;

function arity(params: unknown[], max: number): void {
  if (params.length > max)
    throw new InvalidParamsError(
      `expected at most ${max} param${max === 1 ? '' : 's'}, got ${params.length}`,
    );
}

function page(params: unknown[]): { from?: number; limit: number } {
  arity(params, 2);
  const [from, limit] = params;
  const int = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x);
  if (from !== undefined && from !== null && !(int(from) && (from as number) >= 0))
    throw new InvalidParamsError('from must be a non-negative integer');
  if (
    limit !== undefined &&
    limit !== null &&
    !(int(limit) && (limit as number) >= 1 && (limit as number) <= MAX_PAGE)
  )
    throw new InvalidParamsError(`limit must be an integer from 1 to ${MAX_PAGE}`);
  return {
    from: from === undefined || from === null ? undefined : (from as number),
    limit: limit === undefined || limit === null ? DEFAULT_PAGE : (limit as number),
  };
}

function slice<T>(
  all: T[],
  p: { from?: number; limit: number },
): { total: number; from: number; items: T[] } {
  const from = p.from ?? Math.max(0, all.length - p.limit);
  return { total: all.length, from, items: all.slice(from, from + p.limit) };
}

export interface ExplorerMethodsContext {
  views: ExplorerViews;
  committee: CommitteeHealth;
  /** what `modex_getSettlement` answers (besides the L1 head) */
  settlement: () => Promise<Record<string, unknown>>;
}

export function explorerMethods(x: ExplorerMethodsContext): Record<string, ExplorerMethod> {
  const { views } = x;
  const sync = () => views.l1.sync();
  return {
    modex_getSettlement: async (_, p) => {
      arity(p, 0);
      await sync();
      const head = views.l1.head;
      return { ...(await x.settlement()), l1Head: Number(head), l1Time: Number(await views.l1.time(head)) };
    },
    modex_getBatches: async (_, p) => {
      const pg = page(p);
      await sync();
      const s = slice(views.batchEvents(), pg);
      return { ...s, items: await Promise.all(s.items.map((e) => views.batch(e))) };
    },
    modex_getInbox: async (_, p) => {
      const pg = page(p);
      await sync();
      const { messages, delayed } = await views.inbox();
      return {
        ...slice(messages, pg),
        delayed: {
          total: delayed.length,
          pending: delayed.filter((d) => d.position === null).length,
          items: delayed.slice(Math.max(0, delayed.length - pg.limit)),
        },
      };
    },
    modex_getAssertions: async (_, p) => {
      const pg = page(p);
      await sync();
      return slice(await views.assertions(), pg);
    },
    modex_getDisputes: async (_, p) => {
      const pg = page(p);
      await sync();
      return slice(await views.disputes(), pg);
    },
    modex_getCommittee: async (_, p) => {
      arity(p, 0);
      await sync();
      const events = views.batchEvents();
      const paths = events.map((e) => views.daPath(e));
      const last = paths.lastIndexOf('certificate');
      return x.committee.view(
        {
          certificate: paths.filter((d) => d === 'certificate').length,
          fallback: paths.filter((d) => views.isFallback(d)).length,
          total: paths.length,
        },
        last >= 0 ? await views.batch(events[last]) : undefined,
      );
    },
  };
}
