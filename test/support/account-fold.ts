import type { NewEvent, Queryable } from '../../src/event-store/index.js';

/** An account's stream of `length` events: opened, then deposits, every `withdrawEvery`-th a withdrawal instead. */
export function accountLife(
  accountId: string,
  {
    owner,
    length,
    withdrawEvery,
    withdrawal,
  }: {
    owner: string;
    length: number;
    withdrawEvery: number;
    withdrawal: number;
  },
): NewEvent[] {
  const events: NewEvent[] = [
    { type: 'AccountOpened', data: { accountId, ownerName: owner, currency: 'EUR' } },
  ];
  for (let i = 1; i < length; i++) {
    events.push(
      i % withdrawEvery === 0
        ? { type: 'MoneyWithdrawn', data: { accountId, amount: withdrawal } }
        : { type: 'MoneyDeposited', data: { accountId, amount: 100 + i, source: 'cash' } },
    );
  }
  return events;
}

/** One row of the `events` table, as the tests fold it. */
export interface LoggedEvent {
  eventId: string;
  streamId: string;
  streamVersion: number;
  position: number;
  transactionId: string;
  type: string;
  data: Record<string, unknown>;
  recordedAt: Date;
}

export interface BalanceRow {
  id: string;
  currency: string;
  balance: number;
  version: number;
}

export interface StatementRow {
  accountId: string;
  streamVersion: number;
  position: number;
  kind: string;
  amount: number;
  balanceAfter: number;
}

export interface AccountsModel {
  balances: BalanceRow[];
  lines: StatementRow[];
}

export interface DailyVolumeRow {
  day: string;
  currency: string;
  depositCount: number;
  depositSum: number;
  withdrawalCount: number;
  withdrawalSum: number;
  rejectedCount: number;
}

const KIND: Record<string, { kind: string; sign: number }> = {
  MoneyDeposited: { kind: 'deposit', sign: 1 },
  MoneyWithdrawn: { kind: 'withdrawal', sign: -1 },
  WithdrawalRejected: { kind: 'rejected-withdrawal', sign: 0 },
};

/** The whole log, in global position order. */
export async function readLog(db: Queryable): Promise<LoggedEvent[]> {
  const { rows } = await db.query(
    `SELECT event_id, stream_id, stream_version, global_position, transaction_id::text AS transaction_id,
       type, data, recorded_at FROM events ORDER BY global_position`,
  );
  return rows.map((r: Record<string, unknown>) => ({
    eventId: r.event_id as string,
    streamId: r.stream_id as string,
    streamVersion: r.stream_version as number,
    position: Number(r.global_position),
    transactionId: r.transaction_id as string,
    type: r.type as string,
    data: r.data as Record<string, unknown>,
    recordedAt: r.recorded_at as Date,
  }));
}

const byStreamVersion = (a: LoggedEvent, b: LoggedEvent) =>
  a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : a.streamVersion - b.streamVersion;

/** Balances and statement lines as a fold of the log from scratch, each stream in version order. */
export function foldAccounts(log: readonly LoggedEvent[]): AccountsModel {
  const accounts = new Map<string, BalanceRow>();
  const lines: StatementRow[] = [];
  for (const event of [...log].sort(byStreamVersion)) {
    const accountId = event.data.accountId as string;
    if (event.type === 'AccountOpened') {
      if (!accounts.has(accountId)) {
        const currency = event.data.currency as string;
        accounts.set(accountId, {
          id: accountId,
          currency,
          balance: 0,
          version: event.streamVersion,
        });
      }
      continue;
    }
    const account = accounts.get(accountId);
    if (!account) continue;
    account.version = event.streamVersion;
    const money = KIND[event.type];
    if (!money) continue;
    const amount = event.data.amount as number;
    account.balance += money.sign * amount;
    lines.push({
      accountId,
      streamVersion: event.streamVersion,
      position: event.position,
      kind: money.kind,
      amount,
      balanceAfter: account.balance,
    });
  }
  return sortAccountsModel({ balances: [...accounts.values()], lines });
}

