import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { completeDocument } from './openapi-document.js';
import { FieldError, ProblemResponse, ValidationProblemResponse } from './problem.js';

/** Swagger UI at /docs, the OpenAPI document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Chronicle')
    .setDescription(
      'Event-sourced accounts, carts, orders and shipping on PostgreSQL. Commands answer with the stream `version` and the global `position` of ' +
        'their last event; send `If-Match: "<version>"` for optimistic concurrency, `Idempotency-Key` to retry ' +
        'safely, and `consistentWith=<position>` on a read to see your own write. Errors are application/problem+json. ' +
        "Every route but /health, /metrics, /asyncapi.json (the AsyncAPI document of the integration events published to NATS JetStream) and /console/config.json (the web console's settings, read before sign-in) needs `Authorization: Bearer <token>`; each says which roles may call it.",
    )
    .setVersion('0.1.0')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'An access token from your identity provider; in development `npm run token -- --sub <id> --role customer`',
      },
      'bearer',
    )
    .build();
  const document = completeDocument(
    SwaggerModule.createDocument(app, config, {
      extraModels: [ProblemResponse, ValidationProblemResponse, FieldError],
    }),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    // The token given to Authorize survives a reload of the page (kept in the browser's localStorage).
    swaggerOptions: { persistAuthorization: true },
  });
}
