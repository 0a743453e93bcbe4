import type { IncomingMessage } from 'node:http';
import superagent from 'superagent';
import supertest from 'supertest';
import { bearer, DEFAULT_TOKEN } from './auth.js';
import { OpenApiContract, type OpenApiDocument } from './openapi-contract.js';

type App = Parameters<typeof supertest>[0];
type Agent = ReturnType<typeof supertest>;
type Test = ReturnType<Agent['get']>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

// A live stream never ends: it is answered unread, checked on its status and headers, and closed at once (SuperTest
// closes the server it started before it answers, which would wait for the stream for ever).
const defaults = superagent as unknown as {
  buffer: Record<string, boolean>;
  parse: Record<string, (res: IncomingMessage, done: (error: null, body: string) => void) => void>;
};
defaults.buffer['text/event-stream'] = false;
defaults.parse['text/event-stream'] = (res, done) => {
  res.destroy();
  done(null, '');
};

const byServer = new WeakMap<object, Promise<OpenApiContract>>();
const byUrl = new Map<string, Promise<OpenApiContract>>();
const byDocument = new Map<string, OpenApiContract>();

/** The app's own OpenAPI document, as /docs-json serves it, compiled once per document. */
export function contractOf(app: App): Promise<OpenApiContract> {
  const known = typeof app === 'string' ? byUrl.get(app) : byServer.get(app);
  if (known) return known;
  const loading = supertest(app)
    .get('/docs-json')
    .then((res) => {
      if (res.status !== 200) throw new Error(`GET /docs-json answered ${res.status}`);
      let contract = byDocument.get(res.text);
      if (!contract) {
        contract = new OpenApiContract(JSON.parse(res.text) as OpenApiDocument);
        byDocument.set(res.text, contract);
      }
      return contract;
    });
  if (typeof app === 'string') byUrl.set(app, loading);
  else byServer.set(app, loading);
  return loading;
}

/** Fails the request's promise when the answer breaks the app's OpenAPI document. */
function heldToContract(app: App, method: string, url: string, test: Test): Test {
  const then = test.then.bind(test);
  test.then = ((onFulfilled, onRejected) =>
    then(async (res) => {
      const contract = await contractOf(app);
      const violations = contract.violations(method, url, res);
      if (violations.length > 0) {
        throw new Error(
          `${method.toUpperCase()} ${url} → ${res.status} breaks the OpenAPI document:\n  ` +
            `${violations.join('\n  ')}\n  body: ${(res.text ?? '').slice(0, 500)}`,
        );
      }
      return res;
    }).then(onFulfilled, onRejected)) as Test['then'];
  return test;
}

/**
 * supertest's `request(app)`, with every answer held to the app's OpenAPI document: a status,
 * content type or body the document does not declare fails the request. Requests carry `token` (by default
 * the suites' customer with every role, see auth.ts); `.set('Authorization', ...)` or `.unset('Authorization')`
 * on a request overrides it.
 */
export default function request(app: App, token: string = DEFAULT_TOKEN): Agent {
  const agent = supertest(app);
  const checked = { ...agent } as Agent;
  for (const method of METHODS) {
    checked[method] = ((url: string) =>
      heldToContract(
        app,
        method,
        url,
        agent[method](url).set('Authorization', bearer(token)),
      )) as Agent[typeof method];
  }
  checked.del = checked.delete;
  return checked;
}
