/**
 * JSON-RPC extensions of the built-in apps, keyed by app name: methods (and an HTTP upgrade
 * handler, for WebSocket subscriptions) a node serves beside its generic `modex_*` methods when it
 * runs that app (the sequencer role and a follower, src/node/roles.ts). The `evm` app gets the
 * Ethereum JSON-RPC (docs/evm-rpc.md).
 *
 * Each extension is imported only when its app runs, so the node (src/node) imports no app.
 */
import type { Method, RpcBackend, UpgradeHandler } from '../node/rpc.ts';

export interface RpcExtension {
  /** served beside `modex_*` (`RpcServerOptions.methods`) */
  methods: Record<string, Method>;
  /** takes the server's upgrade requests (`RpcServerOptions.upgrade`) */
  upgrade?: UpgradeHandler;
}

const EXTENSIONS: Record<string, () => Promise<(backend: RpcBackend) => RpcExtension>> = {
  evm: async () => (await import('./evm/eth-rpc/extension.ts')).ethRpcExtension,
};

/** The JSON-RPC extension of built-in app `app` over `backend`, or undefined (none). */
export async function rpcExtensionFor(
  app: string | undefined,
  backend: RpcBackend,
): Promise<RpcExtension | undefined> {
  return app !== undefined && Object.hasOwn(EXTENSIONS, app) ? (await EXTENSIONS[app]())(backend) : undefined;
}
