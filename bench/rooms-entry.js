'use strict';
/*
 * The built service with one extension gateway more, for the two-instance phase (instances.js):
 * `bench-shout` emits the sender's payload to the sender's account room, the way an extension
 * module's gateway does (README, "Realtime"). BENCH_APP_DIR is the folder of the built main.js.
 */
const { join } = require('node:path');
require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { SubscribeMessage, WebSocketServer } = require('@nestjs/websockets');

const dir = process.env.BENCH_APP_DIR;
const { createApp } = require(join(dir, 'app.factory.js'));
const { loadConfig } = require(join(dir, 'config', 'config.js'));
const { accountRoom, GatehouseGateway } = require(join(dir, 'extension', 'index.js'));
const { sessionOf } = require(join(dir, 'realtime', 'socket-session.js'));

class BenchGateway {
  /** Without parameter decorators Nest hands a gateway handler the socket and the payload. */
  shout(socket, payload) {
    this.server.to(accountRoom(sessionOf(socket).accountId)).emit('bench-shout', payload);
    return 'ok';
  }
}
WebSocketServer()(BenchGateway.prototype, 'server');
SubscribeMessage('bench-shout')(
  BenchGateway.prototype,
  'shout',
  Object.getOwnPropertyDescriptor(BenchGateway.prototype, 'shout'),
);
// As every extension gateway must be: Gatehouse's error handling, or the start is refused.
GatehouseGateway()(BenchGateway);
class BenchModule {}
Module({ providers: [BenchGateway] })(BenchModule);

async function main() {
  const config = loadConfig();
  const app = await createApp(config, { modules: [BenchModule], logger: ['error', 'warn'] });
  await app.listen(config.port, '127.0.0.1');
  const stop = () =>
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`bench instance: cannot start: ${error.message}\n`);
  process.exit(1);
});
