import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { from, isObservable, mergeAll, type Observable, of, Subject } from 'rxjs';
import { bindMessageHandlers, type MessageBinding, type MessageHandler, type MessageSocket } from './message-handlers';

type Listener = (...args: unknown[]) => void;

/** Just enough of a socket.io socket: messages arrive through receive(), what is sent lands in `sent`. */
function fakeSocket() {
  const listeners = new Map<string, Listener[]>();
  const sent: [string, unknown][] = [];
  const add = (event: string, listener: Listener) => listeners.set(event, [...(listeners.get(event) ?? []), listener]);
  const socket: MessageSocket = { on: add, once: add, emit: (event, data) => sent.push([event, data]) };
  const receive = (event: string, ...args: unknown[]) => {
    for (const listener of listeners.get(event) ?? []) listener(...args);
  };
  return { socket, sent, receive, listeners };
}

/** Nest's transform (WebSocketsController.subscribeMessages): a value, promise or observable as an observable. */
const nestTransform = (result: unknown): Observable<unknown> =>
  from(
    (async () => {
      const value: unknown = await result;
      return isObservable(value) ? value : of(value);
    })(),
  ).pipe(mergeAll());

function binding(errors: unknown[] = []): MessageBinding {
  const nest = new IoAdapter();
  return {
    mapPayload: (payload) => nest.mapPayload(payload) as ReturnType<MessageBinding['mapPayload']>,
    logError: (error) => errors.push(error),
  };
}

const handler = (message: string, callback: MessageHandler['callback'], isAckHandledManually = false) => ({
  message,
  callback,
  isAckHandledManually,
});

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

describe('bindMessageHandlers', () => {
  it('adds one listener per message, and nothing else until a message comes', () => {
    const { socket, listeners } = fakeSocket();
    bindMessageHandlers(socket, [handler('a', () => 1), handler('b', () => 2)], nestTransform, binding());
    assert.deepEqual([...listeners.keys()], ['a', 'b']);
    assert.deepEqual(
      [...listeners.values()].map((l) => l.length),
      [1, 1],
    );
  });

  it('acknowledges with the value, sends { event, data } as that event, and sends nothing for null', async () => {
    const { socket, sent, receive } = fakeSocket();
    const acks: unknown[] = [];
    const seen: unknown[] = [];
    bindMessageHandlers(
      socket,
      [
        handler('plain', (data) => (seen.push(data), { echo: data })),
        handler('async', async () => 'later'),
        handler('event', () => ({ event: 'told', data: 42 })),
        handler('nothing', () => null),
      ],
      nestTransform,
      binding(),
    );
    receive('plain', { n: 1 }, (reply: unknown) => acks.push(reply));
    receive('async', (reply: unknown) => acks.push(reply));
    receive('event', {});
    receive('nothing', {}, (reply: unknown) => acks.push(reply));
    await settle();
    assert.deepEqual(seen, [{ n: 1 }]);
    assert.deepEqual(acks, [{ echo: { n: 1 } }, 'later']);
    assert.deepEqual(sent, [['told', 42]]);
  });

  it('leaves the acknowledgement to a handler that takes it itself', async () => {
    const { socket, receive } = fakeSocket();
    const acks: unknown[] = [];
    bindMessageHandlers(
      socket,
      [handler('manual', (_data, ack) => (ack?.('by hand'), 'returned'), true)],
      nestTransform,
      binding(),
    );
    receive('manual', {}, (reply: unknown) => acks.push(reply));
    await settle();
    assert.deepEqual(acks, ['by hand']);
  });

  it('logs a failing handler, thrown or rejected, and still runs the next message', async () => {
    const { socket, receive } = fakeSocket();
    const errors: unknown[] = [];
    const acks: unknown[] = [];
    let calls = 0;
    const failing = () => {
      calls++;
      if (calls === 1) throw new Error('thrown');
      if (calls === 2) return Promise.reject(new Error('rejected'));
      return 'fine';
    };
    bindMessageHandlers(socket, [handler('m', failing)], nestTransform, binding(errors));
    for (let i = 0; i < 3; i++) receive('m', {}, (reply: unknown) => acks.push(reply));
    await settle();
    assert.deepEqual(
      errors.map((e) => (e as Error).message),
      ['thrown', 'rejected'],
    );
    assert.deepEqual(acks, ['fine']);
  });

  it('delivers every value of an observable until the socket disconnects, then drops the rest', async () => {
    const { socket, sent, receive } = fakeSocket();
    const stream = new Subject<{ event: string; data: number }>();
    bindMessageHandlers(socket, [handler('watch', () => stream)], nestTransform, binding());
    receive('watch', {});
    await settle();
    stream.next({ event: 'tick', data: 1 });
    stream.next({ event: 'tick', data: 2 });
    assert.equal(stream.observed, true);
    receive('disconnect', 'client namespace disconnect');
    stream.next({ event: 'tick', data: 3 });
    assert.deepEqual(sent, [
      ['tick', 1],
      ['tick', 2],
    ]);
    assert.equal(stream.observed, false, 'the handler stream is still subscribed after the disconnect');
  });
});
