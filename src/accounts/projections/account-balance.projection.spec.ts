import type { PersonalDataColumns } from '../../event-store/index.js';
import { foldRows, type ProjectedEvent } from '../../projections/index.js';
import { at, projectionSpecFor } from '../../projections/testing/entity-projection-spec.js';
import type { AccountEvent } from '../domain/account.events.js';
import { accountBalances, type BalanceRow, evolveBalance } from './account-balance.projection.js';
import type { AccountTransaction } from './account-transaction.entity.js';
import { statementLine } from './accounts.projection.js';

const balances = accountBalances({} as PersonalDataColumns);
const given = projectionSpecFor(balances);
const accountId = '6f1c2d3e-0000-4000-8000-000000000001';
const ownerId = '6f1c2d3e-0000-4000-8000-0000000000aa';
const opened: AccountEvent = {
  type: 'AccountOpened',
  data: { accountId, ownerName: 'Ada Lovelace', currency: 'EUR', ownerId },
};
const deposited = (amount: number): AccountEvent => ({
  type: 'MoneyDeposited',
  data: { accountId, amount, source: 'cash' },
});
const withdrawn = (amount: number): AccountEvent => ({
  type: 'MoneyWithdrawn',
  data: { accountId, amount },
});
const rejected = (amount: number): AccountEvent => ({
  type: 'WithdrawalRejected',
  data: { accountId, amount, reason: 'insufficient-funds', balance: 0 },
});

const row = {
  id: accountId,
  ownerName: null,
  openedAs: 'Ada Lovelace',
  currency: 'EUR',
  ownerId,
  openedAt: new Date('2026-12-01T10:00:00.000Z'),
};

describe('account_balances', () => {
  it('opens an account at zero with its name still to be sealed', () => {
    given([at(opened, 1, '2026-12-01T10:00:00.000Z')]).then([
      { ...row, balance: 0, version: 1, updatedAt: new Date('2026-12-01T10:00:00.000Z') },
    ]);
  });

  it('adds deposits, subtracts withdrawals and leaves the balance as it is on a refusal', () => {
    given([
      at(opened, 1, '2026-12-01T10:00:00.000Z'),
      at(deposited(500), 2, '2026-12-01T10:01:00.000Z'),
      at(withdrawn(200), 3, '2026-12-01T10:02:00.000Z'),
      at(rejected(900), 4, '2026-12-01T10:03:00.000Z'),
    ]).then([
      { ...row, balance: 300, version: 4, updatedAt: new Date('2026-12-01T10:03:00.000Z') },
    ]);
  });

  it('skips an event the row already reflects (a replayed batch changes nothing)', () => {
    given([
      at(opened, 1, '2026-12-01T10:00:00.000Z'),
      at(deposited(500), 2, '2026-12-01T10:01:00.000Z'),
      at(opened, 1, '2026-12-01T10:00:00.000Z'),
      at(deposited(500), 2, '2026-12-01T10:01:00.000Z'),
    ]).then([
      { ...row, balance: 500, version: 2, updatedAt: new Date('2026-12-01T10:01:00.000Z') },
    ]);
  });

  it('ignores money events of an account it never saw opened', () => {
    given([at(deposited(500), 2, '2026-12-01T10:01:00.000Z')]).then([]);
  });

  it('drops the name on an erasure', () => {
    given([
      at(opened, 1, '2026-12-01T10:00:00.000Z'),
      at(
        { type: 'PersonalDataErased', data: { accountId } } as AccountEvent,
        2,
        '2026-12-01T10:05:00.000Z',
      ),
    ]).then([
      {
        ...row,
        openedAs: undefined,
        balance: 0,
        version: 2,
        updatedAt: new Date('2026-12-01T10:05:00.000Z'),
      },
    ]);
  });
  it('drops a name already sealed (a stored row) on an erasure, and keeps the balance', () => {
    const stored: BalanceRow = {
      id: accountId,
      ownerName: Buffer.from('sealed under the account key'),
      ownerId,
      currency: 'EUR',
      balance: 700,
      version: 5,
      openedAt: new Date('2026-12-01T10:00:00.000Z'),
      updatedAt: new Date('2026-12-01T10:04:00.000Z'),
    };
    const erased = at(
      { type: 'PersonalDataErased', data: { accountId } } as AccountEvent,
      6,
      '2026-12-01T10:05:00.000Z',
    );

    expect(evolveBalance(stored, erased)).toEqual({
      ...stored,
      ownerName: null,
      version: 6,
      updatedAt: new Date('2026-12-01T10:05:00.000Z'),
    });
  });
});

describe('account_transactions', () => {
  /** The statement lines the balances' fold yields, from empty tables. */
  const linesOf = (events: ReadonlyArray<ProjectedEvent<AccountEvent>>) => {
    const lines: AccountTransaction[] = [];
    foldRows({
      projection: balances,
      rows: new Map<string, BalanceRow | null>(),
      events,
      changed: new Set(),
      onEvolved: (event, before, after) => {
        const line = statementLine(event, before, after);
        if (line) lines.push(line);
      },
    });
    return lines;
  };

  it('writes a line with the balance after it for each money event the balance applied, refusals included', () => {
    const described: AccountEvent = {
      type: 'MoneyDeposited',
      data: { accountId, amount: 500, source: 'cash', description: 'Salary' },
    };
    expect(
      linesOf([
        at(opened, 1, '2026-12-01T10:00:00.000Z', 11),
        at(described, 2, '2026-12-01T10:01:00.000Z', 12),
        at(withdrawn(200), 3, '2026-12-01T10:02:00.000Z', 13),
        at(rejected(900), 4, '2026-12-01T10:03:00.000Z', 14),
        at(described, 2, '2026-12-01T10:01:00.000Z', 12),
      ]),
    ).toEqual([
      {
        accountId,
        streamVersion: 2,
        globalPosition: 12,
        kind: 'deposit',
        amount: 500,
        balanceAfter: 500,
        description: 'Salary',
        recordedAt: new Date('2026-12-01T10:01:00.000Z'),
      },
      {
        accountId,
        streamVersion: 3,
        globalPosition: 13,
        kind: 'withdrawal',
        amount: 200,
        balanceAfter: 300,
        description: null,
        recordedAt: new Date('2026-12-01T10:02:00.000Z'),
      },
      {
        accountId,
        streamVersion: 4,
        globalPosition: 14,
        kind: 'rejected-withdrawal',
        amount: 900,
        balanceAfter: 300,
        description: null,
        recordedAt: new Date('2026-12-01T10:03:00.000Z'),
      },
    ]);
  });

  it('writes none for a money event on an account never opened', () => {
    expect(linesOf([at(deposited(500), 2, '2026-12-01T10:01:00.000Z')])).toEqual([]);
  });
});
