import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from './config';
import { refuses } from './config.spec-helpers';

/** DATABASE_URL and REDIS_URL: the forms read, and refusals that never echo a password. */
describe('parseConfig: URLs', () => {
  it('reads the database URL forms', () => {
    assert.deepEqual(parseConfig({ DATABASE_URL: 'sqlite:/var/lib/gatehouse/db.sqlite' }).database, {
      type: 'sqlite',
      path: '/var/lib/gatehouse/db.sqlite',
    });
    assert.deepEqual(parseConfig({ DATABASE_URL: 'sqlite:///var/lib/gatehouse/db.sqlite' }).database, {
      type: 'sqlite',
      path: '/var/lib/gatehouse/db.sqlite',
    });
    assert.deepEqual(parseConfig({ DATABASE_URL: 'sqlite:relative/db.sqlite' }).database, {
      type: 'sqlite',
      path: 'relative/db.sqlite',
    });
    assert.deepEqual(parseConfig({ DATABASE_URL: 'mariadb://root@127.0.0.1:3306/gh' }).database, {
      type: 'mariadb',
      url: 'mysql://root@127.0.0.1:3306/gh',
    });
    assert.deepEqual(parseConfig({ DATABASE_URL: 'mysql://root@localhost/gh' }).database, {
      type: 'mysql',
      url: 'mysql://root@localhost/gh',
    });
    for (const url of ['postgres://gate:pw@db.internal:5433/gatehouse', 'postgresql://postgres@127.0.0.1/gh']) {
      assert.deepEqual(parseConfig({ DATABASE_URL: url }).database, { type: 'postgres', url });
    }
  });

  it('refuses a postgres:// URL without a database, without echoing it', () => {
    assert.throws(
      () => parseConfig({ DATABASE_URL: 'postgres://gate:s3cret@db.internal:5432' }),
      (error: Error) => /postgres:\/\/user:pass@host:port\/db/.test(error.message) && !error.message.includes('s3cret'),
    );
  });

  it('never echoes a DATABASE_URL, which may carry a password', () => {
    for (const url of [
      'postgres://gate:hunter2@db.example.com',
      'postgresql://gate:hunter2@:5432/gatehouse',
      'mysql://gate:hunter2@db.example.com',
      'mysql://gate:hunter2@/gatehouse',
      'mysql://gate:hunter2@db.example.com:99999/gatehouse',
      'mysql://gate:hun ter2@db example/gatehouse',
      'hunter2',
    ]) {
      const error = refuses({ DATABASE_URL: url }, 'DATABASE_URL');
      assert.doesNotMatch(error.message, /hunter2|hun ter2/, error.message);
    }
  });

  it('reads REDIS_URL forms, and treats an empty one as no shared store', () => {
    assert.equal(parseConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(
      parseConfig({ REDIS_URL: 'rediss://user:pw@cache.example.com:6380/0' }).redisUrl,
      'rediss://user:pw@cache.example.com:6380/0',
    );
    assert.equal(parseConfig({ REDIS_URL: 'redis://[::1]:6379/' }).redisUrl, 'redis://[::1]:6379/');
    assert.equal(parseConfig({ REDIS_URL: '' }).redisUrl, null);
  });

  it('never echoes a REDIS_URL, which may carry a password', () => {
    for (const url of [
      'http://gate:hunter2@cache.example.com',
      'redis://gate:hunter2@cache.example.com:99999',
      'redis://gate:hunter2@cache.example.com/x',
      'redis://gate:hunter2@cache.example.com?password=hunter2',
      'redis://gate:hun ter2@cache example',
      'hunter2',
    ]) {
      const error = refuses({ REDIS_URL: url }, 'REDIS_URL');
      assert.doesNotMatch(error.message, /hunter2|hun ter2/, error.message);
    }
  });
});
