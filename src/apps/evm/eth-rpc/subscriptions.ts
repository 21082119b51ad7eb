/**
 * WebSocket JSON-RPC with `eth_subscribe` / `eth_unsubscribe` (docs/evm-rpc.md §5): `newHeads`
 * (each new block's header) and `logs` (the new blocks' logs matching a filter). Every other
 * request on the socket is answered as over HTTP. New blocks are found by polling the node's head
 * every 100 ms while a subscription exists; blocks a recovery rewrote after they were announced are
 * announced again (newHeads goes back, as in a reorg; their logs are sent again, the old ones are
 * not sent with `removed: true`).
 */

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { InvalidParamsError } from '../../../node/errors.ts';
import { handleRpcBody, type RpcBackend, type UpgradeHandler } from '../../../node/rpc.ts';
import { EthLimitError } from './errors.ts';
import { headerJson } from './json.ts';
import { type LogCriteria, logCriteria, logsIn } from './logs.ts';
import type { BlockViews } from './view.ts';

/** how often the head is polled while a subscription exists (ms) */
export const POLL_MS = 100;
/** the largest WebSocket message accepted (bytes) */
const MAX_MESSAGE = 1024 * 1024;
/** how far back a rewritten block is looked for (blocks) */
const REWIND_DEPTH = 64;
/** the most subscriptions per connection */
const MAX_SUBSCRIPTIONS = 1_000;

interface Subscription {
  ws: WebSocket;
  kind: 'newHeads' | 'logs';
  criteria?: LogCriteria;
}

export function ethSubscriptions(backend: RpcBackend, views: BlockViews): UpgradeHandler {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  const subs = new Map<string, Subscription>();
  let timer: NodeJS.Timeout | undefined;
  /** the next block to announce */
  let next = 0;
  let polling = false;

  const send = (ws: WebSocket, msg: unknown) => {
    if (ws.readyState === 1) ws.send(JSON.stringify(msg));
  };

  /** the hashes of the last blocks announced, by number (to see a recovery rewrite them) */
  const announced = new Map<number, string>();
  /**
   * the first announced block whose hash changed (a recovery rewrote it: it is announced again,
   * as a reorg), or `from` when none did; looks back at most REWIND_DEPTH blocks
   */
  const rewound = async (from: number): Promise<number> => {
    let first = from;
    for (let n = from - 1; n >= 0 && n >= from - REWIND_DEPTH; n--) {
      const h = announced.get(n);
      if (h === undefined) break;
      if ((await views.block(n))?.hash === h) break;
      first = n;
    }
    return first;
  };

  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      next = await rewound(next);
      const head = views.head;
      for (; next <= head && subs.size > 0; next++) {
        const b = await views.block(next);
        if (!b) break;
        announced.set(next, b.hash);
        announced.delete(next - REWIND_DEPTH);
        for (const [id, s] of subs) {
          if (s.kind === 'newHeads')
            send(s.ws, {
              jsonrpc: '2.0',
              method: 'eth_subscription',
              params: { subscription: id, result: headerJson(b) },
            });
          else
            for (const log of await logsIn(views, s.criteria as LogCriteria, next, next))
              send(s.ws, {
                jsonrpc: '2.0',
                method: 'eth_subscription',
                params: { subscription: id, result: log },
              });
        }
      }
    } catch {
      // a block that cannot be viewed now (e.g. mid-recovery) is tried again at the next poll
    } finally {
      polling = false;
    }
  };

  const subscribe = async (ws: WebSocket, params: unknown[]): Promise<string> => {
    const kind = params[0];
    if (kind !== 'newHeads' && kind !== 'logs')
      throw new InvalidParamsError(`subscription ${JSON.stringify(kind)} is not supported (newHeads, logs)`);
    let own = 0;
    for (const s of subs.values()) if (s.ws === ws) own++;
    if (own >= MAX_SUBSCRIPTIONS)
      throw new EthLimitError(`at most ${MAX_SUBSCRIPTIONS} subscriptions per connection`);
    const criteria = kind === 'logs' ? logCriteria(params[1], 'logs filter') : undefined;
    if (subs.size === 0) {
      // the head now is what the client knows: a recovery rewriting it is announced too
      const head = views.head;
      next = head + 1;
      announced.clear();
      const b = await views.block(head).catch(() => null);
      if (b) announced.set(head, b.hash);
    }
    const id = `0x${randomBytes(16).toString('hex')}`;
    subs.set(id, { ws, kind, criteria });
    timer ??= setInterval(() => void poll(), POLL_MS);
    return id;
  };

  const unsubscribe = (ws: WebSocket, id: unknown): boolean => {
    const s = typeof id === 'string' ? subs.get(id) : undefined;
    if (!s || s.ws !== ws) return false;
    subs.delete(id as string);
    if (subs.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
    return true;
  };

  const drop = (ws: WebSocket) => {
    for (const [id, s] of subs) if (s.ws === ws) unsubscribe(ws, id);
  };

  const onMessage = async (ws: WebSocket, text: string) => {
    let req: { id?: unknown; method?: unknown; params?: unknown } | undefined;
    try {
      req = JSON.parse(text);
    } catch {
      // handleRpcBody answers the parse error
    }
    const m = req && !Array.isArray(req) && typeof req === 'object' ? req.method : undefined;
    if (req && (m === 'eth_subscribe' || m === 'eth_unsubscribe')) {
      const id = req.id ?? null;
      try {
        const params = Array.isArray(req.params) ? req.params : [];
        const result = m === 'eth_subscribe' ? await subscribe(ws, params) : unsubscribe(ws, params[0]);
        send(ws, { jsonrpc: '2.0', id, result });
      } catch (e) {
        const code = (e as { rpcCode?: number }).rpcCode ?? -32602;
        send(ws, { jsonrpc: '2.0', id, error: { code, message: (e as Error).message } });
      }
      return;
    }
    const out = await handleRpcBody(backend, text);
    if (out !== undefined) send(ws, out);
  };

  return {
    handle(req: IncomingMessage, socket: Duplex, head: Buffer) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (d) => {
          const text = Array.isArray(d)
            ? Buffer.concat(d).toString('utf8')
            : Buffer.from(d as Buffer).toString('utf8');
          onMessage(ws, text).catch(() => ws.close(1011, 'internal error'));
        });
        ws.on('close', () => drop(ws));
        ws.on('error', () => drop(ws));
      });
    },
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      subs.clear();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
