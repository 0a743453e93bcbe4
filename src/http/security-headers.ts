import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

const NONE = ["'none'"];

/** The API answers JSON only: nothing it sends may load, run, frame or submit anything. */
const api = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: NONE, baseUri: NONE, formAction: NONE, frameAncestors: NONE },
  },
  xFrameOptions: { action: 'deny' },
});

/**
 * Swagger UI: its scripts are files of its own ('self', no inline script, no eval); its page carries inline
 * <style> blocks and style attributes, its icons are data: URIs, and "Try it out" calls this origin.
 */
const docs = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: NONE,
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      baseUri: NONE,
      formAction: NONE,
      frameAncestors: NONE,
    },
  },
  xFrameOptions: { action: 'deny' },
});

/**
 * The web console (/console/): its scripts and styles are files of its own (no inline script or style attribute;
 * uPlot styles its canvas through the CSSOM, which style-src does not govern), a data: favicon, API calls to this
 * origin. Caching is the console's own (serveConsole): hashed assets immutable, index.html revalidated.
 */
const webConsole = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: NONE,
      baseUri: NONE,
      formAction: NONE,
      objectSrc: NONE,
    },
  },
  xFrameOptions: { action: 'deny' },
});

const isConsolePage = (path: string) => path === '/console' || path.startsWith('/console/');

const isDocsPage = (path: string) => path === '/docs' || path.startsWith('/docs/');

/**
 * helmet's headers on every answer, errors included (nosniff, CSP, HSTS, ...); `Cache-Control: no-store` on all
 * but Swagger UI's and the web console's own files, since accounts, carts and orders carry personal data.
 */
export function securityHeaders(request: Request, response: Response, next: NextFunction): void {
  if (isDocsPage(request.path)) {
    docs(request, response, next);
    return;
  }
  // config.json is an API answer (no-store) under the console's CSP, like its files.
  if (isConsolePage(request.path)) {
    if (request.path === '/console/config.json') response.setHeader('Cache-Control', 'no-store');
    webConsole(request, response, next);
    return;
  }
  response.setHeader('Cache-Control', 'no-store');
  api(request, response, next);
}
