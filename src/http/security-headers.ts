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

const isDocsPage = (path: string) => path === '/docs' || path.startsWith('/docs/');

/**
 * helmet's headers on every answer, errors included (nosniff, CSP, HSTS, ...); `Cache-Control: no-store` on all
 * but Swagger UI's own files, since accounts, carts and orders carry personal data.
 */
export function securityHeaders(request: Request, response: Response, next: NextFunction): void {
  if (isDocsPage(request.path)) {
    docs(request, response, next);
    return;
  }
  response.setHeader('Cache-Control', 'no-store');
  api(request, response, next);
}
