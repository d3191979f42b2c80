import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppModuleOptions } from './app.module';
import { bodyParsers } from './common/http/body-parsers';
import { requestIdMiddleware } from './common/http/request-id.middleware';
import type { AppConfig } from './config/app-config';
import { httpMetricsMiddleware } from './stats/http-metrics.middleware';
import { MetricsService } from './stats/metrics.service';

export const VALIDATION_PIPE = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  stopAtFirstError: false,
});

/** The app exactly as it runs in production, not yet listening. Shared by main.ts and the tests. */
export async function buildApp(
  config: AppConfig,
  options: AppModuleOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.disable('x-powered-by');
  app.use(requestIdMiddleware);
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'img-src': ["'self'", 'data:'], 'connect-src': ["'self'"] },
      },
    }),
  );
  app.use(bodyParsers());
  app.useGlobalPipes(VALIDATION_PIPE);
  setupOpenApi(app);
  return app;
}

function setupOpenApi(app: INestApplication): void {
  const document = () =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('InvoiceIQ API')
        .setDescription(
          'WhatsApp-first invoicing and M-PESA payments. Merchant endpoints take `Authorization: Bearer <merchant API key>`; ' +
            'admin endpoints take `Authorization: Bearer <ADMIN_API_KEY>`. Errors have the shape ' +
            '`{ statusCode, error, message, requestId }`.',
        )
        .setVersion('1')
        .addBearerAuth(
          { type: 'http', scheme: 'bearer', description: 'Merchant API key' },
          'merchant',
        )
        .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_API_KEY' }, 'admin')
        .build(),
    );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'InvoiceIQ API',
  });
}
