import type { Socket } from 'node:net';
import type { NextFunction, Request, Response } from 'express';

/** Pipelined requests waiting on one connection at which it is not read any further until fewer wait. */
const MAX_WAITING = 16;

/** Requests waiting per connection, only while some do. */
const waitingOn = new WeakMap<Socket, number>();

/**
 * Express middleware: a request pipelined behind another on its connection starts only once the
 * one before it has been answered, in a later turn of the event loop; a request that is not
 * pipelined goes on at once, untouched. Node parses a whole read of a connection at once and
 * hands every request in it to the application in the same turn (and reads up to 32 such reads
 * per turn): a client pipelining thousands of requests with random tokens had them all run side
 * by side, each holding a database connection, while another client's GET /health waited for
 * seconds behind them. Now one connection has one request in progress at a time, as a client
 * that does not pipeline has. With MAX_WAITING requests waiting the connection is not read
 * until fewer do, so a pipeline backs up into the client's TCP window rather than into memory.
 *
 * A pipelined request is one whose response Node has queued behind an unfinished one on the
 * same connection: its `res.socket` is null until Node hands it the connection ('socket').
 */
export function pipelinedOneAtATime(request: Request, response: Response, next: NextFunction): void {
  if (response.socket !== null) return next();
  const socket = request.socket;
  const waiting = (waitingOn.get(socket) ?? 0) + 1;
  waitingOn.set(socket, waiting);
  if (waiting === MAX_WAITING) socket.pause();
  response.once('socket', () => setImmediate(start, socket, next));
}

function start(socket: Socket, next: NextFunction): void {
  const waiting = (waitingOn.get(socket) ?? 1) - 1;
  if (waiting === 0) waitingOn.delete(socket);
  else waitingOn.set(socket, waiting);
  if (waiting === MAX_WAITING - 1) socket.resume();
  next();
}
