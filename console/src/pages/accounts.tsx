import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AlignedData } from 'uplot';
import { describe, get, money, query, shortTime } from '../api';
import { Chart } from '../chart';
import { href, navigate } from '../router';

interface Account {
  id: string;
  ownerName: string;
  currency: string;
  balance: number;
  version: number;
  openedAt: string;
  updatedAt: string;
  /** Time travel only: when the event at `version` was recorded. */
  recordedAt?: string;
}

interface HistoryLine {
  version: number;
  position: number;
  type: string;
  amount: number;
  balanceAfter: number;
  reason?: string;
  source?: string;
  description?: string;
  recordedAt: string;
}

/** Open an account by id. */
export function AccountsPage() {
  const [id, setId] = useState('');
  return (
    <>
      <h1>Accounts</h1>
      <form
        class="search"
        onSubmit={(event) => {
          event.preventDefault();
          if (id.trim()) navigate(['accounts', id.trim()]);
        }}
      >
        <label>
          Account id
          <input
            type="text"
            value={id}
            size={40}
            spellcheck={false}
            onInput={(e) => setId(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Open</button>
      </form>
    </>
  );
}

/** At most this many history lines are charted (100 a page). */
const HISTORY_CAP = 5000;

async function wholeHistory(accountId: string): Promise<HistoryLine[]> {
  const lines: HistoryLine[] = [];
  let fromVersion: number | null = 1;
  while (fromVersion !== null && lines.length < HISTORY_CAP) {
    const page: { items: HistoryLine[]; nextFromVersion: number | null } = await get(
      `/accounts/${encodeURIComponent(accountId)}/history${query({ fromVersion, limit: 100 })}`,
    );
    lines.push(...page.items);
    fromVersion = page.nextFromVersion ?? null;
  }
  return lines;
}

const balanceText = (account: Account, at: string) =>
  `Balance as of ${new Date(at).toISOString()}: ${money(account.balance, account.currency)} ${account.currency}`;

/**
 * An account through time: its balance as a chart from /history (rejected withdrawals marked), and a slider over its
 * versions that reads the account as it was (GET /accounts/{id}?atVersion=).
 */
export function AccountPage({ accountId }: { accountId: string }) {
  const [account, setAccount] = useState<Account | null>(null);
  const [history, setHistory] = useState<HistoryLine[]>([]);
  const [error, setError] = useState('');
  const [version, setVersion] = useState(0);
  const [asOf, setAsOf] = useState<Account | null>(null);
  const [travelError, setTravelError] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const asked = useRef(0);

  useEffect(() => {
    let current = true;
    setAccount(null);
    setAsOf(null);
    setError('');
    Promise.all([
      get<Account>(`/accounts/${encodeURIComponent(accountId)}`),
      wholeHistory(accountId),
    ])
      .then(([loaded, lines]) => {
        if (!current) return;
        setAccount(loaded);
        setHistory(lines);
        setVersion(loaded.version);
        setAsOf({ ...loaded, recordedAt: lines.at(-1)?.recordedAt ?? loaded.updatedAt });
      })
      .catch((failure) => current && setError(describe(failure)));
    return () => {
      current = false;
    };
  }, [accountId]);

  const travel = (to: number) => {
    setVersion(to);
    clearTimeout(timer.current);
    const ask = ++asked.current;
    timer.current = setTimeout(() => {
      get<Account>(`/accounts/${encodeURIComponent(accountId)}${query({ atVersion: to })}`)
        .then((then) => {
          if (ask !== asked.current) return;
          setTravelError('');
          setAsOf(then);
        })
        .catch((failure) => ask === asked.current && setTravelError(describe(failure)));
    }, 200);
  };
  useEffect(() => () => clearTimeout(timer.current), []);

  const rejected = history.filter((line) => line.type === 'WithdrawalRejected');
  const chart = useMemo(() => {
    const currency = account?.currency ?? 'EUR';
    const x = history.map((line) => new Date(line.recordedAt).getTime() / 1000);
    const balance = history.map((line) => Number(money(line.balanceAfter, currency)));
    const marks = history.map((line) =>
      line.type === 'WithdrawalRejected' ? Number(money(line.balanceAfter, currency)) : null,
    );
    return {
      data: [x, balance, marks] as AlignedData,
      rows: history.map((line) => [
        shortTime(line.recordedAt),
        line.version,
        line.type === 'WithdrawalRejected'
          ? `WithdrawalRejected (${money(line.amount, currency)} refused: ${line.reason ?? ''})`
          : line.type,
        money(line.balanceAfter, currency),
      ]),
    };
  }, [history, account?.currency]);

  if (error)
    return (
      <>
        <p>
          <a href={href(['accounts'])}>Accounts</a>
        </p>
        <p role="alert">{error}</p>
      </>
    );
  if (!account) return <p aria-live="polite">Loading the account…</p>;
  const line = history.find((l) => l.version === version);

  return (
    <>
      <p>
        <a href={href(['accounts'])}>Accounts</a>
      </p>
      <h1>
        {account.ownerName || 'Account'} <span class="mono muted">{account.id}</span>
      </h1>
      <p>
        Now:{' '}
        <strong>
          {money(account.balance, account.currency)} {account.currency}
        </strong>{' '}
        at version {account.version}, opened {shortTime(account.openedAt)}.
      </p>

      <Chart
        label="Balance over time"
        options={{
          scales: { x: { time: true } },
          series: [
            {},
            {
              label: `Balance (${account.currency})`,
              stroke: '#2c5282',
              width: 2,
              fill: 'rgba(44,82,130,0.08)',
            },
            {
              label: 'Rejected withdrawal',
              stroke: '#c53030',
              fill: '#c53030',
              paths: () => null,
              points: { show: true, size: 11, fill: '#c53030', stroke: '#c53030' },
            },
          ],
        }}
        data={chart.data}
        table={{
          columns: ['Recorded', 'Version', 'Event', `Balance (${account.currency})`],
          rows: chart.rows,
        }}
      />

      <section class="travel" aria-labelledby="travel-heading">
        <h2 id="travel-heading">The account as it was</h2>
        <label for="time-travel">Time travel</label>
        <input
          id="time-travel"
          type="range"
          min={1}
          max={account.version}
          step={1}
          value={version}
          aria-valuetext={`Version ${version} of ${account.version}${line ? `, ${line.type} at ${shortTime(line.recordedAt)}` : ''}`}
          onInput={(e) => travel(Number(e.currentTarget.value))}
        />
        <span class="muted">
          version {version} of {account.version}
          {line ? ` (${line.type})` : ''}
        </span>
        <p role="status" aria-label="Balance as of" class="as-of">
          {asOf ? balanceText(asOf, asOf.recordedAt ?? asOf.updatedAt) : ''}
        </p>
        {travelError && <p role="alert">{travelError}</p>}
      </section>

      <section aria-labelledby="rejected-heading">
        <h2 id="rejected-heading">Rejected withdrawals</h2>
        {rejected.length === 0 ? (
          <p>None.</p>
        ) : (
          <ul aria-labelledby="rejected-heading" class="rejected">
            {rejected.map((r) => (
              <li key={r.version}>
                Version {r.version}, {shortTime(r.recordedAt)}: {money(r.amount, account.currency)}{' '}
                {account.currency} refused ({r.reason ?? 'rejected'}); balance stayed{' '}
                {money(r.balanceAfter, account.currency)}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
