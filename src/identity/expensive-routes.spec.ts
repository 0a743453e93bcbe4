import { ACCESS_POLICY, EXPENSIVE_ROUTES } from './access-policy.js';

describe('EXPENSIVE_ROUTES', () => {
  it('names only routes that have a rule, every report, the history and the rebuild', () => {
    const routes = Object.keys(ACCESS_POLICY);
    expect(routes).toEqual(expect.arrayContaining(Object.keys(EXPENSIVE_ROUTES)));
    const reports = routes.filter((route) => route.startsWith('GET /reports/'));
    expect(reports.length).toBeGreaterThan(0);
    for (const report of reports) expect(EXPENSIVE_ROUTES[report]).toBe(true);
    expect(EXPENSIVE_ROUTES['GET /accounts/{id}/history']).toBe(true);
    expect(EXPENSIVE_ROUTES['POST /admin/projections/{name}/rebuild']).toBe(true);
  });

  it('counts an account read as time travel only when it asks for a past state', () => {
    const read = EXPENSIVE_ROUTES['GET /accounts/{id}'];
    if (read === true || read === undefined)
      throw new Error('the account read depends on its query');
    expect(read({})).toBe(false);
    expect(read({ consistentWith: '42' })).toBe(false);
    expect(read({ asOf: '2026-11-01T00:00:00Z' })).toBe(true);
    expect(read({ atVersion: '3' })).toBe(true);
  });
});
