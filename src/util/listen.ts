/** Starting an HTTP server on a port (0: any free one): the JSON-RPC server's and the metrics server's. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on `host:port`; resolves with the port taken and the server's base URL (`http://host:port`). */
export async function listen(
  server: Server,
  port: number,
  host: string,
): Promise<{ port: number; base: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const taken = (server.address() as AddressInfo).port;
  return { port: taken, base: `http://${host.includes(':') ? `[${host}]` : host}:${taken}` };
}
