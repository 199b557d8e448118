import { type ServerOptions, WebSocketServer } from 'ws';

/**
 * engine.io's WebSocket server (its `wsEngine` option), with ws's `allowSynchronousEvents` off:
 * each WebSocket hands over at most one message per turn of the event loop, the next one in a
 * `setImmediate`. With it on (ws's default) every message of a read chunk is handled at once,
 * and Node reads up to 32 chunks of 64 KiB per connection per turn: one client flooding its
 * socket with small frames held the loop for seconds, and every other request waited. A
 * connection whose messages wait stops being read once ws's buffer is full, so the flood backs
 * up into its own TCP window instead of into the process.
 */
export class OneMessagePerTurnServer extends WebSocketServer {
  constructor(options: ServerOptions, callback?: () => void) {
    super({ ...options, allowSynchronousEvents: false }, callback);
  }
}
