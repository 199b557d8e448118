import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { IsString } from 'class-validator';
import { Auth, AuthLevel, Dialect } from '../src/extension';
import { startApp, type RunningApp } from './support/app';
import { eachEngine } from './support/engines';
import { client } from './support/http';

class TextDto {
  @IsString()
  text!: string;
}

/** Outside /api/ and without @Dialect: the path would say classic, the documented default is Birdhouse. */
@Controller('extra')
class UndeclaredController {
  @Post()
  @Auth(AuthLevel.Required)
  add(@Body() body: TextDto): { status: 'ok'; length: number } {
    return { status: 'ok', length: body.text.length };
  }
}

/** Under /api/, where the path would say Birdhouse, but declared classic. */
@Dialect('classic')
@Controller('api/legacy')
class ClassicUnderApiController {
  @Post()
  @Auth(AuthLevel.Required)
  add(@Body() body: TextDto): { length: number } {
    return { length: body.text.length };
  }
}

@Module({ controllers: [UndeclaredController, ClassicUnderApiController] })
class DialectsModule {}

const JSON_TYPE = { 'content-type': 'application/json' };
const birdhouse = (error: string) => ({ status: 'error', error });

eachEngine(__filename, (db) => {
  let running: RunningApp | undefined;
  before(async () => {
    running = await startApp(db(), {}, [DialectsModule]);
  });
  after(async () => {
    await running?.close();
  });
  const api = client(() => running!.url);
  const shape = (body: Record<string, unknown>) => {
    const { message, ...rest } = body;
    assert.equal(typeof message, 'string');
    return rest;
  };

  describe('a route answers its errors in the dialect its controller declares, not the one its path suggests', () => {
    it('a controller without @Dialect speaks Birdhouse, even outside /api/', async () => {
      const anonymous = await api.post('/extra', { text: 'x' });
      assert.equal(anonymous.status, 401);
      assert.deepEqual(shape(anonymous.body), birdhouse('Unauthorized'));
      const { token } = await api.account();
      const invalid = await api.post('/extra', { text: 5 }, { authentication: token });
      assert.equal(invalid.status, 400);
      assert.deepEqual(shape(invalid.body), birdhouse('Bad Request'));
      assert.deepEqual((await api.post('/extra', { text: 'four' }, { authentication: token })).body, {
        status: 'ok',
        length: 4,
      });
    });

    it('a controller declared classic speaks classic, even under /api/', async () => {
      const anonymous = await api.post('/api/legacy', { text: 'x' });
      assert.equal(anonymous.status, 401);
      assert.deepEqual(shape(anonymous.body), { error: 'Unauthorized' });
    });

    it("refuses an unreadable body in the route's dialect, before the token is checked", async () => {
      const cases: Array<[string, string, Record<string, string>, number]> = [
        ['malformed JSON', '{', JSON_TYPE, 400],
        ['text/plain', '{}', { 'content-type': 'text/plain' }, 415],
        ['over 64 KiB', JSON.stringify({ text: 'x'.repeat(64 * 1024) }), JSON_TYPE, 413],
      ];
      for (const [name, raw, headers, status] of cases) {
        const extra = await api.raw('POST', '/extra', raw, headers);
        assert.equal(extra.status, status, `/extra ${name}`);
        assert.deepEqual(shape(extra.body), birdhouse(extra.body.error), `/extra ${name}`);
        const legacy = await api.raw('POST', '/api/legacy', raw, headers);
        assert.equal(legacy.status, status, `/api/legacy ${name}`);
        assert.deepEqual(Object.keys(legacy.body).sort(), ['error', 'message'], `/api/legacy ${name}`);
      }
    });

    it('answers a path no route matches by the path rule, a refused body included', async () => {
      const unknown = await api.raw('POST', '/api/legacy/nope', '{}', JSON_TYPE);
      assert.equal(unknown.status, 404);
      assert.deepEqual(shape(unknown.body), birdhouse('Not Found'));
      const malformed = await api.raw('POST', '/extra/nope', '{', JSON_TYPE);
      assert.equal(malformed.status, 400);
      assert.deepEqual(shape(malformed.body), { error: 'Bad Request' });
    });

    it('documents each route in the dialect it answers in', async () => {
      const document = (await api.get('/docs/openapi.json')).body;
      assert.equal(document.paths['/extra'].post['x-dialect'], 'birdhouse');
      assert.equal(document.paths['/api/legacy'].post['x-dialect'], 'classic');
    });
  });
});
