import { createHash, createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { timeOrderedUuid } from '../event-store/index.js';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { accessOf } from '../identity/access.guard.js';
import { principalKey } from '../identity/principal.js';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { isDatabaseUnavailable } from '../database/database-errors.js';
import { HttpProblem, ReplayedResponse } from './problem.js';
import { claimCommand, header } from './request-context.js';

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

interface Fingerprints {
  keyed: string;
  accepted: string[];
}

interface StoredKey {
  request_hash: string;
  state: 'pending' | 'completed' | 'failed';
  status_code: number | null;
  response_headers: Record<string, string> | null;
  response_body: unknown;
}

/** A claim left pending this long is taken to be a process that died mid-request: its retry may run. */
const ABANDONED_AFTER_SECONDS = 30;
/** Fingerprints from before they were keyed are plain SHA-256 hex; they compare until they expire. */
const FINGERPRINT_PREFIX = 'h1:';

/**
 * Keys are the caller's own: stored as `<principal key> <key>` (a hash of subject and client), so two principals
 * using the same key never see each other's answers (a key cannot hold a space).
 */
function scopedKey(request: Request, key: string): string {
  return `${accessOf(request)?.principal.key ?? principalKey('')} ${key}`;
}

/**
 * Idempotency-Key on a command: the same key and request replays the stored response, another request gets 422.
 * Only a retry after a 5xx or a crash reuses the claim's command id, so the store recognises what that run stored.
 * A guard (not an interceptor: see HttpModule) that claims the key once the caller is known and the database budget
 * set, and remembers the answer as it is sent (`settleOnAnswer`). See docs/architecture.md#http-idempotency.
 */
@Injectable()
export class IdempotencyGuard implements CanActivate {
  private readonly logger = new Logger('Idempotency');
  /**
   * Keyed so that a stored fingerprint cannot be matched against a guessed body (a name, an address). One key per
   * master key: the current one fingerprints, the previous ones still recognise requests remembered before a rotation.
   */
  private readonly fingerprintKeys: KeyObject[];

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.fingerprintKeys = [config.masterKey.key, ...config.masterKey.previous].map((master) =>
      createSecretKey(
        Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'chronicle/idempotency', 32)),
      ),
    );
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    if (!COMMAND_METHODS.has(request.method)) return true;
    const given = header(request, 'idempotency-key');
    if (given === undefined) return true;
    return this.claimFor(request, http.getResponse<Response>(), given);
  }

  private async claimFor(request: Request, response: Response, given: string): Promise<boolean> {
    const key = scopedKey(request, given);
    const commandId = await this.claim(key, this.fingerprints(request));
    claimCommand(request, commandId);
    this.settleOnAnswer(response, key, commandId);
    return true;
  }

  /**
   * The claim's outcome is the answer, remembered as it is sent, whoever sends it: the route's reply or a problem
   * (ProblemFilter, the database budget). A 2xx or a 4xx is stored before it goes out, so a retry that follows it
   * replays it; a 400 (the request itself is wrong: nothing ran) frees the key. A 5xx goes out at once, the key marked
   * failed behind it: the database may be what failed, and the answer must not wait for it.
   */
  private settleOnAnswer(response: Response, key: string, commandId: string): void {
    const send = response.send.bind(response);
    response.send = (body?: unknown) => {
      response.send = send;
      const status = response.statusCode;
      const text = typeof body === 'string' ? body : body === undefined ? 'null' : String(body);
      if (status >= 500) {
        void this.fail(key, commandId);
        return send(body);
      }
      const stored =
        status === 400
          ? this.release(key, commandId)
          : this.complete(key, commandId, status, this.replayedHeaders(response, status), text);
      void stored.then(() => {
        // Unless the budget ran out meanwhile and answered 503.
        if (!response.headersSent) send(body);
      });
      return response;
    };
  }

  private replayedHeaders(response: Response, status: number): Record<string, string> {
    if (status >= 400) return { 'content-type': 'application/problem+json' };
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = response.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    return { ...headers, 'content-type': 'application/json' };
  }

  /** `keyed` is stored; `accepted` recognises it under every master key, and the unkeyed legacy form. */
  private fingerprints(request: Request): Fingerprints {
    const text = `${request.method} ${request.path}\n${canonical(request.body ?? null)}`;
    const keyed = this.fingerprintKeys.map(
      (key) => FINGERPRINT_PREFIX + createHmac('sha256', key).update(text).digest('hex'),
    );
    return {
      keyed: keyed[0],
      accepted: [...keyed, createHash('sha256').update(text).digest('hex')],
    };
  }

  /**
   * Takes the key for this request and answers the command id it runs under, or throws what the client must see
   * instead. A key past its TTL is a new command; a retry of a failed or abandoned run of the same request keeps
   * that run's command id.
   */
  private async claim(key: string, fingerprint: Fingerprints): Promise<string> {
    const claimed = (await this.db.query(
      `INSERT INTO idempotency_keys (key, request_hash, state, command_id) VALUES ($1, $2, 'pending', $4)
       ON CONFLICT (key) DO UPDATE SET
         command_id = CASE
           WHEN idempotency_keys.created_at < now() - make_interval(hours => $3) OR idempotency_keys.command_id IS NULL
           THEN EXCLUDED.command_id ELSE idempotency_keys.command_id END,
         request_hash = EXCLUDED.request_hash, state = 'pending', status_code = NULL, response_headers = NULL,
         response_body = NULL, created_at = now()
       WHERE idempotency_keys.created_at < now() - make_interval(hours => $3)
          OR (idempotency_keys.request_hash = ANY($5::text[])
              AND (idempotency_keys.state = 'failed'
                   OR (idempotency_keys.state = 'pending'
                       AND idempotency_keys.created_at < now() - make_interval(secs => $6))))
       RETURNING command_id`,
      [
        key,
        fingerprint.keyed,
        this.config.idempotencyTtlHours,
        timeOrderedUuid(), // its events' ids are then time-ordered too (commandEventId)
        fingerprint.accepted,
        ABANDONED_AFTER_SECONDS,
      ],
    )) as Array<{ command_id: string }>;
    if (claimed.length > 0) return claimed[0].command_id;
    const [stored] = (await this.db.query(
      'SELECT request_hash, state, status_code, response_headers, response_body FROM idempotency_keys WHERE key = $1',
      [key],
    )) as StoredKey[];
    if (!stored) return this.claim(key, fingerprint);
    if (!fingerprint.accepted.includes(stored.request_hash)) {
      throw new HttpProblem({
        status: 422,
        code: 'idempotency-key-reused',
        detail: 'This Idempotency-Key was already used with a different request',
      });
    }
    if (stored.state !== 'completed') {
      throw new HttpProblem({
        status: 409,
        code: 'idempotency-key-in-progress',
        detail: 'A request with this Idempotency-Key is still being processed',
        headers: { 'Retry-After': '1' },
      });
    }
    throw new ReplayedResponse(
      stored.status_code ?? 200,
      stored.response_body,
      stored.response_headers ?? {},
    );
  }

  /** The answer is the truth even when it cannot be remembered: the key stays pending and a retry finds the run. */
  private async complete(
    key: string,
    commandId: string,
    status: number,
    headers: Record<string, string>,
    /** The JSON text sent. */
    body: string,
  ): Promise<void> {
    await this.remember(
      `UPDATE idempotency_keys SET state = 'completed', status_code = $3, response_headers = $4, response_body = $5
       WHERE key = $1 AND command_id = $2 AND state = 'pending'`,
      [key, commandId, status, JSON.stringify(headers), body],
    );
  }

  /** A 5xx may have stored the command (the answer was lost, not the write): its retry runs under the same id. */
  private async fail(key: string, commandId: string): Promise<void> {
    await this.remember(
      `UPDATE idempotency_keys SET state = 'failed' WHERE key = $1 AND command_id = $2 AND state = 'pending'`,
      [key, commandId],
    );
  }

  private async release(key: string, commandId: string): Promise<void> {
    await this.remember(
      `DELETE FROM idempotency_keys WHERE key = $1 AND command_id = $2 AND state = 'pending'`,
      [key, commandId],
    );
  }

  private async remember(sql: string, parameters: unknown[]): Promise<void> {
    try {
      await this.db.query(sql, parameters);
    } catch (error) {
      const line = `Idempotency-Key outcome not stored (a retry after ${ABANDONED_AFTER_SECONDS} s runs under the same command id): ${
        error instanceof Error ? error.message : String(error)
      }`;
      // During an outage DatabaseHealth logs once; a line per request in flight would drown it.
      if (isDatabaseUnavailable(error)) this.logger.debug(line);
      else this.logger.warn(line);
    }
  }
}
