import type { Server } from 'node:http';
import type { Response } from 'supertest';
import request from './http.js';

export interface Accepted {
  id: string;
  version: number;
  position: number;
}

export interface StoredEvent {
  eventId: string;
  version: number;
  position: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export interface StatementLine {
  version: number;
  position: number;
  kind: 'deposit' | 'withdrawal' | 'rejected-withdrawal';
  amount: number;
  balanceAfter: number;
  description: string | null;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const PROBLEM_JSON = /^application\/problem\+json/;

/** The accounts API as a client sees it, with the assertions every caller would otherwise repeat. */
export function accountsApi(server: Server) {
  const http = (token?: string) => request(server, token);

  return {
    http,

    /** Opened by the suites' customer, or by whoever `token` names (who then owns it). */
    async open(body: Record<string, unknown> = {}, token?: string): Promise<Accepted> {
      const res = await http(token)
        .post('/accounts')
        .send({ ownerName: 'Ada Lovelace', currency: 'EUR', ...body })
        .expect(201);
      return res.body as Accepted;
    },

    async deposit(id: string, amount: number, description?: string): Promise<Accepted> {
      const res = await http()
        .post(`/accounts/${id}/deposits`)
        .send({ amount, description })
        .expect(201);
      return res.body as Accepted;
    },

    async withdraw(id: string, amount: number): Promise<Accepted> {
      const res = await http().post(`/accounts/${id}/withdrawals`).send({ amount }).expect(201);
      return res.body as Accepted;
    },

    /** The account as the read model holds it once it has caught up with `position`. */
    async account(id: string, position: number) {
      const res = await http()
        .get(`/accounts/${id}`)
        .query({ consistentWith: position })
        .expect(200);
      return res.body as {
        id: string;
        ownerName: string;
        currency: string;
        balance: number;
        version: number;
      };
    },

    /** The whole stream, followed page by page. */
    async events(id: string, pageSize = 1000): Promise<StoredEvent[]> {
      const all: StoredEvent[] = [];
      let fromVersion: number | null = 1;
      while (fromVersion !== null) {
        const res = await http()
          .get(`/accounts/${id}/events`)
          .query({ fromVersion, limit: pageSize })
          .expect(200);
        all.push(...(res.body.items as StoredEvent[]));
        fromVersion = res.body.nextFromVersion as number | null;
      }
      return all;
    },

    /** The whole statement, following `nextCursor` until null, once the read model has reached `position`. */
    async statement(
      id: string,
      position: number,
      limit = 500,
    ): Promise<{ lines: StatementLine[]; pages: number }> {
      const lines: StatementLine[] = [];
      let pages = 0;
      let after: number | null = 0;
      while (after !== null) {
        const res = await http()
          .get(`/accounts/${id}/transactions`)
          .query({ limit, after, consistentWith: position })
          .expect(200);
        lines.push(...(res.body.items as StatementLine[]));
        after = res.body.nextCursor as number | null;
        pages += 1;
        if (pages > 1000) throw new Error('nextCursor never became null');
      }
      return { lines, pages };
    },
  };
}

export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** What an error body must never carry: stack frames, SQL, driver error names. */
export function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/\n\s*at\s/);
  expect(text).not.toMatch(/\bat [\w.<>]+ \(/);
  expect(text).not.toMatch(/node_modules|\.ts:\d+|\.js:\d+/);
  expect(text).not.toMatch(/SELECT|INSERT|UPDATE\s|DELETE\s/);
  expect(text).not.toMatch(/QueryFailedError|TypeORMError|duplicate key/i);
}

/** An RFC 9457 problem: content type, the five members, the status echoed, and nothing leaked. */
export function expectProblem(
  res: Response,
  status: number,
  typeSuffix?: string,
): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
  const body = JSON.parse(res.text) as Record<string, unknown>;
  expect(body).toEqual(
    expect.objectContaining({
      type: expect.any(String),
      title: expect.any(String),
      status,
      detail: expect.any(String),
      instance: expect.any(String),
    }),
  );
  if (typeSuffix) expect(body.type).toMatch(new RegExp(`${typeSuffix}$`));
  expectNoLeak(res.text);
  return body;
}

/** The fields a 400 validation problem names. */
export function invalidFields(res: Response): string[] {
  const body = expectProblem(res, 400);
  return ((body.errors as Array<{ field: string }> | undefined) ?? []).map((e) => e.field);
}
