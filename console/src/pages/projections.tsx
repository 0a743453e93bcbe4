import { useEffect, useMemo, useState } from 'preact/hooks';
import type { AlignedData } from 'uplot';
import { ApiError, describe, get, post, shortTime } from '../api';
import { Chart, PALETTE } from '../chart';
import { isAdmin, type Claims } from '../session';

interface ProjectionStatus {
  name: string;
  status: string;
  checkpoint: { transactionId: string; position: number };
  headPosition: number;
  lagEvents: number;
  lagMs: number;
  processed: number;
  lastError: string | null;
  rebuild: { checkpoint: { position: number }; startedAt: string } | null;
  horizonHeldBy: { pid: number; since: string; state?: string } | null;
}

interface DeadLetter {
  id: number;
  eventId: string;
  position: number;
  eventType: string;
  error: string;
  attempts: number;
  failedAt: string;
  resolution: 'retried' | 'skipped' | null;
  resolvedAt: string | null;
}

interface LagHistory {
  intervalMs: number;
  projections: {
    name: string;
    samples: { at: string; lagEvents: number; lagMs: number; position: number }[];
  }[];
}

/** While a rebuild is followed: how far it got (0..1) and the status it reports. */
interface Followed {
  progress: number;
  status: string;
}

const POLL_MS = 2000;
const REBUILD_POLL_MS = 500;

/**
 * The read side: each projection's status, checkpoint and lag (polled), its lag over the last minutes (this
 * instance's samples), the read-horizon holder, rebuilds with a progress bar, dead letters with retry and skip.
 */
