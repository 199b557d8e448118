import { dirname } from 'node:path';
import { NotFoundException } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { dialectOfPath } from '../http/error-body';
import { errorReply } from '../http/error-reply';
import { buildOpenApiDocument } from './openapi-document';

/** What SwaggerModule answers itself under /docs: the page, our initialiser, the document. */
const ROUTES = new Set(['/', '/index.html', '/swagger-ui-init.js', '/openapi.json']);

/** The files of swagger-ui-dist that the page loads to run (its links and scripts). */
const RUNTIME_FILES = new Set([
  '/swagger-ui.css',
  '/swagger-ui-bundle.js',
  '/swagger-ui-standalone-preset.js',
  '/favicon-32x32.png',
  '/favicon-16x16.png',
]);

/** swagger-ui-dist as @nestjs/swagger resolves it, so that the files match the page it writes. */
function swaggerUiFiles(): string {
  const swagger = dirname(require.resolve('@nestjs/swagger'));
  return dirname(require.resolve('swagger-ui-dist/package.json', { paths: [swagger] }));
}

/**
 * GET /docs (Swagger UI) and GET /docs/openapi.json. Swagger UI loads its scripts from files
 * (swagger-ui-init.js included), so it runs under the service's helmet CSP unchanged. The
 * document is built on first request, once every module's controllers are known.
 *
 * SwaggerModule would serve the whole swagger-ui-dist folder: about 10 MB of source maps, its
 * package.json and README, the stock initializer (which points at the Petstore) and
 * oauth2-redirect.html (there is no OAuth flow). Only the routes above and the runtime files
 * pass; anything else under /docs is the 404 of a path no route matches.
 */
export function serveApiDocs(app: NestExpressApplication): void {
  // No validators: every answer is no-store (see src/http/unconditional.ts).
  const files = express.static(swaggerUiFiles(), { index: false, redirect: false, etag: false, lastModified: false });
  app.use('/docs', (request: express.Request, response: express.Response, next: express.NextFunction) => {
    if (ROUTES.has(request.path)) return next();
    if (RUNTIME_FILES.has(request.path)) return files(request, response, next);
    const { status, body, headers } = errorReply(
      new NotFoundException('no such endpoint'),
      dialectOfPath(request.baseUrl + request.path),
    );
    response.status(status).set(headers).json(body);
  });
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  SwaggerModule.setup('docs', app, () => (document ??= buildOpenApiDocument(app)), {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: undefined,
    raw: ['json'],
    customSiteTitle: 'Gatehouse API',
    swaggerOptions: { persistAuthorization: false },
  });
}
