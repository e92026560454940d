import { join } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { RequestHandler } from 'express';
import helmet, { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestContextMiddleware } from './common/request-context';
import { AppConfig } from './config/app-config.service';

/** Largest accepted request body; a chat with a full history fits well within it. */
export const MAX_BODY = '256kb';

// Apollo Sandbox's page loads its UI from Apollo's CDN; these sources are allowed only when it is on.
const SANDBOX_SOURCES = {
  scriptSrc: ['https://embeddable-sandbox.cdn.apollographql.com'],
  frameSrc: ['https://sandbox.embed.apollographql.com'],
  imgSrc: ['https://apollo-server-landing-page.cdn.apollographql.com'],
  manifestSrc: ['https://apollo-server-landing-page.cdn.apollographql.com'],
  styleSrc: ['https://fonts.googleapis.com'],
  fontSrc: ['https://fonts.gstatic.com'],
};

function contentSecurityPolicy(sandbox: boolean) {
  const extra = (key: keyof typeof SANDBOX_SOURCES) => (sandbox ? SANDBOX_SOURCES[key] : []);
  return {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", ...(sandbox ? ["'unsafe-inline'"] : []), ...extra('scriptSrc')],
      styleSrc: ["'self'", "'unsafe-inline'", ...extra('styleSrc')],
      imgSrc: ["'self'", 'data:', ...extra('imgSrc')],
      fontSrc: ["'self'", 'data:', ...extra('fontSrc')],
      frameSrc: ["'self'", ...extra('frameSrc')],
      manifestSrc: ["'self'", ...extra('manifestSrc')],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      // Plants often serve the app over plain HTTP on their LAN.
      upgradeInsecureRequests: null,
    },
  };
}

/**
 * Helmet's security headers, worked out once: with these options they are the same for every
 * request, and setting a fixed list costs a fraction of running helmet's middlewares each time
 * (about a fifth of the throughput of a small query).
 */
function securityHeaders(options: HelmetOptions): RequestHandler {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader: (name: string, value: string) => headers.push([name, value]),
    removeHeader: () => undefined,
  };
  helmet(options)(
    { method: 'GET', headers: {} } as IncomingMessage,
    recorder as unknown as ServerResponse,
    () => undefined,
  );
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/**
 * HTTP concerns: proxy trust, request ids, security headers, CORS, the body size limit and the
 * dashboard's static files.
 */
export function configureHttp(app: NestExpressApplication, config: AppConfig): void {
  app.set('trust proxy', config.trustProxy);
  // Helmet removes X-Powered-By on every response; not sending it at all is the same.
  app.disable('x-powered-by');
  app.use(requestContextMiddleware);
  app.use(
    securityHeaders({
      contentSecurityPolicy: contentSecurityPolicy(config.graphqlSandbox),
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.enableCors({
    origin: config.allowedOrigins,
    // PUT: i3X writes (/i3x/v1/objects/value and /history).
    methods: ['GET', 'POST', 'PUT'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Request-Id', 'Apollo-Require-Preflight'],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    credentials: true,
  });
  app.useBodyParser('json', { limit: MAX_BODY });
  // The dashboard at /: web/ built into dist/public, Chart.js included (no CDN); never throttled.
  app.useStaticAssets(join(__dirname, 'public'));
}
