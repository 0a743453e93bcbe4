import type { Role } from './principal.js';

/**
 * What a role may do on a route: `any` resource, or only its `own` (a customer's accounts, carts, orders,
 * shipments and personal data; someone else's answers 404 as if it did not exist).
 */
export type Reach = 'any' | 'own';
export type RoutePolicy = 'public' | Partial<Record<Role, Reach>>;

const READ_ANY = { teller: 'any', auditor: 'any' } as const;

/**
 * Who may call what: one rule per route of the OpenAPI document, keyed as the document writes it. A route that is
 * not here answers 403 to everyone (AccessGuard), and the role × route e2e test fails, so a new route cannot ship
 * without a rule.
 */
export const ACCESS_POLICY: Readonly<Record<string, RoutePolicy>> = {
  'GET /health': 'public',
  // Probes of an orchestrator, which carries no token.
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
  'GET /metrics': 'public',
  // The integration events' contract (AsyncAPI), public like the OpenAPI document.
  'GET /asyncapi.json': 'public',
  // The web console's settings, read before sign-in (its files under /console/ are static, outside the API).
  'GET /console/config.json': 'public',

  // An account belongs to the customer who opened it; tellers move money on any account.
  'POST /accounts': { customer: 'own' },
  'POST /accounts/{id}/deposits': { customer: 'own', teller: 'any' },
  'POST /accounts/{id}/withdrawals': { customer: 'own', teller: 'any' },
  'GET /accounts/{id}': { customer: 'own', ...READ_ANY },
  'GET /accounts/{id}/history': { customer: 'own', ...READ_ANY },
  'GET /accounts/{id}/transactions': { customer: 'own', ...READ_ANY },
  // Raw events carry other principals' metadata (who acted, from which client): staff only.
  'GET /accounts/{id}/events': READ_ANY,
  'DELETE /accounts/{id}/personal-data': { customer: 'own', admin: 'any' },
  // Live: an account's events like its other reads (metadata only to the roles of the raw events).
  'GET /accounts/{id}/live': { customer: 'own', ...READ_ANY },
  // Every context's events, personal data included: only the role that may read everything.
  'GET /events/live': { auditor: 'any' },

  // A cart belongs to the customer who created it; only they fill it and check it out.
  'POST /carts': { customer: 'own' },
  'POST /carts/{id}/items': { customer: 'own' },
  'DELETE /carts/{id}/items/{productId}': { customer: 'own' },
  'PUT /carts/{id}/shipping': { customer: 'own' },
  'POST /carts/{id}/checkout': { customer: 'own' },
  'GET /carts/{id}': { customer: 'own', auditor: 'any' },

  // Orders and shipments are the cart's customer's; operations (admin) dispatch them.
  'GET /orders': { customer: 'own', auditor: 'any', admin: 'any' },
  'GET /orders/{id}': { customer: 'own', auditor: 'any', admin: 'any' },
  'GET /shipments/{id}': { customer: 'own', auditor: 'any', admin: 'any' },
  'POST /shipments/{id}/dispatch': { admin: 'any' },

  'DELETE /customers/{customerId}/personal-data': { customer: 'own', admin: 'any' },

  'GET /reports/daily-volume': { auditor: 'any', admin: 'any' },
  'GET /reports/cart-removals': { auditor: 'any', admin: 'any' },
  'GET /reports/orders-by-status': { auditor: 'any', admin: 'any' },

  // The console's event browser: which streams exist (ids, types, positions: no personal data) is staff's; their
  // events and a correlation's carry every context's personal data in clear: the auditors' alone, as /events/live.
  'GET /streams': { auditor: 'any', admin: 'any' },
  'GET /streams/{streamId}/events': { auditor: 'any' },
  'GET /correlations/{correlationId}/events': { auditor: 'any' },

  'GET /admin/projections': { auditor: 'any', admin: 'any' },
  'GET /admin/projections/lag-history': { auditor: 'any', admin: 'any' },
  'GET /admin/projections/{name}/dead-letters': { auditor: 'any', admin: 'any' },
  'POST /admin/projections/{name}/rebuild': { admin: 'any' },
  'POST /admin/projections/{name}/retry': { admin: 'any' },
  'POST /admin/projections/{name}/skip': { admin: 'any' },
};

/** Whether a call to a route is expensive: always (`true`), or only with what its query asks for. */
export type Expense = true | ((query: Readonly<Record<string, unknown>>) => boolean);

/**
 * The routes that replay a stream, scan read tables or rebuild them: their calls also count against the tighter
 * per-principal limit (RATE_LIMIT_EXPENSIVE_PER_MINUTE), one budget for all of them. Every /reports route must be
 * here (a unit test says so).
 */
export const EXPENSIVE_ROUTES: Readonly<Record<string, Expense>> = {
  // Time travel folds the stream up to the instant or version; without either it is one read-model row.
  'GET /accounts/{id}': (query) => query.asOf !== undefined || query.atVersion !== undefined,
  'GET /accounts/{id}/history': true,
  'GET /reports/daily-volume': true,
  'GET /reports/cart-removals': true,
  'GET /reports/orders-by-status': true,
  'POST /admin/projections/{name}/rebuild': true,
};

/**
 * The reach the principal's roles give on a route: the widest of them (a teller who is also a customer reaches
 * any account), or undefined when no role of theirs may call it.
 */
export function reachOf(
  policy: Partial<Record<Role, Reach>>,
  roles: ReadonlySet<Role>,
): Reach | undefined {
  let reach: Reach | undefined;
  for (const role of roles) {
    const granted = policy[role];
    if (granted === 'any') return 'any';
    if (granted === 'own') reach = 'own';
  }
  return reach;
}
