'use strict';
/*
 * A child process that holds authenticated socket.io clients for the benchmark, so that the
 * benchmark's own open-file limit does not bound how many sockets the service can be given: each
 * holder has a descriptor table of its own.
 *
 * Parent side: `const holder = SocketHolder.spawn()`, then `holder.open({ baseUrl, tokens,
 * count, concurrency, deadline })` (opens `count` more sockets, taking `tokens` round-robin),
 * `holder.connected()`, `holder.close()` (closes them all) and `holder.stop()` (closes them and
 * ends the process). Each call is answered over IPC and rejects when no answer comes in time.
 *
 * Child side (this file run with an IPC channel): when the channel closes (the benchmark stopped
 * or died) it closes every socket and exits, so that no holder outlives the run.
 */
const { fork } = require('node:child_process');
const { join } = require('node:path');

const ANSWER_MARGIN_MS = 30_000;
const STOP_GRACE_MS = 5_000;

class SocketHolder {
  static spawn() {
    return new SocketHolder(
      fork(join(__dirname, 'socket-holder.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
    );
  }

  constructor(child) {
    this.child = child;
    this.waiting = new Map();
    this.ids = 0;
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    child.on('message', (message) => {
      const answer = this.waiting.get(message?.id);
      if (!answer) return;
      this.waiting.delete(message.id);
      answer(message);
    });
    child.once('exit', (code, signal) => {
      for (const answer of this.waiting.values()) answer({ error: `socket holder exited (${signal ?? code})` });
      this.waiting.clear();
    });
  }

  /** Opens `count` more sockets; resolves to { opened, failed, failures, seconds, connected }. */
  open({ baseUrl, tokens, count, concurrency, deadline }) {
    return this.ask({ op: 'open', baseUrl, tokens, count, concurrency, deadline }, deadline - Date.now());
  }

  /** How many of its sockets are connected. */
  async connected() {
    return (await this.ask({ op: 'count' })).connected;
  }

  close() {
    return this.ask({ op: 'close' });
  }

  /** Closes its sockets and ends the process (killed if it has not gone within a few seconds). */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  ask(request, waitMs = 0) {
    const id = ++this.ids;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`socket holder did not answer "${request.op}" in time`));
      }, waitMs + ANSWER_MARGIN_MS);
      this.waiting.set(id, (message) => {
        clearTimeout(timer);
        if (message.error) reject(new Error(message.error));
        else resolve(message);
      });
      this.child.send({ ...request, id });
    });
  }
}

/** The holder itself: answers the parent's requests until the IPC channel closes. */
function hold() {
  const { openSockets, closeAll } = require('./sockets');
  const sockets = [];
  const answer = (id, work) =>
    Promise.resolve()
      .then(work)
      .then(
        (reply) => process.connected && process.send({ id, ...reply }),
        (error) => process.connected && process.send({ id, error: error.message }),
      );
  process.on('message', (request) => {
    if (request.op === 'open') {
      answer(request.id, async () => {
        const opened = await openSockets(request.baseUrl, request);
        sockets.push(...opened.sockets);
        const { failed, failures, seconds } = opened;
        return { opened: opened.sockets.length, failed, failures, seconds, connected: countConnected(sockets) };
      });
    } else if (request.op === 'count') {
      answer(request.id, () => ({ connected: countConnected(sockets) }));
    } else if (request.op === 'close') {
      answer(request.id, () => {
        const closed = sockets.length;
        closeAll(sockets);
        return { closed };
      });
    }
  });
  process.once('disconnect', () => {
    closeAll();
    // A moment for the close frames to leave, then go whatever is still pending.
    setTimeout(() => process.exit(0), 200);
  });
}

const countConnected = (sockets) => sockets.filter((socket) => socket.connected).length;

if (require.main === module && process.send) hold();

module.exports = { SocketHolder };