export function ProjectionsPage({ claims }: { claims: Claims }) {
  const admin = isAdmin(claims);
  const [projections, setProjections] = useState<ProjectionStatus[] | null>(null);
  const [lag, setLag] = useState<LagHistory | null>(null);
  const [lagError, setLagError] = useState('');
  const [error, setError] = useState('');
  const [followed, setFollowed] = useState<Record<string, Followed>>({});
  const [dead, setDead] = useState<Record<string, DeadLetter[]>>({});
  const [message, setMessage] = useState('');
  const rebuilding = Object.entries(followed).some(([, f]) => f.status !== 'live');

  const refresh = async () => {
    try {
      const answer = await get<{ projections: ProjectionStatus[] }>('/admin/projections');
      setProjections(answer.projections);
      setError('');
      setFollowed((current) => {
        const next = { ...current };
        for (const p of answer.projections)
          if (next[p.name] && next[p.name].status !== 'live') {
            const progress = p.rebuild
              ? p.headPosition > 0
                ? Math.min(1, p.rebuild.checkpoint.position / p.headPosition)
                : 0
              : p.status === 'live'
                ? 1
                : next[p.name].progress;
            next[p.name] = { progress, status: p.status };
          }
        return next;
      });
    } catch (failure) {
      setError(describe(failure));
    }
  };

  const refreshLag = async () => {
    try {
      setLag(await get<LagHistory>('/admin/projections/lag-history'));
      setLagError('');
    } catch (failure) {
      setLagError(describe(failure));
    }
  };

  const refreshDeadLetters = async (names: string[]) => {
    const entries = await Promise.all(
      names.map(async (name) => {
        try {
          return [
            name,
            await get<DeadLetter[]>(`/admin/projections/${encodeURIComponent(name)}/dead-letters`),
          ] as const;
        } catch {
          return [name, []] as const;
        }
      }),
    );
    setDead(Object.fromEntries(entries.filter(([, letters]) => letters.length > 0)));
  };

  useEffect(() => {
    void refresh();
    void refreshLag();
    const status = setInterval(() => void refresh(), rebuilding ? REBUILD_POLL_MS : POLL_MS);
    const lagTimer = setInterval(() => void refreshLag(), 5000);
    return () => {
      clearInterval(status);
      clearInterval(lagTimer);
    };
    // Poll faster while a rebuild is followed.
  }, [rebuilding]);

  const names = projections?.map((p) => p.name).join(',') ?? '';
  useEffect(() => {
    if (names) void refreshDeadLetters(names.split(','));
  }, [names]);

  const rebuild = async (name: string) => {
    setMessage('');
    try {
      await post(`/admin/projections/${encodeURIComponent(name)}/rebuild`);
      setFollowed((current) => ({ ...current, [name]: { progress: 0, status: 'rebuilding' } }));
    } catch (failure) {
      setMessage(`Rebuild ${name}: ${describe(failure)}`);
    }
  };

  const resolve = async (name: string, action: 'retry' | 'skip', position: number) => {
    setMessage('');
    try {
      await post(
        `/admin/projections/${encodeURIComponent(name)}/${action}`,
        action === 'skip' ? { position } : undefined,
      );
      setMessage(`${name}: ${action === 'skip' ? `skipped the event at ${position}` : 'retrying'}`);
      await Promise.all([refresh(), refreshDeadLetters([name])]);
    } catch (failure) {
      setMessage(
        `${name} ${action}: ${failure instanceof ApiError ? failure.message : describe(failure)}`,
      );
    }
  };

  const chart = useMemo(() => {
    const series = lag?.projections ?? [];
    const times = [...new Set(series.flatMap((p) => p.samples.map((s) => s.at)))].sort();
    const index = new Map(times.map((t, i) => [t, i]));
    const values = series.map((p) => {
      const column: (number | null)[] = times.map(() => null);
      for (const sample of p.samples) column[index.get(sample.at)!] = sample.lagEvents;
      return column;
    });
    return {
      names: series.map((p) => p.name),
      data: [times.map((t) => new Date(t).getTime() / 1000), ...values] as AlignedData,
      rows: times.map((t, i) => [shortTime(t), ...values.map((column) => column[i] ?? '')]),
    };
  }, [lag]);

  return (
    <>
      <h1>Projections</h1>
      {error && <p role="alert">{error}</p>}
      {message && <p role="alert">{message}</p>}
      {projections && (
        <table>
          <caption>Projections</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Checkpoint</th>
              <th scope="col">Head</th>
              <th scope="col">Lag (events)</th>
              <th scope="col">Lag (ms)</th>
              <th scope="col">Read horizon held by</th>
              {admin && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {projections.map((p) => (
              <tr key={p.name}>
                <th scope="row">{p.name}</th>
                <td>
                  <span class={`badge status-${p.status}`}>{p.status}</span>
                  {p.lastError && <div class="error small">{p.lastError}</div>}
                </td>
                <td class="num">{p.checkpoint.position}</td>
                <td class="num">{p.headPosition}</td>
                <td class="num">{p.lagEvents}</td>
                <td class="num">{p.lagMs}</td>
                <td>
                  {p.horizonHeldBy
                    ? `pid ${p.horizonHeldBy.pid} since ${shortTime(p.horizonHeldBy.since)}${p.horizonHeldBy.state ? ` (${p.horizonHeldBy.state})` : ''}`
                    : 'nobody'}
                </td>
                {admin && (
                  <td>
                    <button
                      type="button"
                      aria-label={`Rebuild ${p.name}`}
                      disabled={p.status === 'rebuilding'}
                      onClick={() => void rebuild(p.name)}
                    >
                      Rebuild
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {Object.keys(followed).length > 0 && (
        <section aria-labelledby="rebuilds-heading">
          <h2 id="rebuilds-heading">Rebuilds</h2>
          <ul class="rebuilds">
            {Object.entries(followed).map(([name, f]) => (
              <li key={name}>
                <span class="rebuild-name">{name}</span>
                <progress aria-label={`Rebuild progress ${name}`} max={1} value={f.progress} />
                <span class="num">{Math.round(f.progress * 100)}%</span>
                <span
                  role="status"
                  aria-label={`Rebuild status ${name}`}
                  class={`badge status-${f.status}`}
                >
                  {f.status}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      {lag ? (
        <Chart
          label="Lag over the last minutes"
          options={{
            scales: { x: { time: true } },
            series: [
              {},
              ...chart.names.map((name, i) => ({
                label: name,
                stroke: PALETTE[i % PALETTE.length],
                width: 1.5,
                spanGaps: true,
              })),
            ],
          }}
          data={chart.data}
          table={{
            columns: ['Time', ...chart.names.map((n) => `${n} lag (events)`)],
            rows: chart.rows,
          }}
        />
      ) : (
        lagError && <p role="alert">Lag history: {lagError}</p>
      )}
      {lag && (
        <p class="muted small">
          Samples every {lag.intervalMs / 1000} s from the instance that answered, kept 15 minutes
          in its memory.
        </p>
      )}

      <section aria-labelledby="dead-heading">
        <h2 id="dead-heading">Dead letters</h2>
        {Object.keys(dead).length === 0 && <p>No dead letters.</p>}
        {Object.entries(dead).map(([name, letters]) => (
          <table key={name}>
            <caption>Dead letters {name}</caption>
            <thead>
              <tr>
                <th scope="col">Position</th>
                <th scope="col">Event type</th>
                <th scope="col">Error</th>
                <th scope="col">Attempts</th>
                <th scope="col">Failed</th>
                <th scope="col">Resolution</th>
              </tr>
            </thead>
            <tbody>
              {letters.map((letter) => (
                <tr key={letter.id}>
                  <td class="num">{letter.position}</td>
                  <td>{letter.eventType}</td>
                  <td class="error">{letter.error}</td>
                  <td class="num">{letter.attempts}</td>
                  <td>{shortTime(letter.failedAt)}</td>
                  <td>
                    {letter.resolution ? (
                      `${letter.resolution} ${letter.resolvedAt ? shortTime(letter.resolvedAt) : ''}`
                    ) : admin ? (
                      <>
                        <button
                          type="button"
                          onClick={() => void resolve(name, 'retry', letter.position)}
                        >
                          Retry
                        </button>{' '}
                        <button
                          type="button"
                          onClick={() => void resolve(name, 'skip', letter.position)}
                        >
                          Skip
                        </button>
                      </>
                    ) : (
                      'unresolved'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </section>
    </>
  );
}
