import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Request, Response } from 'express';
import helmet from 'helmet';
import { replayed, securityHeaders } from './security-headers.js';

const answer = () => {
  const response = new ServerResponse(new IncomingMessage(new Socket()));
  response.setHeader('X-Powered-By', 'Express');
  return response as unknown as Response;
};

describe('security headers: helmet recorded once, replayed on every answer', () => {
  it('given helmet with its defaults, when replayed, then the answer holds exactly the headers helmet sets', () => {
    const options = { contentSecurityPolicy: { directives: { scriptSrc: ["'self'"] } } };
    const byHelmet = answer();
    helmet(options)({} as Request, byHelmet, () => {});
    const byReplay = answer();
    let nexts = 0;
    replayed(helmet(options))(byReplay, () => nexts++);
    expect(nexts).toBe(1);
    expect(byReplay.getHeaders()).toEqual(byHelmet.getHeaders());
    expect(byReplay.getHeader('X-Powered-By')).toBeUndefined();
    expect(Object.keys(byReplay.getHeaders()).length).toBeGreaterThan(10);
  });

  it('given a middleware that answers later, when recorded, then it is refused at start-up', () => {
    expect(() => replayed((_request, _response, next) => void setImmediate(next))).toThrow(
      /cannot be replayed/,
    );
  });

  it.each([
    ['/accounts/1', 'no-store', "default-src 'none'"],
    ['/docs/', undefined, "script-src 'self'"],
    ['/console/app.js', undefined, "default-src 'self'"],
    ['/console/config.json', 'no-store', "default-src 'self'"],
  ])('given %s, then Cache-Control is %s under its own policy', (path, cache, policy) => {
    const response = answer();
    securityHeaders({ path } as Request, response, () => {});
    expect(response.getHeader('Cache-Control')).toBe(cache);
    expect(response.getHeader('Content-Security-Policy')).toContain(policy);
    expect(response.getHeader('X-Content-Type-Options')).toBe('nosniff');
  });
});
