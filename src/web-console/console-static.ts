import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { HttpProblem, sendProblem, toProblem } from '../http/problem.js';

/** Where `npm run build` puts the console (vite build of console/): dist/console, or CONSOLE_DIR when set. */
export const consoleDirectory = (): string => resolve(process.env.CONSOLE_DIR || 'dist/console');

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Vite names assets by their content's hash, so an asset never changes under its name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: revalidated on every load. */
const REVALIDATE = 'no-cache';

/** A file name as Vite writes it under assets/: no directory, no dot file, nothing to decode. */
const ASSET = /^\/assets\/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,200}$/;

function notFound(request: Request, response: Response, detail: string, code = 'not-found'): void {
  sendProblem(request, response, toProblem(new HttpProblem({ status: 404, code, detail })));
}

/**
 * The web console's files from dist/console, no token (its API calls carry one). `/console` redirects to `/console/`;
 * any other path under it but /console/config.json is 404 problem+json, as is every path when the console is unbuilt.
 * Its CSP comes from securityHeaders.
 */
export function serveConsole(directory: string = consoleDirectory()) {
  return async (request: Request, response: Response, next: NextFunction): Promise<void> => {
    const path = request.path;
    if (path !== '/console' && !path.startsWith('/console/')) return next();
    if (path === '/console/config.json') return next();
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendProblem(
        request,
        response,
        toProblem(
          new HttpProblem({
            status: 405,
            code: 'method-not-allowed',
            detail: 'The console is static files: GET only',
            headers: { Allow: 'GET, HEAD' },
          }),
        ),
      );
      return;
    }
    if (path === '/console') {
      const query = request.originalUrl.indexOf('?');
      response.redirect(301, `/console/${query === -1 ? '' : request.originalUrl.slice(query)}`);
      return;
    }
    const rest = path.slice('/console'.length);
    const asset =
      rest === '/' || rest === '/index.html'
        ? 'index.html'
        : ASSET.test(rest)
          ? rest.slice(1)
          : undefined;
    try {
      await stat(join(directory, 'index.html'));
    } catch {
      notFound(
        request,
        response,
        'The console is not built: run npm run build (it builds dist/console)',
        'console-not-built',
      );
      return;
    }
    if (asset === undefined) return notFound(request, response, 'No such file in the console');
    let body: Buffer;
    try {
      body = await readFile(join(directory, asset));
    } catch {
      return notFound(request, response, 'No such file in the console');
    }
    const html = asset === 'index.html';
    response
      .status(200)
      .set('Cache-Control', html ? REVALIDATE : IMMUTABLE)
      .type(
        html ? 'text/html; charset=utf-8' : (TYPES[extname(asset)] ?? 'application/octet-stream'),
      )
      .send(body);
  };
}
