import { createHash } from 'node:crypto';
import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { catchError, from, mergeMap, Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { HttpProblem, ReplayedResponse, toProblem } from './problem.js';
import { header } from './request-context.js';

const COMMAND_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REPLAYED_HEADERS = ['location', 'etag'];

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : 1,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

interface StoredKey {
  request_hash: string;
  state: 'pending' | 'completed';
  status_code: number | null;
  response_headers: Record<string, string> | null;
  response_body: unknown;
}

/**
 * Idempotency-Key on a command: the first response is stored with the key; the same key with the same request
 * replays it and runs nothing; the same key with another request is refused with 422.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    if (!COMMAND_METHODS.has(request.method)) return next.handle();
    const key = header(request, 'idempotency-key');
    if (key === undefined) return next.handle();
    const response = context.switchToHttp().getResponse<Response>();
    const hash = createHash('sha256')
      .update(`${request.method} ${request.path}\n${canonical(request.body ?? null)}`)
      .digest('hex');
    const successStatus =
      Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) ??
      (request.method === 'POST' ? 201 : 200);

    return from(this.claim(key, hash)).pipe(
      mergeMap(() => next.handle()),
      mergeMap((body) => {
        const headers = Object.fromEntries(
          REPLAYED_HEADERS.filter((h) => response.getHeader(h) !== undefined).map((h) => [
            h,
            String(response.getHeader(h)),
          ]),
        );
        return from(
          this.complete(
            key,
            successStatus,
            { ...headers, 'content-type': 'application/json' },
            body,
          ).then(() => body),
        );
      }),
      catchError((error: unknown) => {
        if (
          error instanceof ReplayedResponse ||
          (error instanceof HttpProblem && error.code.startsWith('idempotency'))
        ) {
          throw error;
        }
        const problem = toProblem(error);
        const outcome =
          problem.status < 500
            ? this.complete(
                key,
                problem.status,
                { 'content-type': 'application/problem+json' },
                {
                  ...problem.body,
                  instance: request.originalUrl,
                },
              )
            : this.release(key);
        return from(outcome.then(() => Promise.reject(error)));
      }),
    );
  }

  /** Takes the key for this request, or throws what the client must see instead. */
  private async claim(key: string, hash: string): Promise<void> {
    const claimed = await this.db.query(
      `INSERT INTO idempotency_keys (key, request_hash, state) VALUES ($1, $2, 'pending')
       ON CONFLICT (key) DO UPDATE SET request_hash = EXCLUDED.request_hash, state = 'pending', status_code = NULL,
         response_headers = NULL, response_body = NULL, created_at = now()
       WHERE idempotency_keys.created_at < now() - make_interval(hours => $3)
          OR (idempotency_keys.state = 'pending' AND idempotency_keys.created_at < now() - interval '30 seconds')
       RETURNING key`,
      [key, hash, this.config.idempotencyTtlHours],
    );
    if (claimed.length > 0) return;
    const [stored] = (await this.db.query(
      'SELECT request_hash, state, status_code, response_headers, response_body FROM idempotency_keys WHERE key = $1',
      [key],
    )) as StoredKey[];
    if (!stored) return this.claim(key, hash);
    if (stored.request_hash !== hash) {
      throw new HttpProblem(
        422,
        'idempotency-key-reused',
        'This Idempotency-Key was already used with a different request',
      );
    }
    if (stored.state === 'pending') {
      throw new HttpProblem(
        409,
        'idempotency-key-in-progress',
        'A request with this Idempotency-Key is still being processed',
        {},
        {
          'Retry-After': '1',
        },
      );
    }
    throw new ReplayedResponse(
      stored.status_code ?? 200,
      stored.response_body,
      stored.response_headers ?? {},
    );
  }

  private async complete(
    key: string,
    status: number,
    headers: Record<string, string>,
    body: unknown,
  ): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_keys SET state = 'completed', status_code = $2, response_headers = $3, response_body = $4
       WHERE key = $1`,
      [key, status, JSON.stringify(headers), JSON.stringify(body ?? null)],
    );
  }

  private async release(key: string): Promise<void> {
    await this.db.query(`DELETE FROM idempotency_keys WHERE key = $1 AND state = 'pending'`, [key]);
  }
}
