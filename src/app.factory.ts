import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres.js';
import {
  problemErrorHandler,
  requireJsonBody,
  requireStorableInput,
} from './http/express-hooks.js';
import { answerMalformedRequests } from './http/malformed-requests.js';
import { securityHeaders } from './http/security-headers.js';
import { setupSwagger } from './http/swagger.js';
import { serveConsole } from './web-console/index.js';
import { appLogger, nestLogger } from './logging/index.js';

export interface RunningApp {
  readonly app: NestExpressApplication;
  readonly databaseUrl: string;
  /** Closes the app, then the embedded database if this process started one. */
  close(): Promise<void>;
}

/** Builds the application: the database (DATABASE_URL or an embedded server), migrations, HTTP pipeline, Swagger. */
export async function createApp(config: AppConfig): Promise<RunningApp> {
  const logger = appLogger(config).child({ context: 'Chronicle' });
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    logger.info(
      `DATABASE_URL is unset: starting embedded PostgreSQL on port ${config.embeddedPg.port} (${config.embeddedPg.dataDir})`,
    );
    const postgres = logger.child({ context: 'EmbeddedPostgres' });
    embedded = await startEmbeddedPostgres({
      ...config.embeddedPg,
      log: (line) => postgres.debug(line),
    });
  }
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  try {
    const app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({ ...config, databaseUrl }),
      { bodyParser: false, logger: nestLogger(config) },
    );
    answerMalformedRequests(app.getHttpServer());
    app.disable('x-powered-by');
    // The client's address, as the per-IP rate limit counts it, is then the one these proxies saw.
    if (config.trustProxyHops > 0) app.set('trust proxy', config.trustProxyHops);
    app.set('etag', false);
    app.use(securityHeaders);
    // The web console's static files at /console/ (no token; its API calls carry one).
    app.use(serveConsole());
    app.use(requireJsonBody);
    app.useBodyParser('json', {
      limit: config.bodyLimitBytes,
      type: ['application/json', 'application/*+json'],
    });
    app.use(requireStorableInput);
    app.use(problemErrorHandler);
    setupSwagger(app);
    await app.init();
    return {
      app,
      databaseUrl,
      close: async () => {
        await app.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
