import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, type AppModuleOptions } from './app.module';
import type { AppConfig } from './config/config';
import { DatabaseConnector } from './database/database-connector';
import { BodyValidationPipe } from './http/body-validation.pipe';
import { serveAccountPage } from './account-page/account-page';
import { serveApiDocs } from './docs/api-docs';
import { answerClientError } from './http/client-error';
import { answerUnmetExpectation } from './http/expectation';
import { corsOptions } from './http/cors';
import { HttpErrorFilter } from './http/http-error.filter';
import { answerMissingHostOurselves, requireHost } from './http/host-header';
import { jsonBody } from './http/json-body';
import { pipelinedOneAtATime } from './http/pipelined-requests';
import { securityHeaders } from './http/security-headers';
import { unconditional } from './http/unconditional';
import { GracefulShutdown } from './lifecycle/graceful-shutdown';
import { rememberPeer, trustProxySetting } from './limits/client-address';
import { Metrics } from './metrics/metrics';
import { GatehouseIoAdapter } from './realtime/gatehouse-io.adapter';

export interface CreateAppOptions extends AppModuleOptions {
  logger?: LoggerService | false;
}

/**
 * Builds the application with everything main.ts and the end-to-end tests share: body limit,
 * CORS, validation, error shapes. It does not listen, and does not wait for the database:
 * see DatabaseConnector.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bodyParser: false,
    logger: options.logger,
    abortOnError: false,
  });
  return configureApp(app, config);
}

/**
 * What every Gatehouse application gets, whoever creates it (createApp, or the testing helper
 * for team modules): the body limit, CORS, validation, error shapes, the socket adapter, and the
 * database connecting in the background.
 */
export function configureApp(app: NestExpressApplication, config: AppConfig): NestExpressApplication {
  app.disable('x-powered-by');
  app.getHttpServer().on('checkExpectation', answerUnmetExpectation);
  app.getHttpServer().on('clientError', answerClientError);
  app.getHttpServer().on('connection', rememberPeer);
  answerMissingHostOurselves(app.getHttpServer());
  app.use(app.get(GracefulShutdown).track);
  // First, so that every answer is timed, refusals of a bad body included.
  if (config.metricsPort !== null) app.use(app.get(Metrics).timeRequests);
  // Counted in flight and timed from arrival, but a pipelined request waits for the one before it.
  app.use(pipelinedOneAtATime);
  app.use(requireHost);
  // Which peer's X-Forwarded-For to believe for the client address (none by default).
  app.set('trust proxy', trustProxySetting(config.trustProxy));
  app.use(securityHeaders);
  // Every answer is no-store: no ETag, and no 304 (unconditional.ts).
  app.set('etag', false);
  app.use(unconditional);
  // CORS before the body parser, so that refusals of a bad body carry the CORS headers too.
  app.enableCors(corsOptions(config));
  app.use(jsonBody());
  app.useGlobalPipes(new BodyValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  app.useWebSocketAdapter(new GatehouseIoAdapter(app, config));
  if (config.apiDocs) serveApiDocs(app);
  if (config.accountPage) serveAccountPage(app);
  app
    .get(DatabaseConnector)
    .connect()
    .catch(() => undefined);
  return app;
}
