import 'reflect-metadata';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../src/app.module';
import { parseConfig } from '../src/config/config';
import { eachEngine } from './support/engines';

eachEngine(__filename, (db) => {
  it('refuses to start an application whose socket.io server has no handshake check (built without GatehouseIoAdapter)', async () => {
    const config = parseConfig({ DATABASE_URL: db().url, BCRYPT_COST: '4' });
    // What createApp does, less the adapter: Nest falls back to its plain IoAdapter.
    const app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot(config, { events: { sink: () => undefined } }),
      {
        bodyParser: false,
        logger: false,
        abortOnError: false,
      },
    );
    try {
      await assert.rejects(
        app.init(),
        /the socket\.io server has no handshake check: build the application with GatehouseIoAdapter/,
      );
    } finally {
      await app.close().catch(() => undefined);
    }
  });
});
