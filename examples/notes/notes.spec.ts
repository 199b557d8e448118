import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GatehouseTesting } from '../../src/extension/testing';
import { NotesModule } from './notes.module';
import { NotesService } from './notes.service';

/**
 * The module's own spec, as a team writes one: Gatehouse with the module on an in-memory
 * database (src/extension/testing.ts), real HTTP through Gatehouse's guard, pipe and filter.
 */
describe('NotesModule', () => {
  let gatehouse: GatehouseTesting;
  before(async () => {
    gatehouse = await GatehouseTesting.start({ modules: [NotesModule], env: { NOTES_MAX_LENGTH: '10' } });
  });
  after(async () => {
    await gatehouse?.close();
  });

  const post = (token: string | undefined, body: unknown) =>
    fetch(`${gatehouse.url}/api/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authentication: token } : {}) },
      body: JSON.stringify(body),
    });

  it('keeps a note of a signed-in account, and publishes a public one as an event', async () => {
    const alice = await gatehouse.signUp('alice');
    const reply = await post(alice.token, { text: 'milk', public: true });
    assert.equal(reply.status, 201);
    const { note } = (await reply.json()) as { note: { id: number; text: string } };
    assert.equal(note.text, 'milk');
    const published = gatehouse.events.filter((e) => e.event === 'note.published');
    assert.deepEqual(
      published.map((e) => [e.accountId, e.noteId]),
      [[alice.accountId, note.id]],
    );
  });

  it("answers Gatehouse's 401 without a token, and the module's 400 past NOTES_MAX_LENGTH", async () => {
    assert.equal((await post(undefined, { text: 'milk' })).status, 401);
    const bob = await gatehouse.signUp('bob');
    const long = await post(bob.token, { text: 'eleven char' });
    assert.equal(long.status, 400);
    assert.deepEqual(await long.json(), {
      status: 'error',
      error: 'Bad Request',
      message: 'text must be at most 10 characters',
    });
    assert.equal(gatehouse.get(NotesService).maxLength, 10);
  });
});
