import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Session, sessionState } from '../tokens/session';
import { LiveSockets } from './live-sockets';
import type { GatehouseNamespace, GatehouseSocket } from './socket-session';
import { testSession } from '../tokens/session.spec-helpers';

type Socket = GatehouseSocket;

const session = (tokenId: number, expiresAt = Date.now() + 60_000): Session => testSession(tokenId, expiresAt);

/** Just enough of a socket.io socket to watch what LiveSockets does to it; close() disconnects it as socket.io does. */
function fakeSocket(data: object) {
  const log: string[] = [];
  const onDisconnect: (() => void)[] = [];
  const socket = {
    data,
    connected: true,
    emit: (event: string, payload: unknown) => log.push(`emit ${event} ${JSON.stringify(payload)}`),
    disconnect: (close: boolean) => {
      log.push(`disconnect ${close}`);
      fake.close();
    },
    on: (event: string, listener: () => void) => {
      if (event === 'disconnect') onDisconnect.push(listener);
    },
  };
  const fake = {
    socket: socket as unknown as Socket,
    log,
    close: () => {
      if (!socket.connected) return;
      socket.connected = false;
      for (const listener of onDisconnect) listener();
    },
  };
  return fake;
}

const stillLive = (s: Session) => sessionState(s, Date.now(), null) === 'live';

/** The namespaces of a socket.io server, as HandshakeAuthenticator hands them to LiveSockets. */
function fakeServer(namespaces: Record<string, Socket[]>) {
  const log: string[] = [];
  const nsps = Object.entries(namespaces).map(
    ([name, sockets]) =>
      ({
        sockets: new Map(sockets.map((s, i) => [`${name}#${i}`, s])),
        // Only through `local`: every instance hears a revocation on the bus and acts on its own
        // sockets, so the cross-instance adapter must not carry it again.
        local: {
          to: (rooms: string[]) => ({
            emit: (event: string, payload: unknown) =>
              log.push(`${name} local to ${rooms} ${event} ${JSON.stringify(payload)}`),
          }),
          in: (rooms: string[]) => ({
            disconnectSockets: (close: boolean) => log.push(`${name} local disconnect ${rooms} ${close}`),
          }),
        },
      }) as unknown as GatehouseNamespace,
  );
  return { namespaces: nsps, log };
}

const track = (live: LiveSockets, server: { namespaces: GatehouseNamespace[] }) =>
  server.namespaces.forEach((n) => live.track(n));

describe('LiveSockets', () => {
  it("tells and then closes the token rooms in every namespace of every server, this instance's sockets only", () => {
    const live = new LiveSockets();
    const one = fakeServer({ '/': [], '/chat': [] });
    const two = fakeServer({ '/': [] });
    track(live, one);
    track(live, two);
    live.disconnectTokens([7, 9], 'revoked');
    assert.deepEqual(one.log, [
      '/ local to token:7,token:9 revoked {"reason":"revoked"}',
      '/ local disconnect token:7,token:9 true',
      '/chat local to token:7,token:9 revoked {"reason":"revoked"}',
      '/chat local disconnect token:7,token:9 true',
    ]);
    assert.equal(two.log.length, 2);
    assert.equal(live.recentRevocations.has(9, Date.now()), true);
  });

  it('does nothing for no tokens', () => {
    const live = new LiveSockets();
    const one = fakeServer({ '/': [] });
    track(live, one);
    live.disconnectTokens([], 'expired');
    assert.deepEqual(one.log, []);
  });

  it('keeps one session per token with sockets connected, until the last of them disconnects', () => {
    const live = new LiveSockets();
    const tokenIds = () => [...live.tokenSessions()].map((s) => s.tokenId);
    const first = fakeSocket({ session: session(1) });
    const second = fakeSocket({ session: session(1) });
    const other = fakeSocket({ session: session(2) });
    const expired = fakeSocket({ session: session(3, Date.now() - 1) });
    const gone = fakeSocket({ session: session(4) });
    gone.close();
    for (const { socket } of [first, second, other, expired, gone]) live.checkOnConnection(socket, stillLive);
    assert.deepEqual(tokenIds(), [1, 2]);
    first.close();
    assert.deepEqual(tokenIds(), [1, 2]);
    second.close();
    other.close();
    assert.deepEqual(tokenIds(), []);
  });

  it('closes, as it connects, a socket whose token was revoked or expired during its handshake', () => {
    const live = new LiveSockets();
    live.disconnectTokens([5], 'revoked');
    const revoked = fakeSocket({ session: session(5) });
    const expired = fakeSocket({ session: session(6, Date.now() - 1) });
    const anonymous = fakeSocket({});
    const fine = fakeSocket({ session: session(8) });
    for (const { socket } of [revoked, expired, anonymous, fine]) live.checkOnConnection(socket, stillLive);
    assert.deepEqual(revoked.log, ['emit revoked {"reason":"revoked"}', 'disconnect true']);
    assert.deepEqual(expired.log, ['emit revoked {"reason":"expired"}', 'disconnect true']);
    assert.deepEqual(anonymous.log, ['emit revoked {"reason":"revoked"}', 'disconnect true']);
    assert.deepEqual(fine.log, []);
  });
});
