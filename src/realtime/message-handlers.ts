import { defer, type Observable, type Subscription } from 'rxjs';

/** What binding reads of a socket: socket.io's Socket, narrowed to plain event names. */
export interface MessageSocket {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
  emit(event: string, data: unknown): unknown;
}

/** One `@SubscribeMessage` handler of a gateway, bound to the socket by Nest (its MessageMappingProperties). */
export interface MessageHandler {
  message: string;
  callback: (data: unknown, ack?: (response: unknown) => void) => unknown;
  isAckHandledManually: boolean;
}

/** What the adapter lends the binding, the same for every socket. */
export interface MessageBinding {
  /** Nest's IoAdapter.mapPayload: a message's arguments as data and acknowledgement. */
  mapPayload: (payload: unknown) => { data: unknown; ack?: (response: unknown) => void };
  logError: (error: unknown) => void;
}

/** Per socket, the handler results still being delivered: created with the first, dropped with the socket. */
const deliveries = new WeakMap<MessageSocket, Set<Subscription>>();

/**
 * Binds a gateway's message handlers to one socket with the behaviour of Nest's
 * IoAdapter.bindMessageHandlers, without its RxJS pipeline per socket and message (fromEvent,
 * mergeMap, takeUntil over a shared disconnect stream): that pipeline took some 7 KB of heap per
 * socket before any message came, about a third of what an open socket costs. Here a socket
 * gets one listener per message, and state only while a handler's result is being delivered.
 *
 * Each message runs the handler; every value it gives that is not null or undefined goes back,
 * `{ event, data }` as that event and anything else as the acknowledgement (unless the handler
 * takes the acknowledgement itself, `@Ack()`). An error is logged, and later messages still run.
 * What is still being delivered when the socket disconnects is dropped. `transform` is Nest's:
 * the handler's value, promise or observable as an observable.
 */
export function bindMessageHandlers(
  socket: MessageSocket,
  handlers: MessageHandler[],
  transform: (result: unknown) => Observable<unknown>,
  binding: MessageBinding,
): void {
  for (const { message, callback, isAckHandledManually } of handlers) {
    socket.on(message, (...args: unknown[]) => {
      const { data, ack } = binding.mapPayload(args.length > 1 ? args : args[0]);
      const reply = (response: unknown): void => {
        if (response === null || response === undefined) return;
        if (isEventReply(response)) socket.emit(response.event, response.data);
        else if (!isAckHandledManually && typeof ack === 'function') ack(response);
      };
      track(socket, defer(() => transform(callback(data, ack))).subscribe({ next: reply, error: binding.logError }));
    });
  }
}

/** Keeps a delivery still under way, to be cut off if the socket disconnects first. */
function track(socket: MessageSocket, subscription: Subscription): void {
  if (subscription.closed) return;
  let open = deliveries.get(socket);
  if (!open) {
    const created = new Set<Subscription>();
    open = created;
    deliveries.set(socket, created);
    socket.once('disconnect', () => {
      for (const delivery of created) delivery.unsubscribe();
    });
  }
  const set = open;
  set.add(subscription);
  subscription.add(() => set.delete(subscription));
}

function isEventReply(response: unknown): response is { event: string; data: unknown } {
  return typeof response === 'object' && response !== null && Boolean((response as { event?: unknown }).event);
}
