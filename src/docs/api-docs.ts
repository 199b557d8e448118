import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { buildOpenApiDocument } from './openapi-document';

/**
 * GET /docs (Swagger UI) and GET /docs/openapi.json. Swagger UI loads its scripts from files
 * (swagger-ui-init.js included), so it runs under the service's helmet CSP unchanged. The
 * document is built on first request, once every module's controllers are known.
 */
export function serveApiDocs(app: NestExpressApplication): void {
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  SwaggerModule.setup('docs', app, () => (document ??= buildOpenApiDocument(app)), {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: undefined,
    raw: ['json'],
    customSiteTitle: 'Gatehouse API',
    swaggerOptions: { persistAuthorization: false },
  });
}
