import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per application, never prom-client's global one: tests run several apps in one process. */
@Injectable()
export class Metrics implements OnModuleDestroy {
  readonly registry = new Registry();

  readonly eventsAppended = new Counter({
    name: 'chronicle_events_appended_total',
    help: 'Events this process appended to the store, by event type (idempotent retries not counted)',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly commandDuration = new Histogram({
    name: 'chronicle_command_duration_seconds',
    help: 'Time to execute a command through the CommandBus; outcome: ok, rejected (a DomainError) or error',
    labelNames: ['command', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** Recorded with the request's log line; route is the pattern, or `unmatched` (no label per unknown URL). */
  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern (unmatched: no route) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'chronicle_rate_limited_total',
    help: 'Requests refused 429 rate-limited, by the limit they went over: ip, principal or expensive',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  readonly rateLimitsUnenforced = new Counter({
    name: 'chronicle_rate_limit_unenforced_total',
    help: 'Rate-limit checks let through unchecked because Redis did not answer, by limit',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }
}
