/** The beacon block id of an execution block on a real beacon node (slotBlockId), against a local HTTP beacon stand-in. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotBlockId } from './blob-source.ts';

let server: Server;
let url: string;
let genesisCalls = 0;
let answer: { status: number; body: unknown } = {
  status: 200,
  body: { data: { genesis_time: '1606824023' } },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/eth/v1/beacon/genesis') genesisCalls++;
    res.writeHead(req.url === '/eth/v1/beacon/genesis' ? answer.status : 404, {
      'content-type': 'application/json',
    });
    res.end(JSON.stringify(req.url === '/eth/v1/beacon/genesis' ? answer.body : {}));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('slotBlockId', () => {
  it('maps a block to its slot from the beacon genesis time (read once)', async () => {
    const times = new Map([
      [100n, 1606824023n],
      [101n, 1606824035n],
      [200n, 1606824023n + 12n * 9_000_000n + 11n],
    ]);
    const id = slotBlockId({ beaconUrl: url, timestampOf: async (n) => times.get(n) as bigint });
    expect(await id(100n)).toBe('0');
    expect(await id(101n)).toBe('1');
    expect(await id(200n)).toBe('9000000');
    expect(genesisCalls).toBe(1);
  });

  it('refuses a block before genesis and a beacon node without genesis_time (DA_UNAVAILABLE), then retries', async () => {
    const before = slotBlockId({ beaconUrl: url, timestampOf: async () => 5n });
    await expect(before(1n)).rejects.toMatchObject({ code: 'DA_UNAVAILABLE' });
    answer = { status: 503, body: {} };
    const id = slotBlockId({ beaconUrl: url, timestampOf: async () => 1606824035n });
    await expect(id(1n)).rejects.toThrow(/without genesis_time/);
    answer = { status: 200, body: { data: { genesis_time: '1606824023' } } };
    expect(await id(1n)).toBe('1');
    const down = slotBlockId({ beaconUrl: 'http://127.0.0.1:1', timestampOf: async () => 0n });
    await expect(down(1n)).rejects.toThrow(/unreachable/);
  });
});
