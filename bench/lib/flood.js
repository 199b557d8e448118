'use strict';
/*
 * A hostile client, run as a process of its own so that its CPU is not the measuring side's:
 *
 *   node bench/lib/flood.js socket <baseUrl> <token> <seconds> <maxFrames> [localAddress]
 *     one socket.io connection (WebSocket) with a valid token, sending `whoami` event frames as
 *     fast as the connection takes them; when the server disconnects it, it connects again and
 *     goes on, until <seconds> or <maxFrames>;
 *   node bench/lib/flood.js tokens <baseUrl> <seconds> <maxRequests> [localAddress]
 *     one keep-alive HTTP connection with GET /api/auth/me pipelined, each with a random token,
 *     until <seconds> or <maxRequests>.
 *
 * <localAddress> (a 127.0.0.x) is the address the service counts the flood against, so that the
 * measuring client, on another, is not refused along with it. The process prints one JSON line
 * with what happened ({ sent, seconds, ... }) and exits; it never runs past <seconds> + 10 s.
 * It starts when its parent sends "go" on stdin (or at once without a pipe), so that the parent
 * can start measuring first.
 */
const net = require('node:net');
const { randomBytes } = require('node:crypto');
const { io } = require('socket.io-client');

/** Frames written per batch, and how much may wait in the client's buffer before it waits too. */
const BATCH = 500;
const MAX_BUFFERED = 1 << 20;
const FRAME = '42["whoami"]';

function socketFlood(baseUrl, token, seconds, maxFrames, localAddress) {
  const outcome = { sent: 0, refusals: 0, connections: 0, disconnects: [], firstRefusalMs: null, seconds: 0 };
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const since = () => Math.round(performance.now() - t0);
  return new Promise((resolve) => {
    const finish = () => {
      outcome.seconds = Number(((performance.now() - t0) / 1000).toFixed(2));
      resolve(outcome);
    };
    const connect = () => {
      if (performance.now() >= deadline || outcome.sent >= maxFrames) return finish();
      const socket = io(baseUrl, {
        transports: ['websocket'],
        auth: { token },
        forceNew: true,
        reconnection: false,
        timeout: 10_000,
        ...(localAddress ? { localAddress } : {}),
      });
      let connectedAt = 0;
      let firstRefusal = null;
      socket.on('exception', () => {
        outcome.refusals++;
        firstRefusal ??= since();
        outcome.firstRefusalMs ??= firstRefusal;
      });
      socket.once('connect_error', (error) => {
        outcome.error = error.message;
        finish();
      });
      socket.once('connect', () => {
        outcome.connections++;
        connectedAt = since();
        const ws = socket.io.engine.transport.ws;
        const pump = () => {
          if (!socket.connected) return;
          if (performance.now() >= deadline) {
            socket.close();
            return;
          }
          // All sent: what is left of the time goes to reading the answers.
          if (outcome.sent >= maxFrames) {
            setTimeout(pump, Math.max(0, deadline - performance.now()));
            return;
          }
          if (ws.bufferedAmount < MAX_BUFFERED) {
            const n = Math.min(BATCH, maxFrames - outcome.sent);
            for (let i = 0; i < n; i++) ws.send(FRAME);
            outcome.sent += n;
            setImmediate(pump);
          } else {
            setTimeout(pump, 1);
          }
        };
        pump();
      });
      socket.once('disconnect', (reason) => {
        if (reason === 'io server disconnect' || reason === 'transport close') {
          // How long after its first refused event the server let it go.
          outcome.disconnects.push({
            reason,
            afterFirstRefusalMs: firstRefusal === null ? null : since() - firstRefusal,
            connectedMs: since() - connectedAt,
          });
        }
        socket.close();
        setImmediate(connect);
      });
    };
    connect();
  });
}

function tokenFlood(baseUrl, seconds, maxRequests, localAddress) {
  const { hostname, port } = new URL(baseUrl);
  const outcome = { sent: 0, answered: 0, statuses: {}, seconds: 0 };
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  return new Promise((resolve) => {
    const connection = net.connect({ host: hostname, port: Number(port), ...(localAddress ? { localAddress } : {}) });
    let tail = '';
    const finish = () => {
      outcome.seconds = Number(((performance.now() - t0) / 1000).toFixed(2));
      connection.destroy();
      resolve(outcome);
    };
    connection.on('error', (error) => {
      outcome.error = error.code ?? error.message;
      finish();
    });
    connection.on('close', finish);
    connection.on('data', (chunk) => {
      // Status lines only: a body never starts a line with "HTTP/1.1 ".
      const text = tail + chunk.toString('latin1');
      for (const match of text.matchAll(/HTTP\/1\.1 (\d{3}) /g)) {
        outcome.answered++;
        outcome.statuses[match[1]] = (outcome.statuses[match[1]] ?? 0) + 1;
      }
      tail = text.slice(-16);
      if (outcome.answered >= maxRequests) finish();
    });
    const pump = () => {
      if (connection.destroyed) return;
      if (performance.now() >= deadline) return finish();
      // All sent: wait for the answers (the data handler finishes once they are all in).
      if (outcome.sent >= maxRequests) {
        setTimeout(pump, Math.max(0, deadline - performance.now()));
        return;
      }
      // Keep a bounded number of requests ahead of the answers: the server sees a pipeline, and
      // neither side buffers without end.
      if (outcome.sent - outcome.answered < 2000 && connection.writableLength < MAX_BUFFERED) {
        let batch = '';
        const n = Math.min(100, maxRequests - outcome.sent);
        for (let i = 0; i < n; i++) {
          const token = randomBytes(32).toString('base64url');
          batch += `GET /api/auth/me HTTP/1.1\r\nHost: ${hostname}\r\nAuthentication: Bearer ${token}\r\n\r\n`;
        }
        connection.write(batch);
        outcome.sent += n;
        setImmediate(pump);
      } else {
        setTimeout(pump, 1);
      }
    };
    connection.once('connect', pump);
  });
}

async function main() {
  const [kind, baseUrl, ...rest] = process.argv.slice(2);
  let work;
  if (kind === 'socket') {
    const [token, seconds, maxFrames, localAddress] = rest;
    work = () => socketFlood(baseUrl, token, Number(seconds), Number(maxFrames), localAddress);
  } else if (kind === 'tokens') {
    const [seconds, maxRequests, localAddress] = rest;
    work = () => tokenFlood(baseUrl, Number(seconds), Number(maxRequests), localAddress);
  } else {
    process.stderr.write('usage: flood.js socket <baseUrl> <token> <seconds> <maxFrames> [localAddress]\n');
    process.stderr.write('       flood.js tokens <baseUrl> <seconds> <maxRequests> [localAddress]\n');
    process.exit(2);
  }
  const seconds = Number(kind === 'socket' ? rest[1] : rest[0]);
  setTimeout(
    () => {
      process.stdout.write(`${JSON.stringify({ error: 'ran past its time' })}\n`);
      process.exit(1);
    },
    (seconds + 10) * 1000,
  ).unref();
  if (!process.stdin.isTTY && process.stdin.readable) {
    await new Promise((resolve) => {
      process.stdin.once('data', resolve);
      process.stdin.once('end', resolve);
    });
  }
  const outcome = await work();
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  process.exit(0);
}

if (require.main === module) main();

module.exports = { socketFlood, tokenFlood };
