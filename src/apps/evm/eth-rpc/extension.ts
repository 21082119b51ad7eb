/**
 * The EVM chain's addition to the node's JSON-RPC server (docs/evm-rpc.md): the Ethereum methods
 * beside `modex_*`, and the WebSocket subscriptions on the same port.
 */
import type { RpcBackend } from '../../../node/rpc.ts';
import type { RpcExtension } from '../../rpc-extensions.ts';
import { createEthRpc } from './methods.ts';
import { ethSubscriptions } from './subscriptions.ts';

export function ethRpcExtension(backend: RpcBackend): RpcExtension {
  const eth = createEthRpc(backend);
  return { methods: eth.methods, upgrade: ethSubscriptions(backend, eth.views) };
}
