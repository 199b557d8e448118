'use strict';
// socket.io clients of the benchmark: authenticated connections opened with bounded concurrency.
const { io } = require('socket.io-client');

const CONNECT_TIMEOUT_MS = 20_000;

/** Every client not yet closed, so that an interrupted run can close them all. */
const live = new Set();

/** One websocket-only client with its own connection (no multiplexing) and no reconnection. */
function connectOne(baseUrl, token) {
  return new Promise((resolve) => {
    const socket = io(baseUrl, {
      transports: ['websocket'],
      auth: { token },
      forceNew: true,
      reconnection: false,
      timeout: CONNECT_TIMEOUT_MS,
    });
    live.add(socket);
    const done = (error) => {
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
      if (error) close(socket);
      resolve({ socket, error });
    };
    const onConnect = () => done(null);
    const onError = (error) => done(error.message || String(error));
    socket.once('connect', onConnect);
    socket.once('connect_error', onError);
  });
}

/**
 * Opens `count` authenticated sockets, `concurrency` handshakes at a time, taking tokens
 * round-robin. Stops starting new ones at `deadline` (epoch ms). Resolves to the open
 * sockets, the refusals, and the time from the first attempt to the last outcome.
 */
async function openSockets(baseUrl, { tokens, count, concurrency, deadline }) {
  const sockets = [];
  const failures = new Map();
  let failed = 0;
  let next = 0;
  const t0 = performance.now();
  let lastDone = t0;
  const worker = async () => {
    while (next < count && Date.now() < deadline) {
      const token = tokens[next % tokens.length];
      next++;
      const { socket, error } = await connectOne(baseUrl, token);
      lastDone = performance.now();
      if (error) {
        failed++;
        failures.set(error, (failures.get(error) ?? 0) + 1);
      } else {
        sockets.push(socket);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const seconds = (lastDone - t0) / 1000;
  return { sockets, failed, failures: [...failures].map(([m, n]) => `${n}× ${m}`), seconds, attempted: next };
}

function close(socket) {
  live.delete(socket);
  socket.close();
}

function closeAll(sockets = [...live]) {
  for (const socket of sockets.splice(0)) close(socket);
}

module.exports = { connectOne, openSockets, closeAll };
