import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { Catch, type ExceptionFilter, Module, UseFilters } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket as ClientSocket } from 'socket.io-client';
import { NotesModule } from '../examples/notes/notes.module';
import { GatehouseGateway, GatehouseModule } from '../src/extension';
import { appPerSuite, startApp } from './support/app';
import { eachEngine } from './support/engines';
import { client, uniqueLogin } from './support/http';
import { closeSockets, openSocket } from './support/sockets';

const WAIT_MS = 3000;

/** A gateway declared the plain Nest way: its errors would leave without the Birdhouse shape. */
@WebSocketGateway()
class BareGateway {
  @SubscribeMessage('bare:ping')
  ping(): string {
    return 'pong';
  }
}

@Catch()
class SwallowingFilter implements ExceptionFilter {
  catch(): void {}
}

/** Declared properly, but one event answers its errors through a filter of its own. */
@GatehouseGateway({ namespace: 'escape' })
class EscapingGateway {
  @SubscribeMessage('escape:ping')
  @UseFilters(SwallowingFilter)
  ping(): string {
    return 'pong';
  }
}

@Module({ providers: [BareGateway] })
class BareModule {}

@Module({ providers: [EscapingGateway] })
class EscapingModule {}

eachEngine(__filename, (db) => {
  const running = appPerSuite(db, {}, [NotesModule]);
  const api = client(() => running().url);
  let alice: { login: string; token: string };
  let bob: { login: string; token: string };

  before(async () => {
    alice = await api.account(uniqueLogin('Alice'));
    bob = await api.account(uniqueLogin('Bob'));
  });
  afterEach(closeSockets);
  const open = (token: string): Promise<ClientSocket> => openSocket(running().url, token);

  /** Every `event` the socket receives from now on. */
  function heard(socket: ClientSocket, event: string): unknown[] {
    const received: unknown[] = [];
    socket.on(event, (payload) => received.push(payload));
    return received;
  }

  it("creates its table with its own migration, after Gatehouse's", async () => {
    const ran = ((await db().sql('SELECT name FROM migrations ORDER BY id')) as { name: string }[]).map((r) => r.name);
    // Every pending migration runs in timestamp order, the module's among Gatehouse's: after those
    // before its timestamp (Gatehouse's later ones, such as two-factor's, come after it).
    const stamp = (name: string) => Number(/\d{13}$/.exec(name)![0]);
    assert.deepEqual(ran.filter((name) => stamp(name) <= stamp('CreateNotes1765000000000')).slice(-1), [
      'CreateNotes1765000000000',
    ]);
    assert.deepEqual(
      ran,
      [...ran].sort((a, b) => stamp(a) - stamp(b)),
    );
    assert.ok(ran.length > 1, "Gatehouse's migrations ran too");
    assert.deepEqual(await db().sql('SELECT id FROM notes'), []);
  });

  it('serves its "not needed" route to anyone, whatever the token header', async () => {
    for (const headers of [undefined, { Authentication: 'garbage' }, { Authentication: alice.token }]) {
      const reply = await api.get('/api/notes/about', headers);
      assert.deepEqual([reply.status, reply.body], [200, { status: 'ok', maxLength: 500 }]);
    }
  });

  it('refuses its "required" route without a valid token, and writes nothing then or on a bad body', async () => {
    assert.equal((await api.post('/api/notes', { text: 'no token' })).status, 401);
    assert.equal((await api.post('/api/notes', { text: 'bad token' }, { Authentication: 'garbage' })).status, 401);
    const bad = await api.post('/api/notes', { text: '', extra: 1 }, { Authentication: alice.token });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.status, 'error');
    assert.deepEqual(await db().sql("SELECT id FROM notes WHERE text IN ('no token', 'bad token', '')"), []);
  });

  it('keeps notes per account and lists public ones on its "optional" route', async () => {
    const secret = await api.post('/api/notes', { text: 'alice only' }, { Authentication: alice.token });
    assert.equal(secret.status, 201);
    assert.deepEqual([secret.body.status, secret.body.note.text, secret.body.note.public], ['ok', 'alice only', false]);
    await api.post('/api/notes', { text: 'for everyone', public: true }, { Authentication: bob.token });

    const texts = async (headers?: Record<string, string>) => {
      const reply = await api.get('/api/notes', headers);
      assert.equal(reply.status, 200);
      return (reply.body.notes as { text: string }[]).map((n) => n.text);
    };
    assert.deepEqual(await texts(), ['for everyone']);
    assert.deepEqual(await texts({ Authentication: alice.token }), ['alice only']);
    assert.deepEqual(await texts({ Authentication: bob.token }), ['for everyone']);
    assert.equal((await api.get('/api/notes', { Authentication: 'garbage' })).status, 401);
    const rows = (await db().sql('SELECT text, account_id FROM notes ORDER BY id')) as { text: string }[];
    assert.deepEqual(
      rows.map((r) => r.text),
      ['alice only', 'for everyone'],
    );
  });

  it('tells every socket of the account, and only that account, of a note added over a socket', async () => {
    const [phone, laptop, other] = await Promise.all([open(alice.token), open(alice.token), open(bob.token)]);
    const onPhone = heard(phone, 'notes:added');
    const onLaptop = heard(laptop, 'notes:added');
    const onOther = heard(other, 'notes:added');
    const ack = await phone.timeout(WAIT_MS).emitWithAck('notes:add', { text: 'from the phone' });
    assert.deepEqual([ack.status, ack.note.text], ['ok', 'from the phone']);
    const deadline = Date.now() + WAIT_MS;
    while ((onPhone.length === 0 || onLaptop.length === 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual([onPhone, onLaptop], [[ack.note], [ack.note]]);
    // The room emit reached Alice's sockets; give a wrongly addressed one the same time to arrive.
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(onOther, []);
  });

  it('answers a bad socket message in the Birdhouse error shape and saves nothing', async () => {
    const socket = await open(alice.token);
    const ack = await socket.timeout(WAIT_MS).emitWithAck('notes:add', { text: 42 });
    assert.deepEqual([ack.status, ack.error], ['error', 'Bad Request']);
    assert.deepEqual(await db().sql("SELECT id FROM notes WHERE text = '42'"), []);
  });

  describe('refusals at start-up', () => {
    it("refuses a gateway declared without Gatehouse's error handling", async () => {
      await assert.rejects(
        startApp(db(), {}, [BareModule]),
        /gateways without Gatehouse's error handling: BareGateway lacks WsErrorFilter/,
      );
    });

    it('refuses a gateway event with an exception filter of its own', async () => {
      await assert.rejects(
        startApp(db(), {}, [EscapingModule]),
        /EscapingGateway\.ping has exception filters of its own/,
      );
    });

    it('refuses a contributed migration without a timestamp', () => {
      class CreateThings {
        name = 'CreateThings';
        async up(): Promise<void> {}
        async down(): Promise<void> {}
      }
      assert.throws(
        () => GatehouseModule({ migrations: [CreateThings] }),
        /migration CreateThings must end with a 13-digit timestamp/,
      );
    });
  });
});
