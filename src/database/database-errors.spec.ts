import {
  DatabaseUnavailable,
  describeDatabaseError,
  isDatabaseUnavailable,
} from './database-errors.js';
import { QueryRunnerAlreadyReleasedError } from 'typeorm';
import { sessionOptions } from './database.options.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['the request ran out of its budget', new DatabaseUnavailable('no answer')],
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', withCode('ECONNRESET')],
    ['the server ended it', new Error('Connection terminated unexpectedly')],
    ['a connect timeout', new Error('Connection terminated due to connection timeout')],
    ['waiting for a pooled connection', new Error('timeout exceeded when trying to connect')],
    ['a client-side query timeout', new Error('Query read timeout')],
    ['administrator shutdown', withCode('57P01')],
    ['the server is starting up or shutting down', withCode('57P03')],
    ['a statement timeout', withCode('57014', 'canceling statement due to statement timeout')],
    ['idle in transaction too long', withCode('25P03')],
    ['too many connections', withCode('53300')],
    ['a connection exception (08006)', withCode('08006')],
    [
      'TypeORM wrapping the driver',
      Object.assign(new Error('query failed'), { driverError: withCode('57P01') }),
    ],
    ['an error with a cause', new Error('outer', { cause: withCode('ECONNREFUSED') })],
    [
      'the next query of a transaction whose connection failed',
      new QueryRunnerAlreadyReleasedError(),
    ],
    [
      'every address refused',
      Object.assign(new AggregateError([withCode('ECONNREFUSED')]), { code: undefined }),
    ],
  ])('%s: yes', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a lock timeout the code handles itself', withCode('55P03')],
    ['a syntax error', withCode('42601')],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error', 'Connection terminated'],
    ['nothing', undefined],
  ])('%s: no', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('describes an error in one line, its SQLSTATE included', () => {
    expect(
      describeDatabaseError(
        Object.assign(new Error('query failed'), {
          driverError: withCode('57P01', 'terminating connection due to administrator command'),
        }),
      ),
    ).toBe('terminating connection due to administrator command (57P01)');
  });
});

describe('sessionOptions', () => {
  it('sets every timeout, and a client-side bound past the statement timeout', () => {
    expect(
      sessionOptions({
        connectTimeoutMs: 2000,
        statementTimeoutMs: 30000,
        idleInTransactionTimeoutMs: 60000,
      }),
    ).toMatchObject({
      connectionTimeoutMillis: 2000,
      statement_timeout: 30000,
      query_timeout: 35000,
      idle_in_transaction_session_timeout: 60000,
      keepAlive: true,
    });
  });

  it('0: no server-side timeout and no client-side bound on statements (migrations, the CLI)', () => {
    const options = sessionOptions({
      connectTimeoutMs: 5000,
      statementTimeoutMs: 0,
      idleInTransactionTimeoutMs: 0,
    });
    expect(options).not.toHaveProperty('statement_timeout');
    expect(options).not.toHaveProperty('query_timeout');
    expect(options).not.toHaveProperty('idle_in_transaction_session_timeout');
  });
});
