import type { Socket } from 'node:net';
import type { NextFunction, Request, Response } from 'express';

/** Pipelined requests waiting on one connection at which it is not read any further until they have started. */
const MAX_WAITING = 16;

interface Waiting {
  starts: NextFunction[];
  scheduled: boolean;
  paused: boolean;
}

const waitingOn = new WeakMap<Socket, Waiting>();

/**
 * Express middleware: a request that came pipelined behind another one on its connection is
 * started in a later turn of the event loop, one per connection per turn; every other request
 * goes on at once, untouched. Node parses a whole read of a connection at once and hands every
 * request in it to the application in the same turn, and reads up to 32 such reads per turn: a
 * client that pipelines thousands of requests (random tokens, say) had them all run back to back
 * while another client's GET /health waited for seconds. Past MAX_WAITING waiting requests the
 * connection is not read until they have all started, so the pipeline backs up into the
 * client's TCP window rather than into memory.
 *
 * A pipelined request is one whose response Node has queued behind an unfinished one on the same
 * connection: its `res.socket` is still null.
 */
export function pipelinedOnePerTurn(request: Request, response: Response, next: NextFunction): void {
  if (response.socket !== null) return next();
  const socket = request.socket;
  let waiting = waitingOn.get(socket);
  if (!waiting) waitingOn.set(socket, (waiting = { starts: [], scheduled: false, paused: false }));
  waiting.starts.push(next);
  if (waiting.starts.length >= MAX_WAITING && !waiting.paused) {
    waiting.paused = true;
    socket.pause();
  }
  if (!waiting.scheduled) {
    waiting.scheduled = true;
    setImmediate(startOne, socket, waiting);
  }
}

function startOne(socket: Socket, waiting: Waiting): void {
  waiting.starts.shift()?.();
  if (waiting.starts.length > 0) {
    setImmediate(startOne, socket, waiting);
    return;
  }
  waiting.scheduled = false;
  if (waiting.paused) {
    waiting.paused = false;
    socket.resume();
  }
}
