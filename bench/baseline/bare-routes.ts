import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type Request, type Response } from 'express';
import type { Pool } from 'pg';
import { PostgresEventStore, timeOrderedUuid } from '../../src/event-store/index.js';
import { GET_ACCOUNT, INSERT_NEXT, UNIQUE_VIOLATION } from './baseline-sql.js';

export const BARE_PREFIX = '/bench/bare';

/**
 * Bare Express routes on the Nest app's own Express instance and pg pool: the bearer token checked, a JSON body
 * parser, one hand-written statement, res.json. They go first in the router stack (Nest has already put its 404 handler at the end).
 */
export function installBareRoutes(
  app: NestExpressApplication,
  pool: Pool,
  authenticated: (request: Request) => boolean,
): void {
  const instance = app.getHttpAdapter().getInstance() as express.Express;
  const stack = (instance.router as unknown as { stack: unknown[] }).stack;
  const before = stack.length;

  instance.post(
    `${BARE_PREFIX}/accounts/:id/deposits`,
    express.json(),
    async (request: Request, response: Response) => {
      if (!authenticated(request)) return void response.status(401).end();
      const id = String(request.params.id);
      const amount = (request.body as { amount?: unknown }).amount;
      if (!Number.isInteger(amount)) return void response.status(400).end();
      const commandId = timeOrderedUuid();
      const metadata = JSON.stringify({
        commandId,
        correlationId: commandId,
        causationId: commandId,
        actor: 'anonymous',
      });
      const data = JSON.stringify({
        accountId: id,
        amount,
        description: (request.body as { description?: string }).description,
      });
      for (;;) {
        try {
          const { rows } = await pool.query<{ global_position: string; stream_version: number }>(
            INSERT_NEXT,
            [`account-${id}`, timeOrderedUuid(), 'MoneyDeposited', data, metadata],
          );
          return void response.status(201).json({
            id,
            version: rows[0].stream_version,
            position: Number(rows[0].global_position),
          });
        } catch (error) {
          if ((error as { code?: string }).code !== UNIQUE_VIOLATION)
            return void response.status(500).end();
        }
      }
    },
  );

  // The name is sealed in the read model: the bare route opens it with the same code, without Nest around it.
  const columns = app.get(PostgresEventStore).personalData.columns;
  instance.get(`${BARE_PREFIX}/accounts/:id`, async (request: Request, response: Response) => {
    if (!authenticated(request)) return void response.status(401).end();
    const { rows } = await pool.query<Record<string, unknown>>(GET_ACCOUNT, [
      String(request.params.id),
    ]);
    const row = rows[0];
    if (!row) return void response.status(404).end();
    response.setHeader('ETag', `"${row.version}"`);
    const key = row.key_found ? (row.wrapped_key as Buffer | null) : undefined;
    response.json({
      id: row.id,
      ownerName: columns.open(
        'account_balances.owner_name',
        row.id as string,
        row.owner_name as Buffer | null,
        key,
      ),
      currency: row.currency,
      balance: Number(row.balance),
      version: row.version,
      openedAt: (row.opened_at as Date).toISOString(),
      updatedAt: (row.updated_at as Date).toISOString(),
    });
  });

  stack.unshift(...stack.splice(before));
}
