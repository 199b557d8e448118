import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { Controller, Get, INestApplication, Module, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  GatehouseAuthModule,
  GatehouseGuard,
  GatehouseScopes,
  GatehouseUser,
  type GatehouseAuthOptions,
  type GatehouseIdentity,
} from '@gatehouse/client/nest';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { b64, client, request, uniqueLogin } from './support/http';

/** Another team's Nest service, its routes protected by Gatehouse through introspection. */
@Controller('notes')
@UseGuards(GatehouseGuard)
class NotesController {
  @Get()
  list(@GatehouseUser() caller: GatehouseIdentity) {
    return { owner: caller.sub, username: caller.username, tokenType: caller.tokenType };
  }

  @Get('profile')
  @GatehouseScopes('account:read')
  profile(@GatehouseUser() caller: GatehouseIdentity) {
    return { owner: caller.sub, scopes: caller.scopes };
  }

  @Get('secret')
  @GatehouseScopes('notes:write')
  secret() {
    return { ok: true };
  }
}

async function startService(options: GatehouseAuthOptions): Promise<{ app: INestApplication; url: string }> {
  @Module({ imports: [GatehouseAuthModule.forRoot(options)], controllers: [NotesController] })
  class NotesModule {}
  const app = await NestFactory.create(NotesModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

eachEngine(__filename, (db) => {
  const gatehouse = appPerSuite(db);
  const api = client(() => gatehouse().url);
  const password = 'notes-password';
  let handle: string;
  let service: { app: INestApplication; url: string };
  let serviceToken: string;

  /** A fresh sign-in token of the test account. */
  async function signIn(): Promise<string> {
    const reply = await api.post('/api/auth/login', { handle, pwd: b64(password) });
    assert.equal(reply.status, 200, reply.text);
    return reply.body.token as string;
  }

  async function accessToken(token: string, scopes: string[]): Promise<string> {
    const reply = await api.post(
      '/api/auth/tokens',
      { name: `for ${scopes.join(' ')}`, scopes, pwd: b64(password) },
      { Authentication: token },
    );
    assert.equal(reply.status, 200, reply.text);
    return reply.body.token as string;
  }

  const call = (path: string, token?: string) =>
    request(service.url, 'GET', path, { headers: token ? { Authentication: `Bearer ${token}` } : {} });

  before(async () => {
    handle = uniqueLogin('notes');
    assert.equal((await api.post('/api/auth/register', { handle, pwd: b64(password) })).status, 200);
    serviceToken = await accessToken(await signIn(), ['introspect']);
    // Asked to reuse answers for a minute, the guard still keeps them at most one second.
    service = await startService({ url: gatehouse().url, token: serviceToken, cacheMs: 60_000 });
  });
  after(async () => {
    await service?.app.close();
  });

  it('serves a request whose Gatehouse token is active, as its account', async () => {
    const token = await signIn();
    const reply = await call('/notes', token);
    assert.equal(reply.status, 200, reply.text);
    // The account id, as Gatehouse's own introspection names it.
    const introspected = await api.post('/api/auth/introspect', { token }, { Authentication: serviceToken });
    assert.match(introspected.body.sub, /^\d+$/);
    assert.deepEqual(reply.body, { owner: introspected.body.sub, username: handle, tokenType: 'session' });
  });

  it('refuses a missing, malformed or unknown token with 401', async () => {
    assert.equal((await call('/notes')).status, 401);
    assert.equal((await call('/notes', 'gh_at_' + 'A'.repeat(43))).status, 401);
    const malformed = await request(service.url, 'GET', '/notes', { headers: { Authorization: 'Basic abc' } });
    assert.equal(malformed.status, 401);
  });

  it('checks the scopes a route names against the access token', async () => {
    const readOnly = await accessToken(await signIn(), ['account:read']);
    const profile = await call('/notes/profile', readOnly);
    assert.equal(profile.status, 200, profile.text);
    assert.deepEqual(profile.body.scopes, ['account:read']);
    const secret = await call('/notes/secret', readOnly);
    assert.equal(secret.status, 403);
    assert.equal(secret.body.scope, 'notes:write');
    assert.equal((await call('/notes', readOnly)).body.tokenType, 'access_token');
  });

  it('refuses a token revoked in Gatehouse within one second, whatever cache it was given', async () => {
    const token = await signIn();
    assert.equal((await call('/notes', token)).status, 200);
    const revokedAt = Date.now();
    assert.equal((await api.post('/api/auth/invalidate', { token }, { Authentication: token })).status, 200);
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 3000) {
      status = (await call('/notes', token)).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const took = Date.now() - revokedAt;
    assert.equal(status, 401);
    assert.ok(took <= 1200, `refused after ${took} ms`);
  });

  it('answers 503, not 401, while Gatehouse cannot be reached', async () => {
    const token = await signIn();
    const orphan = await startService({ url: 'http://127.0.0.1:9', token: 'gh_at_unused', timeoutMs: 1000 });
    try {
      const reply = await request(orphan.url, 'GET', '/notes', { headers: { Authentication: token } });
      assert.equal(reply.status, 503);
    } finally {
      await orphan.app.close();
    }
  });
});
