import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import pg from 'pg';
import type { Response } from 'supertest';
import type { RunningApp } from '../src/app.factory.js';
import { accountsApi } from './support/accounts-api.js';
import { startTestApp, testDatabaseUrl } from './support/test-app.js';

type Op = 'deposit' | 'withdraw';
type Action =
  | { kind: 'send'; op: Op; key: number | null; amount: number }
  | { kind: 'expire' | 'abandon' | 'lose-answer'; key: number };

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      op: fc.constantFrom<Op>('deposit', 'withdraw'),
      key: fc.option(fc.integer({ min: 0, max: 1 }), { freq: 4 }),
      // 0 is a 400; large withdrawals are refused (WithdrawalRejected, 422).
      amount: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1500 })),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('expire' as const, 'abandon' as const, 'lose-answer' as const),
      key: fc.integer({ min: 0, max: 1 }),
    }),
  },
);

/**
 * Any mix of commands under reused, expired and fresh Idempotency-Keys, with runs cut off before their answer
 * was stored: each command is stored once, each answer is what the store holds, and a 4xx stores nothing but
 * the documented WithdrawalRejected.
 */
describe('Idempotency-Key, as a property', () => {
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;
  let db: pg.Client;

  beforeAll(async () => {
    running = await startTestApp();
    api = accountsApi(running.app.getHttpServer());
    db = new pg.Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await running.close();
  });

  /** Sets a remembered key's row as the action leaves it; false when the key is not remembered. */
  async function age(kind: 'expire' | 'abandon' | 'lose-answer', key: string): Promise<boolean> {
    const set = {
      expire: `created_at = now() - interval '25 hours'`,
      // A process that died after its write, before storing the answer, 31 s ago.
      abandon: `state = 'pending', status_code = NULL, response_body = NULL, created_at = now() - interval '31 seconds'`,
      // A 5xx after the commit: the answer was lost, not the write.
      'lose-answer': `state = 'failed', status_code = NULL, response_body = NULL`,
    }[kind];
    const { rowCount } = await db.query(
      `UPDATE idempotency_keys SET ${set} WHERE key LIKE '% ' || $1`,
      [key],
    );
    return rowCount === 1;
  }

  it('stores every command once and answers each as stored', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 16 }), async (actions) => {
        const account = await api.open({ initialDeposit: 1000 });
        const keys = [0, 1].map(() => `prop-${randomUUID()}`);
        /** What each key is remembered with: the request it was first used for and the answer to it. */
        const remembered = new Map<number, { request: string; answer: Answer }>();
        /** The answer of every request that ran as a new command, with what it asked. */
        const commands: Array<{ op: Op; amount: number; answer: Answer }> = [];

        for (const step of actions) {
          if (step.kind !== 'send') {
            // Only a remembered key's row is there to age (an expired one stays until it is purged).
            if (!remembered.has(step.key)) continue;
            expect(await age(step.kind, keys[step.key])).toBe(true);
            if (step.kind === 'expire') remembered.delete(step.key);
            continue;
          }
          const path = `/accounts/${account.id}/${step.op === 'deposit' ? 'deposits' : 'withdrawals'}`;
          let call = api.http().post(path);
          if (step.key !== null) call = call.set('Idempotency-Key', keys[step.key]);
          const res: Response = await call.send({ amount: step.amount });
          const answer = { status: res.status, body: res.body as Record<string, unknown> };
          expect([201, 400, 422]).toContain(res.status);

          const request = `${step.op} ${step.amount}`;
          const earlier = step.key === null ? undefined : remembered.get(step.key);
          if (earlier && earlier.request === request) {
            expect(answer).toEqual(earlier.answer);
            continue;
          }
          if (earlier) {
            expect(answer.status).toBe(422);
            expect(answer.body.type).toBe('/problems/idempotency-key-reused');
            continue;
          }
          if (step.amount === 0) {
            expect(answer.status).toBe(400);
            continue;
          }
          expect(res.headers['idempotent-replayed']).toBeUndefined();
          commands.push({ op: step.op, amount: step.amount, answer });
          if (step.key !== null) remembered.set(step.key, { request, answer });
        }

        const events = await api.events(account.id);
        const byVersion = new Map(events.map((e) => [e.version, e]));
        const answered = commands.map(({ op, amount, answer }) => {
          const version = answer.body.version as number;
          const event = byVersion.get(version);
          if (answer.status === 201) {
            expect(event).toMatchObject({
              type: op === 'deposit' ? 'MoneyDeposited' : 'MoneyWithdrawn',
              data: { amount },
            });
          } else {
            expect(answer.body.type).toBe('/problems/insufficient-funds');
            expect(event).toMatchObject({ type: 'WithdrawalRejected', data: { amount } });
          }
          return version;
        });
        // Every event after the opening two is exactly one command's, and every command has its own.
        expect(new Set(answered).size).toBe(answered.length);
        expect([...answered].sort((a, b) => a - b)).toEqual(events.slice(2).map((e) => e.version));
      }),
      { numRuns: 20 },
    );
  });
});
