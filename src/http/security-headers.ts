import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

type Middleware = (request: Request, response: Response, next: (error?: unknown) => void) => void;

/**
 * What a helmet middleware does to every answer, replayed: with static options it sets the same headers each time,
 * so they are recorded once and set in one loop (its chain of thirteen middlewares per request was 5 % of a GET).
 */
export function replayed(middleware: Middleware, extra: Record<string, string> = {}) {
  const removed: string[] = [];
  const set: Array<[string, string]> = Object.entries(extra);
  let called = false;
  const recorder = {
    setHeader: (name: string, value: unknown) => set.push([name, String(value)]),
    removeHeader: (name: string) => removed.push(name),
  };
  middleware({} as Request, recorder as unknown as Response, (error) => {
    if (error) throw error instanceof Error ? error : new Error(String(error));
    called = true;
  });
  if (!called) throw new Error('helmet did not set its headers at once: they cannot be replayed');
  return (response: Response, next: NextFunction) => {
    for (const name of removed) response.removeHeader(name);
    for (const [name, value] of set) response.setHeader(name, value);
    next();
  };
}

const NONE = ["'none'"];

/** The API answers JSON only: nothing it sends may load, run, frame or submit anything. */
const api = replayed(
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: NONE, baseUri: NONE, formAction: NONE, frameAncestors: NONE },
    },
    xFrameOptions: { action: 'deny' },
  }),
  // Accounts, carts and orders carry personal data.
  { 'Cache-Control': 'no-store' },
);

/**
 * Swagger UI: its scripts are files of its own ('self', no inline script, no eval); its page carries inline
 * <style> blocks and style attributes, its icons are data: URIs, and "Try it out" calls this origin.
 */
const docs = replayed(
  helmet({
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
  }),
);

/**
 * The web console (/console/): its scripts and styles are files of its own (no inline script or style attribute;
 * uPlot styles its canvas through the CSSOM, which style-src does not govern), a data: favicon, API calls to this
 * origin. Caching is the console's own (serveConsole): hashed assets immutable, index.html revalidated.
 */
const webConsoleHeaders = {
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
  xFrameOptions: { action: 'deny' as const },
};
const webConsole = replayed(helmet(webConsoleHeaders));
// config.json is an API answer (no-store) under the console's CSP, like its files.
const webConsoleConfig = replayed(helmet(webConsoleHeaders), { 'Cache-Control': 'no-store' });

const isConsolePage = (path: string) => path === '/console' || path.startsWith('/console/');

const isDocsPage = (path: string) => path === '/docs' || path.startsWith('/docs/');

/**
 * helmet's headers on every answer, errors included (nosniff, CSP, HSTS, ...); `Cache-Control: no-store` on all
 * but Swagger UI's and the web console's own files, since accounts, carts and orders carry personal data.
 */
export function securityHeaders(request: Request, response: Response, next: NextFunction): void {
  const path = request.path;
  if (isDocsPage(path)) docs(response, next);
  else if (path === '/console/config.json') webConsoleConfig(response, next);
  else if (isConsolePage(path)) webConsole(response, next);
  else api(response, next);
}