/** The accounts read model as stored. */
export async function readAccountsModel(db: Queryable): Promise<AccountsModel> {
  const balances = await db.query(
    'SELECT id, currency, balance::bigint AS balance, version FROM account_balances',
  );
  const lines = await db.query(
    `SELECT account_id, stream_version, global_position, kind, amount, balance_after
     FROM account_transactions`,
  );
  return sortAccountsModel({
    balances: balances.rows.map((r: Record<string, unknown>) => ({
      id: r.id as string,
      currency: r.currency as string,
      balance: Number(r.balance),
      version: r.version as number,
    })),
    lines: lines.rows.map((r: Record<string, unknown>) => ({
      accountId: r.account_id as string,
      streamVersion: r.stream_version as number,
      position: Number(r.global_position),
      kind: r.kind as string,
      amount: Number(r.amount),
      balanceAfter: Number(r.balance_after),
    })),
  });
}

function sortAccountsModel(model: AccountsModel): AccountsModel {
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    balances: [...model.balances].sort((a, b) => compare(a.id, b.id)),
    lines: [...model.lines].sort(
      (a, b) => compare(a.accountId, b.accountId) || a.streamVersion - b.streamVersion,
    ),
  };
}

/** The balance and version of one account after its events up to `version`. */
export function foldAccountAt(
  log: readonly LoggedEvent[],
  accountId: string,
  version: number,
): { balance: number; version: number } {
  const upTo = log.filter((e) => e.data.accountId === accountId && e.streamVersion <= version);
  const balance = upTo
    .filter((e) => e.type in KIND)
    .reduce((sum, e) => sum + KIND[e.type].sign * (e.data.amount as number), 0);
  return { balance, version: Math.max(0, ...upTo.map((e) => e.streamVersion)) };
}

/** Daily volume per (UTC day, currency) as a fold of the log from scratch. */
export function foldDailyVolume(log: readonly LoggedEvent[]): DailyVolumeRow[] {
  const currencies = new Map<string, string>();
  for (const e of log) {
    if (e.type === 'AccountOpened')
      currencies.set(e.data.accountId as string, e.data.currency as string);
  }
  const rows = new Map<string, DailyVolumeRow>();
  for (const e of log) {
    if (!(e.type in KIND)) continue;
    const day = e.recordedAt.toISOString().slice(0, 10);
    const currency = currencies.get(e.data.accountId as string)!;
    const key = `${day} ${currency}`;
    const row = rows.get(key) ?? {
      day,
      currency,
      depositCount: 0,
      depositSum: 0,
      withdrawalCount: 0,
      withdrawalSum: 0,
      rejectedCount: 0,
    };
    rows.set(key, row);
    const amount = e.data.amount as number;
    if (e.type === 'MoneyDeposited') {
      row.depositCount += 1;
      row.depositSum += amount;
    } else if (e.type === 'MoneyWithdrawn') {
      row.withdrawalCount += 1;
      row.withdrawalSum += amount;
    } else {
      row.rejectedCount += 1;
    }
  }
  return [...rows.values()].sort((a, b) =>
    `${a.day} ${a.currency}` < `${b.day} ${b.currency}` ? -1 : 1,
  );
}

export async function readDailyVolume(db: Queryable): Promise<DailyVolumeRow[]> {
  const { rows } = await db.query(
    `SELECT day::text AS day, currency, deposit_count, deposit_sum::bigint AS deposit_sum, withdrawal_count,
       withdrawal_sum::bigint AS withdrawal_sum, rejected_count
     FROM account_daily_volume ORDER BY day, currency`,
  );
  return rows.map((r: Record<string, unknown>) => ({
    day: r.day as string,
    currency: r.currency as string,
    depositCount: r.deposit_count as number,
    depositSum: Number(r.deposit_sum),
    withdrawalCount: r.withdrawal_count as number,
    withdrawalSum: Number(r.withdrawal_sum),
    rejectedCount: r.rejected_count as number,
  }));
}
