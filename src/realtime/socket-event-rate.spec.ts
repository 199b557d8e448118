import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock/clock';
import { EventBudget, FLOOD_SECONDS } from './socket-event-rate';

const REFUSAL = { status: 'error' as const, error: 'Too Many Requests', message: 'slow down' };

/** A socket as EventBudget sees it: what it emits, whether it was disconnected, its transport. */
function fakeSocket() {
  const emitted: unknown[][] = [];
  const ws = { paused: 0, resumed: 0, pause: () => ws.paused++, resume: () => ws.resumed++ };
  const socket = {
    connected: true,
    disconnects: 0,
    emit: (...args: unknown[]) => emitted.push(args),
    disconnect: () => {
      socket.disconnects++;
      socket.connected = false;
    },
    conn: { transport: { name: 'websocket', socket: ws } },
  };
  return { socket, emitted, ws };
}

function budget(rate: number, clock: ManualClock) {
  const fake = fakeSocket();
  const budget = new EventBudget(fake.socket as never, rate, clock, REFUSAL);
  /** Sends one event (with an acknowledgement when `ack` is given); true when it was passed on. */
  const send = (ack?: (body: unknown) => void): boolean => {
    let passed = false;
    budget.check(ack ? ['whoami', ack] : ['whoami'], (error) => {
      assert.equal(error, undefined);
      passed = true;
    });
    return passed;
  };
  const burst = (n: number) => Array.from({ length: n }, () => send()).filter(Boolean).length;
  return { ...fake, budget, send, burst };
}

describe('EventBudget', () => {
  it('passes bursts up to twice the rate, then the rate', () => {
    const clock = new ManualClock(1_000_000);
    const { burst } = budget(10, clock);
    assert.equal(burst(25), 20);
    clock.advance(500);
    assert.equal(burst(10), 5);
    clock.advance(10_000);
    assert.equal(burst(30), 20, 'the bucket holds no more than twice the rate');
  });

  it('refuses through the acknowledgement when one was asked for, otherwise as an exception event', () => {
    const clock = new ManualClock(1_000_000);
    const { send, burst, emitted } = budget(1, clock);
    assert.equal(burst(2), 2);
    const acked: unknown[] = [];
    assert.equal(
      send((body) => acked.push(body)),
      false,
    );
    assert.deepEqual(acked, [REFUSAL]);
    assert.deepEqual(emitted, []);
    assert.equal(send(), false);
    assert.deepEqual(emitted, [['exception', REFUSAL]]);
  });

  it(`disconnects a socket refused in each of ${FLOOD_SECONDS} consecutive seconds as the next one starts`, () => {
    const clock = new ManualClock(1_000_000);
    const { socket, burst } = budget(1, clock);
    for (let second = 0; second < FLOOD_SECONDS; second++) {
      burst(5);
      assert.equal(socket.disconnects, 0, `still connected in second ${second + 1}`);
      clock.advance(1000);
    }
    burst(5);
    assert.equal(socket.disconnects, 1);
  });

  it('starts counting again after a second without refusals', () => {
    const clock = new ManualClock(1_000_000);
    const { socket, burst } = budget(1, clock);
    for (let second = 0; second < FLOOD_SECONDS - 1; second++) {
      burst(5);
      clock.advance(1000);
    }
    // A quiet second: the bucket fills up and nothing is refused.
    clock.advance(1000);
    for (let second = 0; second < FLOOD_SECONDS; second++) {
      burst(5);
      clock.advance(1000);
    }
    assert.equal(socket.disconnects, 0);
    burst(5);
    assert.equal(socket.disconnects, 1);
  });

  it('stops reading a WebSocket refused more than twice its bucket within a second, and reads it again on disconnect', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const clock = new ManualClock(1_000_000);
    const { ws, burst, budget: limiter } = budget(1, clock);
    burst(2 + 3);
    assert.equal(ws.paused, 0);
    burst(1);
    assert.equal(ws.paused, 1, 'paused at the fourth refusal');
    burst(10);
    assert.equal(ws.paused, 1, 'paused once');
    t.mock.timers.tick(1000);
    assert.equal(ws.resumed, 1, 'read again as the second ends');
    clock.advance(1000);
    burst(10);
    assert.equal(ws.paused, 2);
    limiter.stop();
    assert.equal(ws.resumed, 2);
  });
});
