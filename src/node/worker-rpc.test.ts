/**
 * worker-rpc.ts: what of an error crosses a thread boundary, and the worker side's ordering (the
 * block worker and the batcher worker are tested end to end in their own files).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ModexError } from '../core/errors.ts';
import { errorData, serveRequests, type WorkerReply } from './worker-rpc.ts';

class FieldError extends ModexError {
  readonly expected = 3n;
  readonly l1 = { messageCount: 7n };
  readonly client = { send: () => 1 }; // not clonable
  constructor() {
    super('TEST_FIELDS', 'with fields');
  }
}

function collect(port: MessagePort, n: number): Promise<WorkerReply[]> {
  return new Promise((resolve) => {
    const out: WorkerReply[] = [];
    port.on('message', (m: WorkerReply) => {
      out.push(m);
      if (out.length === n) resolve(out);
    });
  });
}

describe('errorData', () => {
  it('keeps name, message, code and the clonable own fields; drops the rest', () => {
    const d = errorData(new FieldError());
    expect(d).toEqual({
      name: 'FieldError',
      message: 'with fields',
      code: 'TEST_FIELDS',
      fields: { expected: 3n, l1: { messageCount: 7n } },
    });
    expect(() => structuredClone(d)).not.toThrow();
    expect(errorData('plain')).toEqual({ name: 'Error', message: 'plain' });
    expect(errorData(new RangeError('r'))).toMatchObject({
      name: 'RangeError',
      message: 'r',
      code: undefined,
    });
  });
});

describe('serveRequests', () => {
  const slowFirst = async (r: { id: number; op: string }) => {
    if (r.op === 'fail') throw new FieldError();
    await new Promise((res) => setTimeout(res, r.id === 1 ? 50 : 0));
    return r.id;
  };

  it('ordered: replies in arrival order after the ready reply; a failure is an error reply', async () => {
    const { port1, port2 } = new MessageChannel();
    const replies = collect(port2, 4);
    serveRequests(port1, slowFirst, { ordered: true });
    port2.postMessage({ id: 1, op: 'x' });
    port2.postMessage({ id: 2, op: 'fail' });
    port2.postMessage({ id: 3, op: 'x' });
    const r = await replies;
    expect(r.map((x) => x.id)).toEqual([0, 1, 2, 3]);
    expect(r[2]).toMatchObject({ ok: false, error: { code: 'TEST_FIELDS', fields: { expected: 3n } } });
    port1.close();
  });

  it('unordered: a quick request is not held up by a slow one', async () => {
    const { port1, port2 } = new MessageChannel();
    const replies = collect(port2, 3);
    serveRequests(port1, slowFirst, { ordered: false });
    port2.postMessage({ id: 1, op: 'x' });
    port2.postMessage({ id: 2, op: 'x' });
    expect((await replies).map((x) => x.id)).toEqual([0, 2, 1]);
    port1.close();
  });
});
